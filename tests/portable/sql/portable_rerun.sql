-- The portable edition's own promises (run after the shared files, so the
-- tables hold their rows): running the script again changes nothing and
-- keeps every row; only its owner may run it; it refuses functions it did
-- not create (seed 003's) and leaves nothing behind when it refuses; the
-- extension's setting names change nothing here.

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
-- The defaults: session_clock.settings (sql/settings.sql tests the row in
-- both editions)
------------------------------------------------------------------------------
-- why: a SET of the extension's setting names changes nothing here (anyone
-- could SET a placeholder); portable_settings() reads the row alone.
SET session_clock.grace_ms = 1;
SELECT (session_clock.portable_settings()).grace_ms AS default_grace_ms;
RESET session_clock.grace_ms;
