-- include/try_text.sql: a statement's outcome as one text value, for
-- matrices of who may do what. Each runs its statement in a subtransaction
-- (an error leaves nothing behind) and answers 'ERROR <SQLSTATE>: <message>'
-- on an error, without psql's source-file LOCATION lines:
--   pg_temp.try_text(q)   'ok (N rows)' otherwise;
--   pg_temp.try_value(q)  the value of a one-column query ('NULL' for NULL).
CREATE FUNCTION pg_temp.try_text(q text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE q;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN 'ok (' || n || ' rows)';
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;

CREATE FUNCTION pg_temp.try_value(q text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE q INTO v;
    RETURN coalesce(v, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;
