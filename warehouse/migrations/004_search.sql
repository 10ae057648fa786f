-- newsflow warehouse, version 4: full-text search over article titles and bodies, inside DuckDB.
-- An inverted index kept in two tables, updated in the same transaction as the articles it
-- indexes (warehouse.search), and ranked with BM25 in SQL, so search works offline, from any
-- DuckDB client, in snapshots and exports. DuckDB's fts extension has no offline build for 2.0.x.

-- Words of a text, as indexed and as queried: lower case, split on anything but letters and digits,
-- possessive 's dropped, plural endings folded (companies -> company, agreements -> agreement).
CREATE MACRO search_tokens(s) AS list_filter(
    list_transform(
        regexp_split_to_array(regexp_replace(lower(coalesce(s, '')), '[''’]s\b', ' ', 'g'), '[^\p{L}\p{N}]+'),
        lambda t: regexp_replace(regexp_replace(t, 'ies$', 'y'), '([^su])s$', '\1')),
    lambda t: t <> '');

CREATE TABLE search_docs (
    url             VARCHAR PRIMARY KEY,           -- article
    length          INTEGER NOT NULL,              -- words in title and clean body
    indexed_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE search_postings (
    term            VARCHAR NOT NULL,              -- a word as search_tokens() makes it
    url             VARCHAR NOT NULL,              -- article
    tf              INTEGER NOT NULL               -- times the word occurs in its title and clean body
);

-- Articles matching any word of q, best first: most query words matched, then BM25 (k1 = 1.2, b = 0.75).
CREATE MACRO search_articles(q) AS TABLE
WITH terms AS (SELECT DISTINCT unnest(search_tokens(q)) AS term),
stats AS (SELECT count(*) AS n, avg(length) AS avgdl FROM search_docs),
hits AS (SELECT p.term, p.url, p.tf FROM search_postings p WHERE p.term IN (SELECT term FROM terms)),
idf AS (SELECT h.term, ln(1 + (any_value(s.n) - count(*) + 0.5) / (count(*) + 0.5)) AS idf FROM hits h, stats s GROUP BY h.term),
scored AS (
    SELECT h.url, count(*) AS matched,
           sum(i.idf * h.tf * 2.2 / (h.tf + 1.2 * (0.25 + 0.75 * d.length / s.avgdl))) AS score
    FROM hits h JOIN idf i USING (term) JOIN search_docs d USING (url), stats s
    GROUP BY h.url
)
SELECT a.url, a.title, a.published_at, s.matched, (SELECT count(*) FROM terms) AS terms, round(s.score, 4) AS score
FROM scored s JOIN articles a USING (url)
ORDER BY s.matched DESC, s.score DESC, a.url;

-- The stretch of text around the first word of q it contains, for showing a hit.
CREATE MACRO search_snippet(text, q) AS trim(regexp_replace(coalesce(regexp_extract(text,
    '(?is)(?:^|\s)(.{0,90}\b(?:' || array_to_string(list_transform(search_tokens(q), lambda t: regexp_replace(t, 'y$', '')), '|') || ').{0,90})(?:\s|$)', 1),
    ''), '\s+', ' ', 'g'));

-- Index what is already stored.
INSERT INTO search_docs
SELECT url, len(search_tokens(concat_ws(' ', title, clean_body))), now() FROM articles;
INSERT INTO search_postings
SELECT term, url, count(*) FROM (SELECT url, unnest(search_tokens(concat_ws(' ', title, clean_body))) AS term FROM articles)
GROUP BY ALL;
