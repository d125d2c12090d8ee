-- include/try.sql: run one statement, report how it ended, and whether it
-- left the extension's data as it was.
--
-- pg_temp.fingerprint() digests every row of every table of the extension
-- and the last value of each of its sequences (which a rollback does not
-- rewind, so an INSERT that ran before an error still shows there). The
-- tables are read from the catalog (schema session_clock holds every
-- table of either edition, the extension and portable/), so it covers
-- whatever version is installed. SECURITY DEFINER because try() also runs
-- under SET ROLE authenticated or anon, which may not read the tables; it
-- only reads.
CREATE FUNCTION pg_temp.fingerprint() RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    rel record;
    part text;
    digest text := '';
BEGIN
    FOR rel IN
        SELECT c.oid::regclass AS name, c.relkind
        FROM pg_class c
        WHERE c.relnamespace = 'session_clock'::regnamespace AND c.relkind IN ('r', 'S')
        ORDER BY c.oid::regclass::text
    LOOP
        IF rel.relkind = 'S' THEN
            part := pg_sequence_last_value(rel.name)::text;
        ELSE
            EXECUTE format('SELECT string_agg(t::text, ''|'' ORDER BY t::text) FROM %s t', rel.name) INTO part;
        END IF;
        digest := digest || '#' || rel.name::text || ':' || coalesce(part, '');
    END LOOP;
    RETURN md5(digest);
END
$$;

-- why: plain psql output shows the message but not the SQLSTATE (and
-- VERBOSITY verbose adds a LOCATION line naming a source line). try() runs
-- one statement in a subtransaction and reports its SQLSTATE (code, 'ok'
-- when it succeeded), message and detail, and whether everything is
-- unchanged afterwards.
CREATE FUNCTION pg_temp.try(statement text,
        OUT code text, OUT message text, OUT detail text, OUT unchanged boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    before text := pg_temp.fingerprint();
BEGIN
    BEGIN
        EXECUTE statement;
        code := 'ok';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                                detail = PG_EXCEPTION_DETAIL;
        detail := nullif(detail, '');
    END;
    unchanged := pg_temp.fingerprint() = before;
END
$$;
