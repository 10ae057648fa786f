-- newsflow warehouse, version 10: a run in two stages. Stage 1 stores an article's text (fetch,
-- parse, load); stage 2 analyses stored articles (entities, mentions, roles, credits, agreements),
-- in the same run (`newsflow ingest`) or later (`newsflow ingest --analysis later`, then
-- `newsflow analyze`). Each article records the extractor version its facts came from, so
-- `analyze` and `reprocess` know what is stale, and keeps all the text the analysis reads.

-- The extractor version that made the article's facts, and when; NULL: not analysed yet.
ALTER TABLE articles ADD COLUMN analysis_version VARCHAR;
ALTER TABLE articles ADD COLUMN analyzed_at TIMESTAMPTZ;
-- What the analysis reads beyond the blocks: the dateline as written, the cleaning edits (spans into
-- `body`), and the zone the page wrote its date in (seconds east of UTC; NULL: the page gave no
-- zone, or no date of its own), whose day "on Monday" is read against.
ALTER TABLE articles ADD COLUMN dateline_raw VARCHAR;
ALTER TABLE articles ADD COLUMN edits STRUCT(start_char INTEGER, end_char INTEGER, replacement VARCHAR, kind VARCHAR)[];
ALTER TABLE articles ADD COLUMN published_utc_offset INTEGER;

-- Articles stored before: analysed when they were loaded, by the version that parsed them. Their
-- `edits` stay NULL: analysis cannot run on their text until `newsflow reprocess` parses it again.
UPDATE articles SET analysis_version = extractor_version, analyzed_at = updated_at;
