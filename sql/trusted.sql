-- trusted: the extension is trusted (session_clock.control), so the owner
-- of a database, not a superuser, may CREATE EXTENSION session_clock in it
-- (self-hosted Supabase's postgres role). What that owner created before
-- is never adopted: a planted session_clock_get makes the install fail,
-- naming it, and leaves nothing behind.
SELECT current_database() AS regress_db, current_user AS regress_superuser \gset
CREATE ROLE regress_trusted_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE regress_trusted OWNER regress_trusted_owner;
\c regress_trusted regress_trusted_owner
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;

-- why: the owner's own function where the RPCs go.
CREATE FUNCTION public.session_clock_get(p_session_id uuid) RETURNS text
    LANGUAGE sql AS $$ SELECT 'hijacked' $$;
CREATE EXTENSION session_clock;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'session_clock';
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'session_clock';
SELECT p.oid::regprocedure, p.prorettype::regtype FROM pg_proc p WHERE p.proname LIKE 'session\_clock%';
DROP FUNCTION public.session_clock_get(uuid);

-- why: nor a planted schema of ours (the extension would create its
-- tables in a schema the owner controls).
CREATE SCHEMA session_clock;
CREATE EXTENSION session_clock;
DROP SCHEMA session_clock;

-- why: then it installs, by the non-superuser, who owns what it made.
CREATE EXTENSION session_clock;
SELECT x.extversion, x.extowner::regrole = current_user::regrole AS owned_by_installer
FROM pg_extension x WHERE x.extname = 'session_clock';
-- why: its objects belong to the bootstrap superuser, as PostgreSQL makes
-- a trusted extension's (the installer cannot redefine them); the
-- installer uses the RPCs as the extension's owner.
SELECT DISTINCT c.relowner::regrole = current_user::regrole AS tables_owned_by_installer
FROM pg_class c WHERE c.relnamespace = 'session_clock'::regnamespace;
SELECT is_paused, version FROM session_clock_start('7e57ed00-0000-4000-8000-000000000001');
SELECT (session_clock.server_time_status() ->> 'server') AS server;
UPDATE session_clock.settings SET grace_ms = 45000 RETURNING grace_ms;
SELECT count(*) > 0 AS reads_the_sessions FROM session_clock.sessions;
DROP EXTENSION session_clock;

\c :regress_db :regress_superuser
DROP DATABASE regress_trusted;
DROP ROLE regress_trusted_owner;
