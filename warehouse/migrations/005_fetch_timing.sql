-- newsflow warehouse, version 5: a fetch's queue wait apart from its request time.
-- queued_ms: waiting for a request slot (overall and per host) and for the host's pacing
-- (delay, Crawl-delay, Retry-After); elapsed_ms: the rest of the fetch (requests, retry back-off,
-- DNS, the robots.txt check). Their sum is the fetch's wall time. Rows logged before: NULL.
ALTER TABLE fetch_log ADD COLUMN queued_ms DOUBLE;
