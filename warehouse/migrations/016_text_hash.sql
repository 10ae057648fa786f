-- newsflow warehouse, version 16: each article keeps the hash of its text as stored, so a load that
-- asks "did this text change?" (`warehouse.read.text_hashes`) reads one column instead of every
-- article's blocks: that scan of `article_blocks` grew with the warehouse and ran twice per load.

-- The hash of everything analysis reads of an article (`warehouse.read.article_texts`): its row `a`
-- and its blocks as a list of (kind, seq, text), in any order. Facts made from a text whose hash
-- changed no longer point into it. The one definition: the load (`warehouse.load.save_articles`)
-- and the backfill below both call it.
CREATE OR REPLACE MACRO article_text_hash(a, blocks) AS md5(CAST({
    'title': a.title, 'body': a.body, 'blocks': list_sort(blocks), 'byline': a.byline, 'agency': a.dateline_agency,
    'place': a.dateline_place, 'date': a.dateline_date, 'raw': a.dateline_raw, 'edits': a.edits,
    'published': a.published_at, 'source': a.published_source, 'offset': a.published_utc_offset} AS VARCHAR));

ALTER TABLE articles ADD COLUMN text_hash VARCHAR;
UPDATE articles SET text_hash = article_text_hash(articles, b.blocks)
FROM (SELECT a.url, g.blocks FROM articles a
      LEFT JOIN (SELECT url, list((kind, seq, text)) AS blocks FROM article_blocks GROUP BY url) g USING (url)) b
WHERE articles.url = b.url;
