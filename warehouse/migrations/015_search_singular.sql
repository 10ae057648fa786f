-- newsflow warehouse, version 15: search folds plurals by the name key's one plural rule.
-- Version 7 stripped any final s not after s or u, so "analysis" became "analysi", "gas" "ga" and
-- "ties" "ty", while names are compared with schemas.names.singular, which keeps words ending in
-- -ss, -us or -is and short words. search_singular() below is that rule in SQL; search_tokens() is
-- version 7's with it, and warehouse.search.tokens (which builds the index) calls singular itself.
-- tests/test_search_tokens.py proves the two equal, as for version 7.

-- A lower-case word without its plural ending (schemas.names.singular): companies -> company,
-- hospitals -> hospital; business, campus, analysis and words of three letters or fewer kept.
CREATE OR REPLACE MACRO search_singular(w) AS CASE
    WHEN length(w) > 4 AND ends_with(w, 'ies') THEN regexp_replace(w, 'ies$', 'y')
    WHEN length(w) > 3 AND ends_with(w, 's') AND NOT regexp_matches(w, '(?:ss|us|is)$') THEN regexp_replace(w, 's$', '')
    ELSE w END;

-- Words as indexed and as queried: CJK runs as overlapping character pairs; stop words
-- (schemas/reference/stopwords.txt) dropped; plural endings folded by search_singular().
-- A word's position is its index in this list.
CREATE OR REPLACE MACRO search_tokens(s) AS flatten(list_transform(search_words(s), lambda w:
    CASE WHEN regexp_full_match(w, '[\x{3040}-\x{30FF}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{2FA1F}]+')
         THEN CASE WHEN length(w) = 1 THEN [w] ELSE list_transform(range(1, length(w)), lambda i: substring(w, i, 2)) END
         WHEN list_contains(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not',
                             'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was',
                             'will', 'with'], w) THEN []
         ELSE [search_singular(w)] END));

-- == index ==
-- Everything is indexed again with the new words.
DELETE FROM search_postings;
DELETE FROM search_docs;
CREATE TEMP TABLE search_reindex AS
    SELECT url, search_tokens(concat_ws(' ', title, clean_body)) AS words FROM articles;
INSERT INTO search_docs SELECT url, len(words), now() FROM search_reindex;
INSERT INTO search_postings
SELECT term, url, count(*), list(pos ORDER BY pos)
FROM (SELECT url, unnest(words) AS term, generate_subscripts(words, 1) - 1 AS pos FROM search_reindex)
GROUP BY term, url;
DROP TABLE search_reindex;
