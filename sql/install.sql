-- The database as Supabase sets it up, then the extension.
--
-- Roles are cluster-wide: create them only if an earlier run has not.
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
END
$$;
SET client_min_messages = warning;  -- a re-run would say "already a member"
GRANT anon, authenticated, service_role TO authenticator;
RESET client_min_messages;
-- Supabase grants every new function in public to its API roles by default.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;

CREATE EXTENSION session_clock;

-- The whole API surface, pinned: a change to it shows up here.
SELECT pg_describe_object(classid, objid, 0) AS object
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'session_clock')
  AND deptype = 'e'
ORDER BY 1;

-- Installed into public, so the RPCs are callable unqualified.
SELECT extnamespace::regnamespace AS schema, extversion, extrelocatable FROM pg_extension WHERE extname = 'session_clock';
