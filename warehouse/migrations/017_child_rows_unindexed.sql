-- newsflow warehouse, version 17: the tables with many rows per article, and agreement_parties,
-- declare no PRIMARY KEY. DuckDB keeps a primary key as an ART index, and the checkpoint at the
-- close of each load's connection writes out every part of the index that the load's keys touched.
-- Article URLs fall all over the index, so a load of 200 articles touched ever more of it. Loading
-- 200 random URLs' blocks (30 each) and mentions (35 each) per connection (`bench/checkpoint.py --page-kib 0`):
-- 2.1 MiB written per close with 4,000 articles loaded, 5.3 MiB with 20,000; without the keys, 0.8.
-- The keys stay unique by construction: a load deletes an article's rows (an agreement's parties)
-- and writes them again in one transaction, and `warehouse.load.insert_rows` drops repeated keys
-- from a batch first. Other tables keep their PRIMARY KEY: their upserts need it.

CREATE TABLE article_blocks_v17 (
    url             VARCHAR NOT NULL,              -- article
    kind            VARCHAR NOT NULL,              -- paragraph | caption | credit | end_marker
    seq             INTEGER NOT NULL,              -- order within its kind; (url, kind, seq) is unique
    text            VARCHAR NOT NULL
);
INSERT INTO article_blocks_v17 SELECT url, kind, seq, text FROM article_blocks ORDER BY url, kind, seq;
DROP TABLE article_blocks;
ALTER TABLE article_blocks_v17 RENAME TO article_blocks;

CREATE TABLE mentions_v17 (
    url             VARCHAR NOT NULL,              -- article
    seq             INTEGER NOT NULL,              -- (url, seq) is unique
    entity_id       BIGINT NOT NULL,
    surface         VARCHAR NOT NULL,
    block           VARCHAR NOT NULL,              -- title | body | caption | credit | byline | dateline
    block_index     INTEGER NOT NULL,
    start_char      INTEGER NOT NULL,              -- span in the published text of that block
    end_char        INTEGER NOT NULL,
    sentence        VARCHAR,
    role            VARCHAR NOT NULL,              -- actor | credit | dateline
    resolved_by     VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);
INSERT INTO mentions_v17 SELECT url, seq, entity_id, surface, block, block_index, start_char, end_char, sentence, role,
    resolved_by, run_id FROM mentions ORDER BY url, seq;
DROP TABLE mentions;
ALTER TABLE mentions_v17 RENAME TO mentions;

CREATE TABLE roles_v17 (
    url             VARCHAR NOT NULL,              -- the article that reports it
    person_id       BIGINT NOT NULL,               -- (url, person_id, title) is unique
    title           VARCHAR NOT NULL,
    organization    VARCHAR,                       -- as resolved in the article
    organization_id BIGINT,
    observed_on     DATE,                          -- the article's date: "as reported on"
    block           VARCHAR,
    block_index     INTEGER,
    start_char      INTEGER,
    end_char        INTEGER
);
INSERT INTO roles_v17 SELECT url, person_id, title, organization, organization_id, observed_on, block, block_index,
    start_char, end_char FROM roles ORDER BY url, person_id, title;
DROP TABLE roles;
ALTER TABLE roles_v17 RENAME TO roles;

CREATE TABLE article_credits_v17 (
    url             VARCHAR NOT NULL,              -- (url, entity_id, role) is unique
    entity_id       BIGINT NOT NULL,
    name            VARCHAR NOT NULL,
    role            VARCHAR NOT NULL               -- reporter | photographer | editor
);
INSERT INTO article_credits_v17 SELECT url, entity_id, name, role FROM article_credits ORDER BY url, entity_id, role;
DROP TABLE article_credits;
ALTER TABLE article_credits_v17 RENAME TO article_credits;

CREATE TABLE agreement_mentions_v17 (
    agreement_id    BIGINT NOT NULL,
    url             VARCHAR NOT NULL,              -- article; (url, agreement_id, seq) is unique
    seq             INTEGER NOT NULL,              -- evidence order within the article
    text            VARCHAR NOT NULL,              -- the sentence or caption as published
    block           VARCHAR NOT NULL,
    block_index     INTEGER NOT NULL,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    dedup_key       VARCHAR NOT NULL,              -- what tied it to its agreement
    run_id          VARCHAR NOT NULL,
    report          INTEGER                        -- agreement_reports.seq of the report it states
);
INSERT INTO agreement_mentions_v17 SELECT agreement_id, url, seq, text, block, block_index, start_char, end_char, dedup_key,
    run_id, report FROM agreement_mentions ORDER BY url, agreement_id, seq;
DROP TABLE agreement_mentions;
ALTER TABLE agreement_mentions_v17 RENAME TO agreement_mentions;

CREATE TABLE agreement_reports_v17 (
    url             VARCHAR NOT NULL,              -- the article; (url, seq) is unique
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
    run_id          VARCHAR NOT NULL
);
INSERT INTO agreement_reports_v17 SELECT url, seq, agreement_id, type, status, signed_on, place, period, amount_value,
    amount_currency, subject, parties, party_ids, dedup_key, run_id FROM agreement_reports ORDER BY url, seq;
DROP TABLE agreement_reports;
ALTER TABLE agreement_reports_v17 RENAME TO agreement_reports;

CREATE TABLE agreement_parties_v17 (
    agreement_id    BIGINT NOT NULL,               -- (agreement_id, seq) is unique
    seq             INTEGER NOT NULL,
    entity_id       BIGINT,                        -- null only when the party could not be resolved
    name            VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,              -- person | organization | place | collective
    count           INTEGER,                       -- collectives: "15 central enterprises"
    with_affiliates BOOLEAN NOT NULL,
    role            VARCHAR
);
INSERT INTO agreement_parties_v17 SELECT agreement_id, seq, entity_id, name, kind, count, with_affiliates, role
    FROM agreement_parties ORDER BY agreement_id, seq;
DROP TABLE agreement_parties;
ALTER TABLE agreement_parties_v17 RENAME TO agreement_parties;
