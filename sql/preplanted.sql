-- Someone who could create objects before CREATE EXTENSION must not capture
-- it: every planted name makes the install fail, and a failed install leaves
-- nothing behind.
CREATE ROLE planter NOLOGIN;
GRANT CREATE ON SCHEMA public TO planter;

-- A planted schema of ours.
CREATE SCHEMA session_clock AUTHORIZATION planter;
CREATE EXTENSION session_clock;
DROP SCHEMA session_clock;

-- A planted RPC where the extension's RPCs go.
SET ROLE planter;
CREATE FUNCTION public.session_clock_pause(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS text LANGUAGE sql AS $$ SELECT 'captured' $$;
RESET ROLE;
CREATE EXTENSION session_clock;
DROP FUNCTION public.session_clock_pause(uuid, text);

-- Seed 003's own RPCs (other result shapes): the error names each one.
CREATE FUNCTION public.session_clock_get(p_session_id uuid) RETURNS jsonb
    LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
CREATE FUNCTION public.session_clock_pause(p_session_id uuid, p_reason text) RETURNS jsonb
    LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
CREATE FUNCTION public.session_clock_resume(p_session_id uuid, p_reason text) RETURNS jsonb
    LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
CREATE EXTENSION session_clock;
DROP FUNCTION public.session_clock_get(uuid), public.session_clock_pause(uuid, text),
    public.session_clock_resume(uuid, text);

-- Nothing of the failed attempts remains.
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'session_clock';
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'session_clock';
SELECT count(*) AS functions FROM pg_proc WHERE proname LIKE 'session_clock%';

REVOKE CREATE ON SCHEMA public FROM planter;
DROP ROLE planter;
