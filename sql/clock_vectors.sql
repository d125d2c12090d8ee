-- clock_vectors: the clock arithmetic and the event-log replay, as a table
-- of cases with their expected results (tests/vectors/clock_model.json),
-- run against whichever edition is installed: the extension's C++ core
-- here, the portable edition's PL/pgSQL in tests/portable/run.sh, with
-- this one expected output. Only disagreements are listed. Runs as the
-- regression superuser (an admin: replay reads any session).
\set vectors `cat tests/vectors/clock_model.json`
CREATE TEMP TABLE vectors AS SELECT :'vectors'::jsonb AS doc;

-- why: elapsed_ms(session, at) on each case's row: the value, or the error.
CREATE FUNCTION pg_temp.elapsed_outcome(c jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN session_clock.elapsed_ms(jsonb_populate_record(NULL::session_clock.sessions, c -> 'session'),
                                    (c ->> 'at')::timestamptz)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;
SELECT count(*) AS elapsed_cases,
       count(*) FILTER (WHERE pg_temp.elapsed_outcome(c) = coalesce((c -> 'expect')::text, c ->> 'error')) AS agree
FROM vectors, jsonb_array_elements(doc -> 'elapsed_ms') AS c;
SELECT c ->> 'name' AS disagrees, pg_temp.elapsed_outcome(c) AS got, coalesce((c -> 'expect')::text, c ->> 'error') AS expected
FROM vectors, jsonb_array_elements(doc -> 'elapsed_ms') AS c
WHERE pg_temp.elapsed_outcome(c) IS DISTINCT FROM coalesce((c -> 'expect')::text, c ->> 'error');

-- why: replay(id) over each case's event log, written straight into the
-- tables (in a subtransaction that is rolled back): the state, or the error.
CREATE FUNCTION pg_temp.replay_outcome(c jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    id uuid := 'c1000000-0000-4000-8000-000000000001';
    outcome text;
BEGIN
    BEGIN
        INSERT INTO session_clock.sessions (id, started_at, last_state_change_at)
            VALUES (id, '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00');
        INSERT INTO session_clock.session_events (session_id, event, at, actor, actor_role, elapsed_ms, version)
            SELECT id, e ->> 0, (e ->> 1)::timestamptz, 'vectors', 'vectors', 0, n
            FROM jsonb_array_elements(c -> 'events') WITH ORDINALITY AS x(e, n);
        SELECT jsonb_build_object('is_paused', r.is_paused, 'total_paused_ms', r.total_paused_ms,
                                  'last_state_change_at', r.last_state_change_at, 'ended_at', r.ended_at,
                                  'version', r.version)::text
          INTO outcome FROM session_clock.replay(id) r;
        RAISE EXCEPTION USING ERRCODE = 'ZZ000', MESSAGE = outcome;  -- undo the rows
    EXCEPTION WHEN SQLSTATE 'ZZ000' THEN
        NULL;
    WHEN OTHERS THEN
        outcome := SQLSTATE || ' ' || SQLERRM;
    END;
    RETURN outcome;
END
$$;
SET TIME ZONE 'UTC';
CREATE FUNCTION pg_temp.replay_expected(c jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce((SELECT jsonb_build_object('is_paused', (e ->> 'is_paused')::boolean,
                                               'total_paused_ms', (e ->> 'total_paused_ms')::bigint,
                                               'last_state_change_at', (e ->> 'last_state_change_at')::timestamptz,
                                               'ended_at', (e ->> 'ended_at')::timestamptz,
                                               'version', (e ->> 'version')::bigint)::text
                     FROM (SELECT c -> 'expect' AS e) x WHERE c ? 'expect'), c ->> 'error')
$$;
SELECT count(*) AS replay_cases,
       count(*) FILTER (WHERE pg_temp.replay_outcome(c) = pg_temp.replay_expected(c)) AS agree
FROM vectors, jsonb_array_elements(doc -> 'replay') AS c;
SELECT c ->> 'name' AS disagrees, pg_temp.replay_outcome(c) AS got, pg_temp.replay_expected(c) AS expected
FROM vectors, jsonb_array_elements(doc -> 'replay') AS c
WHERE pg_temp.replay_outcome(c) IS DISTINCT FROM pg_temp.replay_expected(c);
RESET TIME ZONE;
