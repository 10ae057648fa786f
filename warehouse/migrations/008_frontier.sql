-- newsflow warehouse, version 8: the frontier (the work queue of article URLs), and facts that
-- do not depend on the order in which articles arrive.

-- Every article URL a feed listed, with where it stands. Polling enqueues in the same transaction
-- as the feed's validators, and each batch's load marks its URLs in its own transaction, so an
-- interrupted run leaves its work pending here, never lost behind a 304 (warehouse.frontier).
CREATE TABLE frontier (
    url             VARCHAR PRIMARY KEY,           -- canonical entry URL
    feed_url        VARCHAR NOT NULL,              -- feed document that first listed it
    published_at    TIMESTAMPTZ,                   -- the entry's date in that feed
    state           VARCHAR NOT NULL,              -- pending | retry | done | failed
    tries           INTEGER NOT NULL,              -- runs whose fetch failed for a reason that may pass
    next_try_at     TIMESTAMPTZ,                   -- retry: not before this time
    last_error      VARCHAR,                       -- retry, failed: why
    article_url     VARCHAR,                       -- done: the article it is (another entry's when both are one page)
    enqueued_at     TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- What an older warehouse knew: entries neither loaded nor rejected were lost work, pending now;
-- fetch rejects that may pass are due for one more try; other rejects stay failed.
INSERT INTO frontier
SELECT url, arg_min(feed_url, first_seen_at), arg_min(published_at, first_seen_at), 'pending', 0, NULL, NULL, NULL,
       min(first_seen_at), now()
FROM feed_entries GROUP BY url;
INSERT INTO frontier
SELECT url, feed_url, NULL, 'done', 0, NULL, NULL, url, first_seen_at, now()
FROM articles WHERE feed_url IS NOT NULL AND url NOT IN (SELECT url FROM frontier);
UPDATE frontier SET state = 'done', article_url = frontier.url FROM articles a WHERE a.url = frontier.url;
UPDATE frontier SET
    state = CASE WHEN r.stage = 'fetch' AND regexp_matches(r.reason,
                 '^(http (429|5\d\d)|timeout|connection refused|connect error|protocol error|network error|dns lookup failed|retry-after)')
            THEN 'retry' ELSE 'failed' END,
    tries = 1, next_try_at = now(), last_error = r.reason
FROM (SELECT url, arg_max(stage, last_seen_at) AS stage, arg_max(reason, last_seen_at) AS reason
      FROM rejects WHERE stage IN ('fetch', 'parse') GROUP BY url) r
WHERE r.url = frontier.url AND frontier.state = 'pending';

-- Entity rows are identified by their kind and the key of their fullest name (warehouse.facts).
ALTER TABLE entities ADD COLUMN key VARCHAR;

-- One row per agreement as one article reports it: agreements are grouped again from these
-- whenever a load touches their group, so the grouping does not depend on arrival order.
CREATE TABLE agreement_reports (
    url             VARCHAR NOT NULL,              -- the article
    seq             INTEGER NOT NULL,              -- order of the agreement within the article
    agreement_id    BIGINT NOT NULL,               -- the agreement it was grouped into
    type            VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,
    signed_on       VARCHAR,
    place           VARCHAR,
    period          VARCHAR,
    amount_value    DOUBLE,
    amount_currency VARCHAR,
    subject         VARCHAR,
    parties         JSON NOT NULL,                 -- [{entity_id, name, kind, count, with_affiliates, role}] as reported
    party_ids       BIGINT[] NOT NULL,             -- the parties' entity rows
    dedup_key       VARCHAR NOT NULL,              -- type and the parties' linked entities: one key, one group
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (url, seq)
);
ALTER TABLE agreement_mentions ADD COLUMN report INTEGER;  -- agreement_reports.seq of the report it states
