-- Every row of session_clock's tables (but privileges, each edition's own)
-- as a count and an md5 per table, and each identity sequence's position.
CREATE FUNCTION pg_temp.rows_of(rel regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT count(*) || '' '' || md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) FROM %s t',
                   rel) INTO result;
    RETURN result;
END
$$;
CREATE FUNCTION pg_temp.position_of(seq regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT last_value || '' '' || is_called FROM %s', seq) INTO result;
    RETURN result;
END
$$;
SELECT c.relname, CASE c.relkind WHEN 'S' THEN pg_temp.position_of(c.oid) ELSE pg_temp.rows_of(c.oid) END
FROM pg_class c
WHERE c.relnamespace = 'session_clock'::regnamespace AND c.relkind IN ('r', 'S') AND c.relname <> 'privileges'
ORDER BY c.relname;
