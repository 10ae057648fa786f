-- newsflow warehouse, version 2: entities with aliases, mentions, roles, credits; agreements.

CREATE SEQUENCE entity_seq;
CREATE TABLE entities (
    entity_id       BIGINT PRIMARY KEY DEFAULT nextval('entity_seq'),
    kind            VARCHAR NOT NULL,              -- person | organization | place | collective
    name            VARCHAR NOT NULL,              -- fullest form seen
    org_kind        VARCHAR,                       -- organizations: government | company | soe | party | ngo | media | other
    merged_into     BIGINT,                        -- set by a 'same' judgement; the row itself is never deleted
    first_seen_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE entity_aliases (
    entity_id       BIGINT NOT NULL,
    alias           VARCHAR NOT NULL,              -- as written
    alias_key       VARCHAR NOT NULL,              -- case-, punctuation- and article-insensitive form used for matching
    kind            VARCHAR NOT NULL,              -- name | abbreviation | spelling_variant | short_form | description
    PRIMARY KEY (entity_id, alias_key)
);

CREATE SEQUENCE judgement_seq;
CREATE TABLE entity_judgements (
    judgement_id    BIGINT PRIMARY KEY DEFAULT nextval('judgement_seq'),
    entity_id       BIGINT NOT NULL,               -- the row judged
    other_id        BIGINT NOT NULL,               -- the row it is (not) the same as
    same            BOOLEAN NOT NULL,
    reason          VARCHAR NOT NULL,
    score           DOUBLE,
    decided_by      VARCHAR NOT NULL,              -- 'newsflow' (automatic) or a person, from the command line
    decided_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE mentions (
    url             VARCHAR NOT NULL,              -- article
    seq             INTEGER NOT NULL,
    entity_id       BIGINT NOT NULL,
    surface         VARCHAR NOT NULL,
    block           VARCHAR NOT NULL,              -- title | body | caption | credit | byline | dateline
    block_index     INTEGER NOT NULL,
    start_char      INTEGER NOT NULL,              -- span in the published text of that block
    end_char        INTEGER NOT NULL,
    sentence        VARCHAR,
    role            VARCHAR NOT NULL,              -- actor | credit | dateline
    resolved_by     VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (url, seq)
);

CREATE TABLE roles (
    url             VARCHAR NOT NULL,              -- the article that reports it
    person_id       BIGINT NOT NULL,
    title           VARCHAR NOT NULL,
    organization    VARCHAR,                       -- as resolved in the article
    organization_id BIGINT,
    observed_on     DATE,                          -- the article's date: "as reported on"
    block           VARCHAR,
    block_index     INTEGER,
    start_char      INTEGER,
    end_char        INTEGER,
    PRIMARY KEY (url, person_id, title)
);

CREATE TABLE article_credits (
    url             VARCHAR NOT NULL,
    entity_id       BIGINT NOT NULL,
    name            VARCHAR NOT NULL,
    role            VARCHAR NOT NULL,              -- reporter | photographer | editor
    PRIMARY KEY (url, entity_id, role)
);

CREATE SEQUENCE agreement_seq;
CREATE TABLE agreements (
    agreement_id    BIGINT PRIMARY KEY DEFAULT nextval('agreement_seq'),
    type            VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,
    signed_on       VARCHAR,                       -- ISO date, or YYYY-MM / YYYY when no more is known
    place           VARCHAR,
    period          VARCHAR,
    amount_value    DOUBLE,
    amount_currency VARCHAR,
    subject         VARCHAR,
    dedup_key       VARCHAR NOT NULL,              -- type and resolved party ids: reports with the same key and near dates merge
    first_seen_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE agreement_parties (
    agreement_id    BIGINT NOT NULL,
    seq             INTEGER NOT NULL,
    entity_id       BIGINT,                        -- null only when the party could not be resolved
    name            VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,              -- person | organization | place | collective
    count           INTEGER,                       -- collectives: "15 central enterprises"
    with_affiliates BOOLEAN NOT NULL,
    role            VARCHAR,
    PRIMARY KEY (agreement_id, seq)
);

CREATE TABLE agreement_mentions (
    agreement_id    BIGINT NOT NULL,
    url             VARCHAR NOT NULL,              -- article
    seq             INTEGER NOT NULL,              -- evidence order within the article
    text            VARCHAR NOT NULL,              -- the sentence or caption as published
    block           VARCHAR NOT NULL,
    block_index     INTEGER NOT NULL,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    dedup_key       VARCHAR NOT NULL,              -- what tied it to its agreement
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (url, agreement_id, seq)
);
