-- The portable edition, installed the way a hosted database allows: by the
-- database's owner, who is not a superuser, with no C library. Stands in
-- for install.sql (CREATE EXTENSION) in tests/portable/run.sh's run of the
-- shared regression files.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator LOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_portable_owner') THEN
        CREATE ROLE regress_portable_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;
SET client_min_messages = warning;
GRANT anon, authenticated, service_role TO authenticator;
RESET client_min_messages;
-- The owner of the database, as Supabase's postgres role is; its new
-- functions in public are granted to the API roles by default, as there.
SELECT format('ALTER DATABASE %I OWNER TO regress_portable_owner', current_database()) \gexec
ALTER SCHEMA public OWNER TO regress_portable_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_portable_owner IN SCHEMA public
    GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;

SET ROLE regress_portable_owner;
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
\set ECHO none
\i portable/session_clock.sql
\set ECHO all
RESET ROLE;

SELECT session_clock.portable_version();
-- Nothing in C: a non-superuser could not have created it anyway.
SELECT count(*) AS c_functions FROM pg_proc
WHERE (pronamespace IN ('session_clock'::regnamespace, 'session_clock_portable'::regnamespace)
       OR proname LIKE 'session\_clock\_%')
  AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'c');
-- Everything belongs to the owner.
SELECT DISTINCT proowner::regrole FROM pg_proc
WHERE pronamespace IN ('session_clock'::regnamespace, 'session_clock_portable'::regnamespace)
   OR proname LIKE 'session\_clock\_%';
SELECT DISTINCT relowner::regrole FROM pg_class WHERE relnamespace = 'session_clock'::regnamespace;
-- The API surface beside install.out's: the same RPCs in public, and in
-- session_clock the same tables, types, views and functions, plus
-- portable_version(), the settings table and portable_settings().
SELECT p.oid::regprocedure AS function FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'session\_clock\_%'
ORDER BY p.oid::regprocedure::text;
SELECT p.oid::regprocedure AS function FROM pg_proc p
WHERE p.pronamespace = 'session_clock'::regnamespace
ORDER BY p.oid::regprocedure::text;
SELECT c.relname, c.relkind FROM pg_class c
WHERE c.relnamespace = 'session_clock'::regnamespace AND c.relkind IN ('r', 'v', 'S', 'c')
ORDER BY 1;
-- The extension's C++ core, ported: helpers in a schema of their own that
-- nobody but the owner may call, but caller(), which require_admin() (not
-- SECURITY DEFINER, as in the extension) asks as service_role.
SELECT p.oid::regprocedure AS helper,
       has_schema_privilege('anon', p.pronamespace, 'USAGE') AND has_function_privilege('anon', p.oid, 'EXECUTE') AS anon,
       has_schema_privilege('authenticated', p.pronamespace, 'USAGE')
           AND has_function_privilege('authenticated', p.oid, 'EXECUTE') AS authenticated,
       has_schema_privilege('service_role', p.pronamespace, 'USAGE')
           AND has_function_privilege('service_role', p.oid, 'EXECUTE') AS service_role,
       EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0) AS public,
       p.prosecdef AS definer, p.proconfig AS config
FROM pg_proc p
WHERE p.pronamespace = 'session_clock_portable'::regnamespace
ORDER BY p.oid::regprocedure::text;
-- why: require_admin() as the extension answers it, for service_role and
-- for authenticated (who may not call it at all).
SET ROLE service_role;
SELECT 'admin' AS service_role FROM (SELECT session_clock.require_admin()) AS checked;
SET ROLE authenticated;
SELECT session_clock.require_admin();
RESET ROLE;
