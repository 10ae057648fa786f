-- newsflow warehouse, version 18: raw_documents declares no PRIMARY KEY. Its key, the SHA-256 of a
-- body, falls all over the key's order, and the checkpoint at the close of each load's connection
-- writes out every part of its ART index that the load's keys touched: ever more as the warehouse
-- grows (the reason of version 17, for the tables of many rows per article). `bench/checkpoint.py`,
-- 100 loads of 200 articles with 25 KiB pages: each close wrote 6.62 MiB over the first 4,000
-- articles and 9.25 MiB over the last, against 6.18 and 6.67 without this key. The content hash stays
-- unique by construction: `warehouse.load.store_raw` drops repeated hashes from a batch and inserts
-- only those not stored yet; a flow runs one load at a time, and one process writes the warehouse (DuckDB's lock).

CREATE TABLE raw_documents_v18 (
    sha256          VARCHAR NOT NULL,              -- of the body as served (transfer-decoded); unique
    url             VARCHAR NOT NULL,              -- as requested
    final_url       VARCHAR,                       -- after redirects
    status          INTEGER,
    content_type    VARCHAR,
    headers         JSON,
    fetched_at      TIMESTAMPTZ NOT NULL,          -- first time these bytes were fetched
    size            BIGINT NOT NULL,               -- uncompressed bytes
    body            BLOB USING COMPRESSION uncompressed NOT NULL,  -- compressed with `codec`
    codec           VARCHAR NOT NULL               -- 'zstd' or 'zlib'
);
INSERT INTO raw_documents_v18 SELECT sha256, url, final_url, status, content_type, headers, fetched_at, size, body, codec FROM raw_documents;
DROP TABLE raw_documents;
ALTER TABLE raw_documents_v18 RENAME TO raw_documents;
