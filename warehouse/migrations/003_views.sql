-- newsflow warehouse, version 3: views that spare analysts the joins.
-- Entities are shown as their canonical row: a merged row counts as the row it was merged into.

CREATE VIEW canonical_entities AS
SELECT e.entity_id,
       coalesce(e.merged_into, e.entity_id) AS canonical_id,
       c.kind, c.name, c.org_kind
FROM entities e JOIN entities c ON c.entity_id = coalesce(e.merged_into, e.entity_id);

CREATE VIEW article_view AS
SELECT a.url, a.title, a.published_at, a.published_source, a.language, a.site_name,
       f.name AS feed, a.dateline_agency, a.dateline_place, a.dateline_date, a.byline, a.authors,
       (SELECT list(DISTINCT c.name ORDER BY c.name) FROM article_credits c WHERE c.url = a.url AND c.role = 'photographer') AS photographers,
       (SELECT list(DISTINCT c.name ORDER BY c.name) FROM article_credits c WHERE c.url = a.url AND c.role = 'reporter') AS reporters,
       (SELECT count(*) FROM article_blocks b WHERE b.url = a.url AND b.kind = 'caption') AS captions,
       length(a.body) AS body_chars, a.body, a.clean_body, a.canonical_url, a.final_url
FROM articles a LEFT JOIN feeds f ON f.url = a.feed_url;

CREATE VIEW entity_view AS
SELECT c.canonical_id AS entity_id, any_value(c.kind) AS kind, any_value(c.name) AS name, any_value(c.org_kind) AS org_kind,
       list(DISTINCT al.alias ORDER BY al.alias) AS aliases,
       count(DISTINCT m.url) AS articles, count(DISTINCT (m.url, m.seq)) AS mentions
FROM canonical_entities c
LEFT JOIN entity_aliases al ON al.entity_id = c.entity_id
LEFT JOIN mentions m ON m.entity_id = c.entity_id
GROUP BY c.canonical_id;

CREATE VIEW mention_view AS
SELECT m.url, a.title AS article_title, a.published_at, c.canonical_id AS entity_id, c.kind, c.name,
       m.surface, m.role, m.block, m.block_index, m.start_char, m.end_char, m.sentence, m.resolved_by
FROM mentions m JOIN canonical_entities c ON c.entity_id = m.entity_id JOIN articles a ON a.url = m.url;

CREATE VIEW role_view AS
SELECT p.canonical_id AS person_id, p.name AS person, r.title,
       coalesce(o.name, r.organization) AS organization, o.canonical_id AS organization_id,
       r.observed_on, r.url, a.title AS article_title
FROM roles r
JOIN canonical_entities p ON p.entity_id = r.person_id
LEFT JOIN canonical_entities o ON o.entity_id = r.organization_id
JOIN articles a ON a.url = r.url;

-- Who held which post according to the news on date d: the latest report on or before d.
CREATE MACRO roles_as_of(d) AS TABLE
SELECT person_id, person, title, organization, observed_on, url
FROM role_view
WHERE observed_on <= CAST(d AS DATE)
QUALIFY row_number() OVER (PARTITION BY person_id, lower(title), coalesce(organization, '') ORDER BY observed_on DESC, url) = 1;

CREATE VIEW agreement_party_view AS
SELECT p.agreement_id, p.seq, coalesce(c.canonical_id, p.entity_id) AS entity_id,
       coalesce(c.name, p.name) AS name, p.name AS name_in_text, p.kind, p.count, p.with_affiliates, p.role,
       coalesce(c.name, p.name)
       || CASE WHEN p.with_affiliates AND p.name NOT ILIKE '%affiliat%' THEN ' (with affiliates)' ELSE '' END AS label
FROM agreement_parties p LEFT JOIN canonical_entities c ON c.entity_id = p.entity_id;

CREATE VIEW agreement_view AS
WITH reports AS (
    SELECT m.agreement_id, min(a.published_at) AS first_reported, max(a.published_at) AS last_reported,
           count(DISTINCT m.url) AS articles, count(*) AS mentions, list(DISTINCT m.url) AS urls
    FROM agreement_mentions m JOIN articles a ON a.url = m.url GROUP BY m.agreement_id
), parties AS (
    SELECT agreement_id, list(name ORDER BY seq) AS parties, string_agg(label, '; ' ORDER BY seq) AS parties_text,
           list(entity_id ORDER BY seq) AS party_ids
    FROM agreement_party_view GROUP BY agreement_id
)
SELECT g.agreement_id, g.type, g.status, g.signed_on, g.place, g.period, g.amount_value, g.amount_currency, g.subject,
       p.parties, p.parties_text, p.party_ids, r.first_reported, r.last_reported, r.articles, r.mentions, r.urls
FROM agreements g JOIN reports r USING (agreement_id) LEFT JOIN parties p USING (agreement_id);
