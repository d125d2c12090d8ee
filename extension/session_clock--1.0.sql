-- session_clock 1.0
--
-- Data and helpers live in schema session_clock; the RPCs an app calls live
-- in the schema CREATE EXTENSION installs into (public by default), so they
-- are callable unqualified and PostgREST exposes them as /rpc/session_clock_*.
-- Every object is created without OR REPLACE / IF NOT EXISTS and every name is
-- qualified: a pre-planted object makes CREATE EXTENSION fail, never hijacks it.

\echo Use "CREATE EXTENSION session_clock" to load this file. \quit

-- An app that wrote its own session_clock_* RPCs (seed 003's get, pause
-- and resume) would fail below at the first name it holds; say which, all
-- of them, and where to go (docs/portable.md). (No @extschema@ in quotes:
-- the target schema is the first of the script's search_path.)
DO $precheck$
DECLARE
    found text;
BEGIN
    SELECT pg_catalog.string_agg(p.oid::pg_catalog.regprocedure::pg_catalog.text OPERATOR(pg_catalog.||) ' returning '
                                 OPERATOR(pg_catalog.||) pg_catalog.format_type(p.prorettype, NULL), ', '
                                 ORDER BY p.oid::pg_catalog.regprocedure::pg_catalog.text)
      INTO found
    FROM pg_catalog.pg_proc p
    WHERE p.pronamespace OPERATOR(pg_catalog.=) (SELECT n.oid FROM pg_catalog.pg_namespace n
                                                 WHERE n.nspname OPERATOR(pg_catalog.=) pg_catalog.current_schema())
      AND p.proname OPERATOR(pg_catalog.~~) 'session\_clock\_%';
    IF found IS NOT NULL THEN
        RAISE EXCEPTION 'functions named like session_clock''s already exist: %', found
            USING ERRCODE = 'duplicate_function',
                  HINT = 'An app that defined its own session_clock_* RPCs (seed 003) migrates its timers first: see docs/portable.md.';
    END IF;
END
$precheck$;

CREATE SCHEMA session_clock;
COMMENT ON SCHEMA session_clock IS 'session_clock extension: clock rows, event log, members, helpers';
REVOKE ALL ON SCHEMA session_clock FROM PUBLIC;
GRANT USAGE ON SCHEMA session_clock TO PUBLIC;  -- functions only; tables grant nothing

-- One row per session clock. Position while running:
--   clock_timestamp() - started_at - total_paused_ms; frozen at
--   last_state_change_at while paused; at ended_at once stopped.
CREATE TABLE session_clock.sessions (
    id                   uuid        PRIMARY KEY,
    started_at           timestamptz NOT NULL,
    is_paused            boolean     NOT NULL DEFAULT false,
    total_paused_ms      bigint      NOT NULL DEFAULT 0 CHECK (total_paused_ms >= 0),
    last_state_change_at timestamptz NOT NULL,
    ended_at             timestamptz,
    version              bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CHECK (last_state_change_at >= started_at),
    CHECK (ended_at IS NULL OR ended_at >= started_at),
    CHECK (pg_catalog.isfinite(started_at) AND pg_catalog.isfinite(last_state_change_at)
           AND (ended_at IS NULL OR pg_catalog.isfinite(ended_at)))
);
COMMENT ON COLUMN session_clock.sessions.version IS 'incremented by every state change; equals the number of events';

-- Who may act on a session as an end user (the JWT sub claim).
CREATE TABLE session_clock.session_members (
    session_id     uuid        NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    participant_id text        NOT NULL CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    role           text        NOT NULL DEFAULT 'participant' CHECK (role IN ('host', 'participant')),
    added_at       timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX session_members_participant_idx ON session_clock.session_members (participant_id);

-- The audit trail: replaying a session's events in version order reproduces
-- its is_paused and total_paused_ms exactly (see session_clock.replay).
CREATE TABLE session_clock.session_events (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id         uuid        NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    event              text        NOT NULL CHECK (event IN ('start', 'pause', 'resume', 'stop')),
    reason             text,
    at                 timestamptz NOT NULL,
    actor              text        NOT NULL,
    actor_role         text        NOT NULL,
    elapsed_ms         double precision NOT NULL,
    paused_ms          bigint      NOT NULL DEFAULT 0 CHECK (paused_ms >= 0),
    clock_stepped_back boolean     NOT NULL DEFAULT false,
    version            bigint      NOT NULL,
    UNIQUE (session_id, version)
);
COMMENT ON COLUMN session_clock.session_events.at IS 'effective time: never before the previous event, even if the server clock stepped back';
COMMENT ON COLUMN session_clock.session_events.actor IS 'the JWT sub claim when called for an end user, else the database role';
COMMENT ON COLUMN session_clock.session_events.paused_ms IS 'whole milliseconds of pause this event closed (resume, or stop while paused)';
COMMENT ON COLUMN session_clock.session_events.clock_stepped_back IS 'the server clock read earlier than the previous event; the step counted as zero';

-- pg_dump keeps the data of extension tables only when told to.
SELECT pg_catalog.pg_extension_config_dump('session_clock.sessions', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.session_members', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.session_events', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.session_events_id_seq', '');

-- What the clock RPCs return.
CREATE TYPE session_clock.clock_reading AS (
    session_id           uuid,
    started_at           timestamptz,
    is_paused            boolean,
    total_paused_ms      bigint,
    last_state_change_at timestamptz,
    ended_at             timestamptz,
    version              bigint,
    server_now           timestamptz,       -- clock_timestamp() at the answer
    elapsed_ms           double precision   -- the clock's position at server_now
);
CREATE TYPE session_clock.clock_change AS (
    session_id           uuid,
    started_at           timestamptz,
    is_paused            boolean,
    total_paused_ms      bigint,
    last_state_change_at timestamptz,
    ended_at             timestamptz,
    version              bigint,
    server_now           timestamptz,
    elapsed_ms           double precision,
    changed              boolean            -- false: the call was a no-op (already so)
);

------------------------------------------------------------------------------
-- Server time: anyone may ask, anon included.
------------------------------------------------------------------------------
CREATE FUNCTION session_clock.server_now() RETURNS timestamptz
    LANGUAGE c VOLATILE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'session_clock_server_now';
COMMENT ON FUNCTION session_clock.server_now() IS 'the server''s time now (clock_timestamp(), not the transaction start)';

CREATE FUNCTION session_clock.server_now_ms() RETURNS double precision
    LANGUAGE c VOLATILE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'session_clock_server_now_ms';
COMMENT ON FUNCTION session_clock.server_now_ms() IS 'Unix epoch milliseconds now, with microsecond precision';

CREATE FUNCTION session_clock.server_time_status() RETURNS jsonb
    LANGUAGE c VOLATILE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'session_clock_server_time_status';
COMMENT ON FUNCTION session_clock.server_time_status() IS 'the host clock discipline as the kernel reports it (ntp_adjtime): is_synced, offset_ms, maxerror_ms, esterror_ms, ...';

-- The same for PostgREST, which exposes only the API schema: one reading.
CREATE FUNCTION @extschema@.session_clock_server_time(
        OUT server_now timestamptz, OUT server_now_ms double precision, OUT status jsonb)
    LANGUAGE sql VOLATILE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT t, (EXTRACT(epoch FROM t) * 1000)::double precision, session_clock.server_time_status()
        FROM session_clock.server_now() AS t
    $$;

------------------------------------------------------------------------------
-- Pure arithmetic over rows: billing queries need no RPC per row.
------------------------------------------------------------------------------
CREATE FUNCTION session_clock.elapsed_ms(session session_clock.sessions, at timestamptz)
    RETURNS double precision
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'session_clock_elapsed_ms';
COMMENT ON FUNCTION session_clock.elapsed_ms(session_clock.sessions, timestamptz) IS
    'clock position in ms at "at" (a time before last_state_change_at reads as last_state_change_at)';

------------------------------------------------------------------------------
-- Clock RPCs. SECURITY DEFINER with a pinned search_path; each checks the
-- caller itself (docs/security.md). EXECUTE is revoked from PUBLIC below.
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.session_clock_start(p_session_id uuid)
    RETURNS session_clock.clock_change
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_start';
COMMENT ON FUNCTION @extschema@.session_clock_start(uuid) IS 'creates the clock if needed and starts it; idempotent';

CREATE FUNCTION @extschema@.session_clock_get(p_session_id uuid)
    RETURNS session_clock.clock_reading
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_get';

CREATE FUNCTION @extschema@.session_clock_pause(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_pause';

CREATE FUNCTION @extschema@.session_clock_resume(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_resume';

CREATE FUNCTION @extschema@.session_clock_stop(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_stop';
COMMENT ON FUNCTION @extschema@.session_clock_stop(uuid, text) IS 'stops the clock for good (host or admin); idempotent';

------------------------------------------------------------------------------
-- Membership: who may act on a session as an end user.
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.session_clock_add_member(
        p_session_id uuid, p_participant_id text, p_role text DEFAULT 'participant')
    RETURNS session_clock.session_members
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_add_member';
COMMENT ON FUNCTION @extschema@.session_clock_add_member(uuid, text, text) IS
    'adds a member or changes its role (host or admin only)';

CREATE FUNCTION @extschema@.session_clock_remove_member(p_session_id uuid, p_participant_id text)
    RETURNS boolean
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_remove_member';
COMMENT ON FUNCTION @extschema@.session_clock_remove_member(uuid, text) IS
    'removes a member (host or admin only); false if it was not a member';

-- What the caller may do to a session: 'admin', 'host', 'participant', or
-- NULL (not a member, or no such session). The worker asks this with a
-- client's claims instead of re-implementing the rule.
CREATE FUNCTION session_clock.caller_access(p_session_id uuid) RETURNS text
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_caller_access';

CREATE FUNCTION @extschema@.session_clock_members(p_session_id uuid)
    RETURNS TABLE (participant_id text, role text, added_at timestamptz)
    LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        IF p_session_id IS NULL THEN
            RAISE EXCEPTION 'p_session_id must not be null' USING ERRCODE = '22004';
        END IF;
        IF session_clock.caller_access(p_session_id) IS NULL THEN
            IF NOT EXISTS (SELECT FROM session_clock.sessions s WHERE s.id = p_session_id) THEN
                RAISE EXCEPTION 'session % does not exist', p_session_id USING ERRCODE = 'P0002';
            END IF;
            RAISE EXCEPTION 'not a member of this session' USING ERRCODE = '42501';
        END IF;
        RETURN QUERY
            SELECT m.participant_id, m.role, m.added_at
            FROM session_clock.session_members m
            WHERE m.session_id = p_session_id
            ORDER BY m.added_at, m.participant_id;
    END
    $$;

-- The event log folded back into a state, for audits: it must equal the row.
CREATE FUNCTION session_clock.replay(p_session_id uuid,
        OUT is_paused boolean, OUT total_paused_ms bigint, OUT last_state_change_at timestamptz,
        OUT ended_at timestamptz, OUT version bigint)
    LANGUAGE c STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_replay';

------------------------------------------------------------------------------
-- Privileges. PUBLIC may call only the server-time and pure functions. The
-- Supabase roles get what docs/security.md says, where they exist; Supabase's
-- default privileges may already have granted anon EXECUTE: take it back.
------------------------------------------------------------------------------
DO $grants$
DECLARE
    ext_schema text := (SELECT n.nspname FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
                        WHERE x.extname = 'session_clock');
    fn regprocedure;
    acting_functions regprocedure[] := ARRAY[
        pg_catalog.format('%I.session_clock_start(uuid)', ext_schema),
        pg_catalog.format('%I.session_clock_get(uuid)', ext_schema),
        pg_catalog.format('%I.session_clock_pause(uuid, text)', ext_schema),
        pg_catalog.format('%I.session_clock_resume(uuid, text)', ext_schema),
        pg_catalog.format('%I.session_clock_stop(uuid, text)', ext_schema),
        pg_catalog.format('%I.session_clock_add_member(uuid, text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_remove_member(uuid, text)', ext_schema),
        pg_catalog.format('%I.session_clock_members(uuid)', ext_schema),
        'session_clock.caller_access(uuid)',
        'session_clock.replay(uuid)'
    ]::regprocedure[];
    has_anon boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'anon');
    has_authenticated boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticated');
    has_service_role boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'service_role');
BEGIN
    FOREACH fn IN ARRAY acting_functions LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
        IF has_anon THEN
            EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM anon', fn);
        END IF;
        IF has_authenticated THEN
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO authenticated', fn);
        END IF;
        IF has_service_role THEN
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO service_role', fn);
        END IF;
    END LOOP;
    IF has_service_role THEN
        GRANT SELECT ON session_clock.sessions, session_clock.session_members, session_clock.session_events
            TO service_role;
    END IF;
END
$grants$;
