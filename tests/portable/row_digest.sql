-- What moving a database between editions or upgrading the portable
-- edition must keep, as text to compare: a table's rows over the columns
-- given (all by default) as a count and an md5, a sequence's position.
-- Created in schema :"digest_schema" (pg_temp for one session's use).
CREATE FUNCTION :"digest_schema".rows_of(rel regclass, columns text DEFAULT '*') RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT count(*) || '' '' || md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) '
                   || 'FROM (SELECT %s FROM %s) t', columns, rel) INTO result;
    RETURN result;
END
$$;
CREATE FUNCTION :"digest_schema".position_of(seq regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT last_value || '' '' || is_called FROM %s', seq) INTO result;
    RETURN result;
END
$$;
