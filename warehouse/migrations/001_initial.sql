-- newsflow warehouse, version 1: feeds, raw documents, articles, fetch log, rejects.

CREATE TABLE runs (
    run_id          VARCHAR PRIMARY KEY,           -- one ingest or reprocess run
    flow            VARCHAR NOT NULL,              -- 'ingest' | 'reprocess'
    extractor_version VARCHAR NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    summary         JSON
);

CREATE TABLE feeds (
    url             VARCHAR PRIMARY KEY,           -- feed document URL (also pages of a paged feed)
    name            VARCHAR NOT NULL,              -- name from the feeds file
    kind            VARCHAR,                       -- rss | atom | json | sitemap | sitemap_index | opml
    title           VARCHAR,
    etag            VARCHAR,
    last_modified   VARCHAR,
    last_polled_at  TIMESTAMPTZ,
    last_status     INTEGER,
    last_error      VARCHAR,
    raw_sha256      VARCHAR                        -- latest stored body
);

CREATE TABLE feed_entries (
    feed_url        VARCHAR NOT NULL,
    url             VARCHAR NOT NULL,              -- canonicalized entry link
    link            VARCHAR NOT NULL,              -- as written in the feed
    title           VARCHAR,
    published_at    TIMESTAMPTZ,
    guid            VARCHAR,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (feed_url, url)
);

CREATE TABLE raw_documents (
    sha256          VARCHAR PRIMARY KEY,           -- of the body as served (transfer-decoded)
    url             VARCHAR NOT NULL,              -- as requested
    final_url       VARCHAR,                       -- after redirects
    status          INTEGER,
    content_type    VARCHAR,
    headers         JSON,
    fetched_at      TIMESTAMPTZ NOT NULL,          -- first time these bytes were fetched
    size            BIGINT NOT NULL,               -- uncompressed bytes
    body_zlib       BLOB NOT NULL                  -- zlib-compressed body
);

CREATE SEQUENCE fetch_log_seq;
CREATE TABLE fetch_log (
    id              BIGINT PRIMARY KEY DEFAULT nextval('fetch_log_seq'),
    run_id          VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,              -- 'feed' | 'page'
    url             VARCHAR NOT NULL,
    final_url       VARCHAR,
    status          INTEGER,
    error           VARCHAR,
    attempts        INTEGER,
    elapsed_ms      DOUBLE,
    fetched_at      TIMESTAMPTZ NOT NULL,
    raw_sha256      VARCHAR
);

CREATE TABLE articles (
    url             VARCHAR PRIMARY KEY,           -- canonical entry URL, the article's key
    canonical_url   VARCHAR,                       -- as the page declares it
    final_url       VARCHAR,
    feed_url        VARCHAR,
    title           VARCHAR,
    authors         VARCHAR[],
    published_at    TIMESTAMPTZ,
    published_source VARCHAR,                      -- 'page' | 'feed' | 'dateline'
    modified_at     TIMESTAMPTZ,
    language        VARCHAR,
    site_name       VARCHAR,
    description     VARCHAR,
    image           VARCHAR,
    body            VARCHAR,                       -- story text as published, paragraphs joined by blank lines
    clean_body      VARCHAR,                       -- body with cleaning edits applied
    body_sha256     VARCHAR,
    dateline_agency VARCHAR,
    dateline_place  VARCHAR,
    dateline_date   DATE,
    byline          VARCHAR[],
    raw_sha256      VARCHAR NOT NULL,              -- the raw document it was parsed from
    extractor_version VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE article_blocks (
    url             VARCHAR NOT NULL,              -- article
    kind            VARCHAR NOT NULL,              -- paragraph | caption | credit | end_marker
    seq             INTEGER NOT NULL,              -- order within its kind
    text            VARCHAR NOT NULL,
    PRIMARY KEY (url, kind, seq)
);

CREATE TABLE rejects (
    stage           VARCHAR NOT NULL,              -- feed | entry | fetch | decode | parse | load
    url             VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    detail          VARCHAR,
    raw_sha256      VARCHAR,                       -- the payload, when one came back
    run_id          VARCHAR NOT NULL,              -- latest run that hit it
    first_seen_at   TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    times_seen      INTEGER NOT NULL,
    PRIMARY KEY (stage, url)
);
