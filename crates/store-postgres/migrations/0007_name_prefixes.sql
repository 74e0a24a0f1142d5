-- Name search in any order: every prefix of every name word ("ros", "ross", "rossi", "m",
-- "ma", …) as an element of a GIN array index, so that each typed word is one exact key and
-- GIN intersects the keys' posting lists, skipping ahead in the longer one. The text-search
-- index it replaces matched `rossi:* & mario:*` by collecting every person of each prefix
-- first (5,000–10,000 for a common name): 3–6 ms a search against 0.5–1 ms
-- (docs/performance.md, "Any-order names on PostgreSQL").
CREATE FUNCTION name_prefixes(key TEXT) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT ARRAY(SELECT left(w, n) FROM unnest(string_to_array(key, ' ')) AS w,
            generate_series(1, length(w)) AS n)
    $$;

DROP INDEX person_search;
-- A search scans the whole list of pending (not yet merged) entries: a small list keeps that
-- cheap between the merges of autovacuum and of a civil-registry import.
CREATE INDEX person_name_prefixes ON person USING gin (name_prefixes(search_key))
    WITH (gin_pending_list_limit = 256);
