-- newsflow warehouse, version 11: raw bodies name their codec.
-- New bodies are zstd (level 3), five times faster to write than zlib level 6 for the same bytes
-- (`warehouse.rawbody`, bench/raw_storage.py); the rows already stored stay zlib, and say so.
ALTER TABLE raw_documents RENAME COLUMN body_zlib TO body;   -- compressed with `codec`
ALTER TABLE raw_documents ADD COLUMN codec VARCHAR DEFAULT 'zlib';
ALTER TABLE raw_documents ALTER COLUMN codec DROP DEFAULT;
ALTER TABLE raw_documents ALTER COLUMN codec SET NOT NULL;   -- 'zstd' or 'zlib'
