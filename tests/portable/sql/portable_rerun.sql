-- The portable edition's own promises (run after the shared files, so the
-- tables hold their rows): running the script again changes nothing and
-- keeps every row; only its owner may run it; it refuses functions it did
-- not create (seed 003's) and leaves nothing behind when it refuses; the
-- defaults live in session_clock.settings, which only the owner and
-- service_role may change.

-- why: everything the script makes, as text: definitions, privileges,
-- comments, columns, constraints, indexes, types, and every row.
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    part text;
    rel regclass;
    digest text := '';
BEGIN
    SELECT string_agg(pg_get_functiondef(p.oid) || coalesce(p.proacl::text, '') || coalesce(obj_description(p.oid, 'pg_proc'), ''),
                      '|' ORDER BY p.oid::regprocedure::text) INTO part
    FROM pg_proc p
    WHERE p.pronamespace IN ('session_clock'::regnamespace, 'session_clock_portable'::regnamespace)
       OR (p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'session\_clock\_%');
    digest := digest || part;
    SELECT string_agg(concat_ws(',', c.relname, c.relkind, c.relacl, obj_description(c.oid, 'pg_class'),
                                (SELECT string_agg(concat_ws(':', a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                                             pg_get_expr(d.adbin, d.adrelid), a.attacl,
                                                             col_description(c.oid, a.attnum)), ';' ORDER BY a.attnum)
                                 FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
                                (SELECT string_agg(x.conname || ' ' || pg_get_constraintdef(x.oid), ';' ORDER BY x.conname)
                                 FROM pg_constraint x WHERE x.conrelid = c.oid),
                                pg_get_indexdef(c.oid),
                                CASE c.relkind WHEN 'v' THEN pg_get_viewdef(c.oid) END),
                      '|' ORDER BY c.relname) INTO part
    FROM pg_class c WHERE c.relnamespace = 'session_clock'::regnamespace;
    digest := digest || part;
    SELECT string_agg(n.nspacl::text || coalesce(obj_description(n.oid, 'pg_namespace'), ''), '|' ORDER BY n.nspname)
      INTO part
    FROM pg_namespace n WHERE n.nspname IN ('session_clock', 'session_clock_portable');
    digest := digest || part;
    FOR rel IN SELECT c.oid FROM pg_class c
               WHERE c.relnamespace = 'session_clock'::regnamespace AND c.relkind = 'r' ORDER BY c.relname LOOP
        EXECUTE format('SELECT string_agg(t::text, ''|'' ORDER BY t::text) FROM %s t', rel) INTO part;
        digest := digest || rel::text || ':' || coalesce(part, '');
    END LOOP;
    FOR rel IN SELECT c.oid FROM pg_class c
               WHERE c.relnamespace = 'session_clock'::regnamespace AND c.relkind = 'S' ORDER BY c.relname LOOP
        digest := digest || rel::text || ':' || coalesce(pg_sequence_last_value(rel)::text, '');
    END LOOP;
    RETURN md5(digest);
END
$$;
CREATE TEMP TABLE before AS
    SELECT pg_temp.snapshot() AS snapshot,
           (SELECT count(*) FROM session_clock.sessions) AS sessions,
           (SELECT count(*) FROM session_clock.session_events) AS events,
           (SELECT count(*) FROM session_clock.rooms) AS rooms;
SELECT sessions > 0 AS has_sessions, events > 0 AS has_events, rooms > 0 AS has_rooms FROM before;

-- why: the same version again, by its owner: nothing changes, no row is lost.
SET ROLE regress_portable_owner;
\set ECHO none
\i portable/session_clock.sql
\set ECHO all
RESET ROLE;
SELECT b.snapshot = pg_temp.snapshot() AS unchanged,
       b.sessions = (SELECT count(*) FROM session_clock.sessions) AS sessions_kept,
       b.events = (SELECT count(*) FROM session_clock.session_events) AS events_kept
FROM before b;

-- why: another role, even one that may create in the database, is refused
-- before anything happens. (A separate psql: the script runs in its own
-- transaction; the prefix with the script's line number is cut.)
CREATE ROLE regress_portable_other LOGIN;
SELECT format('GRANT CREATE ON DATABASE %I TO regress_portable_other', current_database()) \gexec
\! psql -X -q -U regress_portable_other -d portable_regression -v ON_ERROR_STOP=1 -v SHOW_CONTEXT=never -f portable/session_clock.sql 2>&1 | sed 's/^psql:[^:]*:[0-9]*: //'
SELECT pg_temp.snapshot() = (SELECT snapshot FROM before) AS unchanged;
SELECT format('REVOKE CREATE ON DATABASE %I FROM regress_portable_other', current_database()) \gexec
DROP ROLE regress_portable_other;

-- why: seed 003's app defined its own session_clock_get/pause/resume with
-- other result shapes: the script names them and creates nothing.
CREATE DATABASE regress_portable_seed003 OWNER regress_portable_owner;
\! psql -X -q -U regress_portable_owner -d regress_portable_seed003 -c "CREATE FUNCTION public.session_clock_get(p_session_id uuid) RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb'; CREATE FUNCTION public.session_clock_pause(p_session_id uuid, p_reason text) RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb'"
\! psql -X -q -U regress_portable_owner -d regress_portable_seed003 -v ON_ERROR_STOP=1 -v SHOW_CONTEXT=never -f portable/session_clock.sql 2>&1 | sed 's/^psql:[^:]*:[0-9]*: //'
\! psql -X -q -U regress_portable_owner -d regress_portable_seed003 -At -c "SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'session_clock'"
DROP DATABASE regress_portable_seed003;

-- why: the Supabase SQL editor sends the whole script as one query string;
-- it installs that way too, and runs again that way.
CREATE DATABASE regress_portable_editor OWNER regress_portable_owner;
\! psql -X -q -U regress_portable_owner -d regress_portable_editor -v ON_ERROR_STOP=1 -f tests/portable/sql_editor.psql
\! psql -X -q -U regress_portable_owner -d regress_portable_editor -v ON_ERROR_STOP=1 -f tests/portable/sql_editor.psql
\! psql -X -q -U regress_portable_owner -d regress_portable_editor -At -c "SELECT session_clock.portable_version(), count(*) FROM pg_proc WHERE pronamespace = 'session_clock'::regnamespace"
DROP DATABASE regress_portable_editor;

------------------------------------------------------------------------------
-- The defaults: session_clock.settings
------------------------------------------------------------------------------
SELECT * FROM session_clock.settings;
\i sql/include/try_text.sql
-- why: only the owner and service_role change them; end users and anon
-- cannot even read the table (the functions read it for them).
SELECT r.role,
       pg_temp.try_text(format('SET LOCAL ROLE %I; UPDATE session_clock.settings SET grace_ms = 1000', r.role)) AS update
FROM (VALUES ('anon'), ('authenticated'), ('authenticator'), ('service_role'), ('regress_portable_owner')) AS r(role);
UPDATE session_clock.settings SET grace_ms = DEFAULT;
-- why: within the limits the extension's settings have.
SELECT v.statement, pg_temp.try_text(v.statement) AS outcome
FROM (VALUES ($$UPDATE session_clock.settings SET grace_ms = -1$$),
             ($$UPDATE session_clock.settings SET grace_ms = 90000000$$),
             ($$UPDATE session_clock.settings SET min_participants = 10001$$),
             ($$UPDATE session_clock.settings SET server_label = ''$$),
             ($$UPDATE session_clock.settings SET server_label = E'clock\n'$$),
             ($$INSERT INTO session_clock.settings (singleton) VALUES (false)$$)) AS v(statement);
-- why: a SET of the extension's setting names changes nothing here (anyone
-- could SET a placeholder); the row does.
SET session_clock.grace_ms = 1;
SELECT (session_clock.portable_settings()).grace_ms AS default_grace_ms;
RESET session_clock.grace_ms;
-- why: grace.sql's "new defaults apply to sessions without their own
-- value", through the row: a tracked session below the minimum gets a
-- deadline 45 s ahead; the stranded view and server_time_status() follow.
UPDATE session_clock.settings SET grace_ms = 45000, min_participants = 3, server_label = 'time.example.com';
SELECT changed FROM session_clock_start('c0ffee00-0000-4000-8000-000000000002');
SELECT participants, min_participants, grace_ms, grace_deadline_at - server_now = interval '45 s' AS deadline_45s_ahead
FROM session_clock_presence('c0ffee00-0000-4000-8000-000000000002', 'a', true);
SELECT session_clock.server_time_status() ->> 'server' AS server;
UPDATE session_clock.settings SET min_participants = 2;
SELECT participants, min_participants, grace_deadline_at IS NULL AS deadline_cancelled
FROM session_clock_presence('c0ffee00-0000-4000-8000-000000000002', 'b', true);
UPDATE session_clock.settings SET min_participants = 3;
SELECT problem, participants, min_participants FROM session_clock.stranded_sessions
WHERE session_id = 'c0ffee00-0000-4000-8000-000000000002';
UPDATE session_clock.settings SET grace_ms = DEFAULT, min_participants = DEFAULT, server_label = DEFAULT;
SELECT changed FROM session_clock_stop('c0ffee00-0000-4000-8000-000000000002');
