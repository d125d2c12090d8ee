-- session_clock, the portable edition, version 1.3.
--
-- Everything CREATE EXTENSION session_clock gives at 1.3 (same schemas,
-- names, arguments, defaults, result columns, SQLSTATEs, messages, NOTIFY
-- payloads, grants and security rules), written in SQL and PL/pgSQL only,
-- for databases that load no custom C library (hosted Supabase, RDS, Cloud
-- SQL, Azure, Neon). Run it as the database's owner, who need not be a
-- superuser: psql -f, the Supabase SQL editor, or a supabase/migrations/
-- file. docs/portable.md says what differs from the C extension and why.
--
-- - One transaction: a failed run leaves nothing behind.
-- - Idempotent: every statement creates what is missing and leaves what is
--   there (CREATE ... IF NOT EXISTS, CREATE OR REPLACE with the same text,
--   grants that change only what differs), so running 1.3 again changes
--   nothing, and a later version's script upgrades in place keeping rows.
-- - It refuses, before creating anything, a database that has the C
--   extension, a session_clock schema someone else owns, or functions named
--   like ours that it did not create (seed 003's own session_clock_get,
--   _pause, _resume: see docs/portable.md for moving their timers over).
-- - Every name is qualified; every function but the few the extension
--   writes in C without one (server_now, server_now_ms,
--   server_time_status, elapsed_ms, check_participant_id, require_admin:
--   none SECURITY DEFINER) pins its search_path.

BEGIN;
SET LOCAL search_path = pg_catalog, pg_temp;
SET LOCAL client_min_messages = warning;  -- "already exists, skipping" on every re-run
-- Two runs at once queue here instead of racing each other's checks.
DO $lock$ BEGIN PERFORM pg_catalog.pg_advisory_xact_lock(1396919371, 15); END $lock$;

DO $precheck$
DECLARE
    schema_owner oid := (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = 'session_clock');
    installed boolean := pg_catalog.to_regprocedure('session_clock.portable_version()') IS NOT NULL;
    foreign_functions text;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension x WHERE x.extname = 'session_clock') THEN
        RAISE EXCEPTION 'the session_clock extension is installed in this database'
            USING ERRCODE = 'duplicate_object',
                  HINT = 'The portable edition replaces the extension where it cannot be installed; keep the extension.';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_namespace n
               WHERE n.nspname = 'session_clock_portable'
                 AND n.nspowner <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)) THEN
        RAISE EXCEPTION 'schema session_clock_portable belongs to another role than %', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Run this script as the role that installed session_clock (or drop that schema).';
    END IF;
    IF schema_owner IS NOT NULL AND schema_owner <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RAISE EXCEPTION 'schema session_clock belongs to %, not to %', schema_owner::regrole, current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Run this script as the role that installed session_clock (or drop that schema).';
    END IF;
    IF schema_owner IS NOT NULL AND NOT installed THEN
        RAISE EXCEPTION 'schema session_clock exists but holds no portable edition'
            USING ERRCODE = 'duplicate_schema',
                  HINT = 'Drop or rename that schema first; this script does not adopt objects it did not create.';
    END IF;
    -- Functions in public named like our RPCs: on a first install none may
    -- exist; later, only ours (the installer's).
    SELECT pg_catalog.string_agg(p.oid::pg_catalog.regprocedure::text || ' returning '
                                 || pg_catalog.format_type(p.prorettype, NULL), ', ' ORDER BY p.oid::pg_catalog.regprocedure::text)
      INTO foreign_functions
    FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'session\_clock\_%'
      AND (NOT installed OR p.proowner <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user));
    IF foreign_functions IS NOT NULL THEN
        RAISE EXCEPTION 'functions named like session_clock''s already exist: %', foreign_functions
            USING ERRCODE = 'duplicate_function',
                  HINT = 'An app that defined its own session_clock_* RPCs (seed 003) migrates its timers first: see docs/portable.md.';
    END IF;
END
$precheck$;

CREATE SCHEMA IF NOT EXISTS session_clock;
COMMENT ON SCHEMA session_clock IS 'session_clock extension: clock rows, event log, members, helpers';
REVOKE ALL ON SCHEMA session_clock FROM PUBLIC;
GRANT USAGE ON SCHEMA session_clock TO PUBLIC;  -- functions only; tables grant nothing
-- The extension's C++ core, ported: helpers only the owner's functions
-- call, in a schema nobody else may even look into, so that schema
-- session_clock holds exactly what the extension's does.
CREATE SCHEMA IF NOT EXISTS session_clock_portable;
COMMENT ON SCHEMA session_clock_portable IS 'session_clock portable edition: the helpers its functions call (owner only)';
REVOKE ALL ON SCHEMA session_clock_portable FROM PUBLIC;

-- The edition and version the worker checks (worker/app/schema_check.hpp).
CREATE OR REPLACE FUNCTION session_clock.portable_version() RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN '1.3'; END $$;
COMMENT ON FUNCTION session_clock.portable_version() IS 'the portable edition''s version (the extension''s extversion it matches)';

------------------------------------------------------------------------------
-- Tables, as the extension's 1.0 to 1.3 scripts leave them (same columns in
-- the same order, same constraint and index names).
------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS session_clock.sessions (
    id                   uuid        PRIMARY KEY,
    started_at           timestamptz NOT NULL,
    is_paused            boolean     NOT NULL DEFAULT false,
    total_paused_ms      bigint      NOT NULL DEFAULT 0 CHECK (total_paused_ms >= 0),
    last_state_change_at timestamptz NOT NULL,
    ended_at             timestamptz,
    version              bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    min_participants     integer CHECK (min_participants BETWEEN 0 AND 10000),
    grace_ms             integer CHECK (grace_ms BETWEEN 0 AND 86400000),
    presence_tracked     boolean NOT NULL DEFAULT false,
    participants         integer NOT NULL DEFAULT 0 CHECK (participants >= 0),
    grace_deadline_at    timestamptz CHECK (pg_catalog.isfinite(grace_deadline_at)),
    auto_paused          boolean NOT NULL DEFAULT false,
    single_device        boolean NOT NULL DEFAULT false,
    CHECK (last_state_change_at >= started_at),
    CHECK (ended_at IS NULL OR ended_at >= started_at),
    CHECK (pg_catalog.isfinite(started_at) AND pg_catalog.isfinite(last_state_change_at)
           AND (ended_at IS NULL OR pg_catalog.isfinite(ended_at))),
    CHECK (grace_deadline_at IS NULL OR (NOT is_paused AND ended_at IS NULL)),
    CHECK (NOT auto_paused OR is_paused)
);
COMMENT ON COLUMN session_clock.sessions.version IS 'incremented by every state change; equals the number of events';
COMMENT ON COLUMN session_clock.sessions.min_participants IS 'NULL: the session_clock.min_participants setting (default 2); 0 switches auto-pause off';
COMMENT ON COLUMN session_clock.sessions.grace_ms IS 'NULL: the session_clock.grace_ms setting (default 30000)';
COMMENT ON COLUMN session_clock.sessions.presence_tracked IS 'presence was reported or grace configured: only then does the grace rule apply';
COMMENT ON COLUMN session_clock.sessions.participants IS 'distinct participants present (any source), kept under the row lock';
COMMENT ON COLUMN session_clock.sessions.grace_deadline_at IS 'when the clock pauses unless enough participants are back; the pause is dated at this time';
COMMENT ON COLUMN session_clock.sessions.auto_paused IS 'paused by the grace rule, so it resumes when enough participants are back';
COMMENT ON COLUMN session_clock.sessions.single_device IS
    '1.3: a user joining from another connection supersedes the one before (session_clock_configure p_single_device)';
CREATE INDEX IF NOT EXISTS sessions_grace_deadline_idx ON session_clock.sessions (grace_deadline_at)
    WHERE grace_deadline_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS sessions_tracked_open_idx ON session_clock.sessions (id)
    WHERE presence_tracked AND ended_at IS NULL;

CREATE TABLE IF NOT EXISTS session_clock.session_members (
    session_id     uuid        NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    participant_id text        NOT NULL CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    role           text        NOT NULL DEFAULT 'participant' CHECK (role IN ('host', 'participant')),
    added_at       timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX IF NOT EXISTS session_members_participant_idx ON session_clock.session_members (participant_id);

CREATE TABLE IF NOT EXISTS session_clock.session_events (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id         uuid        NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    event              text        NOT NULL CONSTRAINT session_events_event_check CHECK (event IN
        ('start', 'pause', 'resume', 'stop', 'join', 'leave', 'grace_start', 'grace_cancel', 'configure', 'hold')),
    reason             text,
    at                 timestamptz NOT NULL,
    actor              text        NOT NULL,
    actor_role         text        NOT NULL,
    elapsed_ms         double precision NOT NULL,
    paused_ms          bigint      NOT NULL DEFAULT 0 CHECK (paused_ms >= 0),
    clock_stepped_back boolean     NOT NULL DEFAULT false,
    version            bigint      NOT NULL,
    participant_id     text,
    deadline_at        timestamptz,
    UNIQUE (session_id, version)
);
COMMENT ON COLUMN session_clock.session_events.at IS 'effective time: never before the previous event, even if the server clock stepped back';
COMMENT ON COLUMN session_clock.session_events.actor IS 'the JWT sub claim when called for an end user, else the database role';
COMMENT ON COLUMN session_clock.session_events.paused_ms IS 'whole milliseconds of pause this event closed (resume, or stop while paused)';
COMMENT ON COLUMN session_clock.session_events.clock_stepped_back IS 'the server clock read earlier than the previous event; the step counted as zero';
COMMENT ON COLUMN session_clock.session_events.participant_id IS 'join/leave: who';
COMMENT ON COLUMN session_clock.session_events.deadline_at IS 'grace_start: the deadline set';
COMMENT ON COLUMN session_clock.session_events.event IS
    'start/pause/resume/stop move the clock; join/leave (presence), grace_start/grace_cancel, configure and hold (a person took over an automatic pause) only count versions';

CREATE TABLE IF NOT EXISTS session_clock.workers (
    id               uuid        PRIMARY KEY,
    lease_expires_at timestamptz NOT NULL,
    registered_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    description      text        CHECK (pg_catalog.length(description) <= 200)
);

CREATE TABLE IF NOT EXISTS session_clock.presence (
    session_id     uuid        NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    participant_id text        NOT NULL CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    source         text        NOT NULL CHECK (source IN ('sql', 'websocket', 'livekit')),
    worker_id      uuid        REFERENCES session_clock.workers (id) ON DELETE CASCADE,
    since          timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CHECK ((source = 'websocket') = (worker_id IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (session_id, participant_id, source, worker_id)
);
CREATE INDEX IF NOT EXISTS presence_worker_idx ON session_clock.presence (worker_id) WHERE worker_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS session_clock.livekit_webhook_events (
    event_id    text        PRIMARY KEY CHECK (pg_catalog.length(event_id) BETWEEN 1 AND 200),
    received_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
CREATE TABLE IF NOT EXISTS session_clock.livekit_connections (
    session_id      uuid    NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    room_sid        text    NOT NULL,
    participant_sid text    NOT NULL,   -- '' is the room itself (room_finished)
    identity        text    NOT NULL,
    joined          boolean NOT NULL DEFAULT false,
    gone            boolean NOT NULL DEFAULT false,
    room_name       text,
    seen_at         timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (session_id, room_sid, participant_sid)
);
COMMENT ON COLUMN session_clock.livekit_connections.seen_at IS
    'when the first event of this connection was recorded (a reconciliation that listed the room earlier leaves it alone)';
CREATE INDEX IF NOT EXISTS livekit_connections_live_idx ON session_clock.livekit_connections (session_id, room_name)
    WHERE joined AND NOT gone;

CREATE TABLE IF NOT EXISTS session_clock.rooms (
    code              text        PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{4,12}$'),
    host              text        NOT NULL CHECK (pg_catalog.length(host) BETWEEN 1 AND 200),
    status            text        NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'playing', 'paused')),
    track_url         text,
    title             text,
    filename          text,
    start_at          timestamptz,
    start_position_ms double precision CHECK (start_position_ms BETWEEN 0 AND 86400000),
    lead_ms           integer     NOT NULL DEFAULT 1200 CHECK (lead_ms BETWEEN 250 AND 3000),
    version           bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CHECK ((status = 'idle') = (start_at IS NULL)),
    CHECK ((status = 'idle') = (start_position_ms IS NULL)),
    CHECK (start_at IS NULL OR pg_catalog.isfinite(start_at))
);
COMMENT ON COLUMN session_clock.rooms.start_at IS 'when the current play/pause/seek takes effect (now + lead at the command)';
COMMENT ON COLUMN session_clock.rooms.start_position_ms IS 'the playback position at start_at; playing, it advances at rate 1 from there';
COMMENT ON COLUMN session_clock.rooms.version IS 'incremented by every change; equals the number of events';

CREATE TABLE IF NOT EXISTS session_clock.room_members (
    code           text        NOT NULL REFERENCES session_clock.rooms (code) ON DELETE CASCADE,
    participant_id text        NOT NULL CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    joined_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    ready_version  bigint,     -- the room version this member said READY for
    PRIMARY KEY (code, participant_id)
);
CREATE INDEX IF NOT EXISTS room_members_order_idx ON session_clock.room_members (code, joined_at, participant_id);

-- Seed 004's guests (members without an account, named guest:… by the
-- worker). Added as a later step, as the extension's 1.3 script does: the
-- same column order, and a database with the portable edition from before
-- them gains them in place.
ALTER TABLE session_clock.rooms ADD COLUMN IF NOT EXISTS guests boolean NOT NULL DEFAULT false;
DO $guests$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint c
                   WHERE c.conrelid = 'session_clock.rooms'::pg_catalog.regclass AND c.conname = 'rooms_guest_code_length') THEN
        -- A guest room's code is a key anyone holding it can use.
        ALTER TABLE session_clock.rooms ADD CONSTRAINT rooms_guest_code_length
            CHECK (NOT guests OR pg_catalog.length(code) >= 10);
    END IF;
END
$guests$;
COMMENT ON COLUMN session_clock.rooms.guests IS
    '1.3: tokenless guests may join through the worker (session_clock_room_create p_guests)';
ALTER TABLE session_clock.room_members ADD COLUMN IF NOT EXISTS name text
    CHECK (name IS NULL OR pg_catalog.length(name) BETWEEN 1 AND 64);
COMMENT ON COLUMN session_clock.room_members.name IS
    '1.3: the name a guest gave, shown to the room';

CREATE TABLE IF NOT EXISTS session_clock.room_events (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code              text        NOT NULL REFERENCES session_clock.rooms (code) ON DELETE CASCADE,
    version           bigint      NOT NULL,
    event             text        NOT NULL CHECK (event IN ('create', 'play', 'pause', 'seek', 'stop', 'host')),
    actor             text        NOT NULL,
    at                timestamptz NOT NULL,
    start_at          timestamptz,
    start_position_ms double precision,
    track_url         text,
    request_id        text,
    UNIQUE (code, version),
    UNIQUE (code, request_id)
);

CREATE TABLE IF NOT EXISTS session_clock.early_presence (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id      uuid        NOT NULL,   -- no foreign key: the session does not exist yet
    source          text        NOT NULL CHECK (source IN ('sql', 'livekit')),
    event           text        NOT NULL CHECK (event IN ('present', 'participant_joined', 'participant_left',
                                                          'participant_connection_aborted', 'room_finished')),
    participant_id  text        CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    room_sid        text,
    participant_sid text,
    room_name       text,
    received_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CHECK ((source = 'sql') = (event = 'present')),
    CHECK ((participant_id IS NULL) = (event = 'room_finished')),
    CHECK ((participant_sid IS NULL) = (event IN ('present', 'room_finished')))
);
CREATE INDEX IF NOT EXISTS early_presence_session_idx ON session_clock.early_presence (session_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS early_presence_sql_idx ON session_clock.early_presence (session_id, participant_id)
    WHERE source = 'sql';
CREATE INDEX IF NOT EXISTS early_presence_received_idx ON session_clock.early_presence (received_at);
COMMENT ON TABLE session_clock.early_presence IS
    'presence reported before its session existed; taken when the session starts (bounded: session_clock.early_presence_limits())';

CREATE TABLE IF NOT EXISTS session_clock.device_claims (
    session_id     uuid        NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    participant_id text        NOT NULL CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    device         text        NOT NULL CHECK (pg_catalog.length(device) BETWEEN 1 AND 200),
    claim          bigint      NOT NULL CHECK (claim > 0),
    claimed_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (session_id, participant_id)
);
COMMENT ON TABLE session_clock.device_claims IS
    'single-device sessions: each user''s latest connection (device, as the worker names it) and how many claims came before';

-- The database-wide defaults, one row that only the owner and service_role
-- may change, as in the extension from 1.3 on. A NULL column is unset: the
-- built-in default (the extension reads its superuser-only setting of the
-- same name first; here that would be a placeholder anyone may SET, so
-- this edition ignores it).
CREATE TABLE IF NOT EXISTS session_clock.settings (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    min_participants integer CHECK (min_participants BETWEEN 0 AND 10000),
    grace_ms         integer CHECK (grace_ms BETWEEN 0 AND 86400000),
    server_label     text    CHECK (server_label ~ '^[ -~]{1,64}$')
);
-- The first 1.3 script made the columns NOT NULL with the built-in values
-- as defaults: unset what still holds them.
DO $settings$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = 'session_clock.settings'::pg_catalog.regclass AND a.attname = 'grace_ms'
                 AND a.attnotnull) THEN
        ALTER TABLE session_clock.settings
            ALTER COLUMN min_participants DROP NOT NULL, ALTER COLUMN min_participants DROP DEFAULT,
            ALTER COLUMN grace_ms DROP NOT NULL, ALTER COLUMN grace_ms DROP DEFAULT,
            ALTER COLUMN server_label DROP NOT NULL, ALTER COLUMN server_label DROP DEFAULT;
        UPDATE session_clock.settings
           SET min_participants = NULLIF(min_participants, 2), grace_ms = NULLIF(grace_ms, 30000),
               server_label = NULLIF(server_label, 'session_clock');
    END IF;
END
$settings$;
COMMENT ON TABLE session_clock.settings IS
    'the database-wide defaults: one row, changed by the owner or service_role; NULL: the setting of the same name (extension), else the built-in default';
INSERT INTO session_clock.settings (singleton) VALUES (true) ON CONFLICT (singleton) DO NOTHING;
-- A restore of the extension's pg_dump writes the row after CREATE
-- EXTENSION wrote its own; the same function here keeps the editions equal.
CREATE OR REPLACE FUNCTION session_clock.settings_keep_one() RETURNS trigger
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        IF NOT NEW.singleton OR NOT EXISTS (SELECT FROM session_clock.settings) THEN
            RETURN NEW;  -- the CHECK refuses a second row; the first goes in
        END IF;
        UPDATE session_clock.settings
           SET min_participants = NEW.min_participants, grace_ms = NEW.grace_ms, server_label = NEW.server_label;
        RETURN NULL;
    END
    $$;
COMMENT ON FUNCTION session_clock.settings_keep_one() IS
    'trigger: an INSERT into session_clock.settings (a restore) updates its one row';
-- The extension's backends keep a copy of the row and this trigger tells
-- them it changed; here every read reads the row, so it has nothing to do.
CREATE OR REPLACE FUNCTION session_clock.settings_changed() RETURNS trigger
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN NULL; END $$;
COMMENT ON FUNCTION session_clock.settings_changed() IS
    'trigger: a change of session_clock.settings reaches the copies the backends keep';
DO $triggers$
DECLARE
    present text[] := ARRAY(SELECT t.tgname::text FROM pg_catalog.pg_trigger t
                            WHERE t.tgrelid = 'session_clock.settings'::pg_catalog.regclass);
BEGIN
    IF NOT 'settings_keep_one' = ANY (present) THEN
        CREATE TRIGGER settings_keep_one BEFORE INSERT ON session_clock.settings
            FOR EACH ROW EXECUTE FUNCTION session_clock.settings_keep_one();
    END IF;
    IF NOT 'settings_changed' = ANY (present) THEN
        CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON session_clock.settings
            FOR EACH STATEMENT EXECUTE FUNCTION session_clock.settings_changed();
    END IF;
END
$triggers$;

DO $types$
BEGIN
    IF pg_catalog.to_regtype('session_clock.clock_reading') IS NULL THEN
        CREATE TYPE session_clock.clock_reading AS (
            session_id uuid, started_at timestamptz, is_paused boolean, total_paused_ms bigint,
            last_state_change_at timestamptz, ended_at timestamptz, version bigint,
            server_now timestamptz, elapsed_ms double precision,
            participants integer, min_participants integer, grace_ms integer,
            grace_deadline_at timestamptz, auto_paused boolean);
    END IF;
    IF pg_catalog.to_regtype('session_clock.clock_change') IS NULL THEN
        CREATE TYPE session_clock.clock_change AS (
            session_id uuid, started_at timestamptz, is_paused boolean, total_paused_ms bigint,
            last_state_change_at timestamptz, ended_at timestamptz, version bigint,
            server_now timestamptz, elapsed_ms double precision, changed boolean,
            participants integer, min_participants integer, grace_ms integer,
            grace_deadline_at timestamptz, auto_paused boolean);
    END IF;
    IF pg_catalog.to_regtype('session_clock.room_state') IS NULL THEN
        CREATE TYPE session_clock.room_state AS (
            code text, host text, status text, track_url text, title text, filename text,
            start_at timestamptz, start_position_ms double precision, lead_ms integer, version bigint,
            server_now timestamptz, position_ms double precision, members jsonb, member_count integer,
            changed boolean);
    END IF;
END
$types$;

------------------------------------------------------------------------------
-- The extension's C++ core (extension/core) in PL/pgSQL: argument rules,
-- the caller, the clock arithmetic, the grace rule. They live in schema
-- session_clock_portable, which only the owner (whose SECURITY DEFINER
-- functions call them) may use, and run with the search_path their callers
-- pinned: a SET clause of their own would cost every call (a dozen per
-- RPC). They are PL/pgSQL, which keeps each statement's plan for the
-- session: a LANGUAGE sql function that PostgreSQL cannot inline (a FROM,
-- a sub-SELECT, SECURITY DEFINER, a SET clause, STRICT over a CASE) is
-- parsed and planned again in every transaction that calls it, which made
-- a pause cost several times the hand-written baseline's (bench/run.sh,
-- docs/benchmarks.md). Only what PostgreSQL inlines stays LANGUAGE sql.
------------------------------------------------------------------------------

-- core/arguments.cpp: why a text breaks the rule for free text (NULL if it
-- does not): blank, too long, or control characters (C0, DEL, C1, line
-- separators, bidi controls), checked in that order.
CREATE OR REPLACE FUNCTION session_clock_portable.text_problem(p_value text, p_max integer) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    BEGIN
        RETURN CASE
            WHEN pg_catalog.octet_length(p_value) > 4 * p_max THEN 'is too long (at most ' || p_max || ' characters)'
            WHEN p_value ~ '^[ \t\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000\uFEFF]*$' THEN 'must not be empty'
            WHEN pg_catalog.char_length(p_value) > p_max THEN 'is too long (at most ' || p_max || ' characters)'
            WHEN p_value ~ '[\u0001-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]'
                THEN 'must not contain control characters'
        END;
    END
    $$;

-- Raises 22023 naming the parameter when the text breaks the rule.
CREATE OR REPLACE FUNCTION session_clock_portable.check_text(p_value text, p_parameter text, p_max integer)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    DECLARE
        problem text := session_clock_portable.text_problem(p_value, p_max);
    BEGIN
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION '% %', p_parameter, problem USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END
    $$;

-- 22004 for a required argument that is NULL.
CREATE OR REPLACE FUNCTION session_clock_portable.require(p_is_null boolean, p_parameter text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    BEGIN
        IF p_is_null THEN
            RAISE EXCEPTION '% must not be null', p_parameter USING ERRCODE = 'null_value_not_allowed';
        END IF;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.check_participant_id(p_participant_id text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    BEGIN
        PERFORM session_clock_portable.check_text(p_participant_id, 'p_participant_id', 200);
    END
    $$;

-- pg/caller.cpp: who is calling. The acting role is the one SET ROLE chose
-- (as PostgREST does) or the login role; SECURITY DEFINER changes neither,
-- so inside our functions it is still the caller. Admins: superusers, the
-- owner (of these functions or of schema session_clock), service_role, and
-- any other role acting without a JWT sub (the DBA granted it EXECUTE on
-- purpose).
-- authenticated (and roles inheriting it) act as the JWT sub; anon never.
--
-- SECURITY DEFINER (it reads only catalogs and the caller's own settings)
-- because require_admin(), like the extension's, runs as its caller, who
-- is service_role: that role may call this one helper, nothing else here.
-- It runs on every RPC, so roles are found through to_regrole (the catalog
-- cache) rather than by querying pg_roles (an executor run each), and
-- pg_has_role, true for any superuser, stands for rolsuper too.
CREATE OR REPLACE FUNCTION session_clock_portable.caller(OUT admin boolean, OUT sub text, OUT role_name text)
    LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        acting oid;
        service oid := pg_catalog.to_regrole('service_role');
        authenticated oid;
        anon oid;
        end_user_role boolean;
        raw text;
        claims jsonb;
    BEGIN
        role_name := pg_catalog.current_setting('role');
        IF role_name = 'none' THEN
            role_name := session_user;
        END IF;
        acting := pg_catalog.to_regrole(pg_catalog.quote_ident(role_name));
        -- current_user is this function's owner (SECURITY DEFINER), as
        -- pg/caller.cpp checks the functions' owner first; the schema's
        -- owner costs a query, so it is asked only when those say no.
        admin := pg_catalog.pg_has_role(acting, current_user, 'USAGE')
                 OR (service IS NOT NULL AND pg_catalog.pg_has_role(acting, service, 'USAGE'));
        IF NOT admin THEN
            admin := pg_catalog.pg_has_role(acting, (SELECT n.nspowner FROM pg_catalog.pg_namespace n
                                                     WHERE n.nspname = 'session_clock'), 'USAGE');
        END IF;
        IF admin THEN
            RETURN;
        END IF;
        admin := false;
        authenticated := pg_catalog.to_regrole('authenticated');
        anon := pg_catalog.to_regrole('anon');
        end_user_role := authenticated IS NOT NULL AND pg_catalog.pg_has_role(acting, authenticated, 'USAGE');
        IF NOT end_user_role AND anon IS NOT NULL AND pg_catalog.pg_has_role(acting, anon, 'USAGE') THEN
            RAISE EXCEPTION 'role anon may not act on session clocks' USING ERRCODE = 'insufficient_privilege',
                DETAIL = 'anon may only call the server-time functions; sign in first';
        END IF;
        -- request.jwt.claims as PostgREST 9+ sets it; older PostgREST set
        -- one setting per claim. Claims that do not parse name nobody.
        raw := pg_catalog.current_setting('request.jwt.claims', true);
        IF raw IS NOT NULL AND raw <> '' THEN
            BEGIN
                claims := raw::jsonb;
            EXCEPTION WHEN OTHERS THEN
                claims := NULL;
            END;
            IF pg_catalog.jsonb_typeof(claims) = 'object' AND pg_catalog.jsonb_typeof(claims -> 'sub') = 'string' THEN
                sub := NULLIF(claims ->> 'sub', '');
            END IF;
        END IF;
        IF sub IS NULL THEN
            sub := NULLIF(pg_catalog.current_setting('request.jwt.claim.sub', true), '');
        END IF;
        IF sub IS NOT NULL AND session_clock_portable.text_problem(sub, 200) IS NOT NULL THEN
            RAISE EXCEPTION 'the JWT sub claim is not a valid participant id' USING ERRCODE = 'insufficient_privilege',
                DETAIL = 'a sub must be 1 to 200 characters without control characters';
        END IF;
        IF sub IS NOT NULL THEN
            RETURN;
        END IF;
        IF end_user_role THEN
            RAISE EXCEPTION 'request.jwt.claims has no sub claim' USING ERRCODE = 'insufficient_privilege',
                DETAIL = 'role authenticated acts only for the user named by the JWT sub claim';
        END IF;
        admin := true;
    END
    $$;

-- What the caller may do to a session: 0 none, 1 participant, 2 host, 3 admin.
CREATE OR REPLACE FUNCTION session_clock_portable.access(p_admin boolean, p_sub text, p_session_id uuid)
    RETURNS integer
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    AS $$
    BEGIN
        -- Separate statements: a subquery in the expression would run the
        -- executor for admins too, who need no row.
        IF p_admin THEN
            RETURN 3;
        ELSIF p_sub IS NULL THEN
            RETURN 0;
        END IF;
        RETURN COALESCE((SELECT CASE m.role WHEN 'host' THEN 2 ELSE 1 END
                         FROM session_clock.session_members m
                         WHERE m.session_id = p_session_id AND m.participant_id = p_sub), 0);
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock_portable.require_access(p_admin boolean, p_sub text, p_role_name text,
        p_session_id uuid, p_needed integer) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
    AS $$
    DECLARE
        have integer := session_clock_portable.access(p_admin, p_sub, p_session_id);
    BEGIN
        IF have >= p_needed THEN
            RETURN;
        END IF;
        IF have = 0 THEN
            RAISE EXCEPTION 'not a member of this session' USING ERRCODE = 'insufficient_privilege',
                DETAIL = pg_catalog.format('user "%s" is not in session_clock.session_members for it',
                                           COALESCE(p_sub, p_role_name));
        END IF;
        RAISE EXCEPTION 'only the session''s host may do this' USING ERRCODE = 'insufficient_privilege';
    END
    $$;

-- Microseconds between two instants, exactly (core/clock_model.cpp works in
-- integer microseconds).
CREATE OR REPLACE FUNCTION session_clock_portable.us(p_later timestamptz, p_earlier timestamptz) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN RETURN (EXTRACT(epoch FROM p_later) - EXTRACT(epoch FROM p_earlier)) * 1000000; END $$;

-- core::elapsed_ms: the clock's position in ms at "at". Every RPC runs it,
-- twice on a change: the arithmetic (session_clock_portable.us, written
-- out) and one test come first, the diagnosis only when that test fails.
CREATE OR REPLACE FUNCTION session_clock.elapsed_ms(session session_clock.sessions, at timestamptz)
    RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    DECLARE
        paused_us numeric := session.total_paused_ms::numeric * 1000;
        us numeric := (EXTRACT(epoch FROM CASE WHEN session.ended_at IS NOT NULL THEN session.ended_at
                                               WHEN session.is_paused THEN session.last_state_change_at
                                               ELSE GREATEST(at, session.last_state_change_at) END)
                       - EXTRACT(epoch FROM session.started_at)) * 1000000 - paused_us;
    BEGIN
        IF us IS NULL OR session.is_paused IS NULL OR session.last_state_change_at IS NULL
           OR NOT pg_catalog.isfinite(at)
           -- A row edited by hand into absurd values is an error, not a
           -- wrapped-around or infinite answer (the C++ computes in int64
           -- and checks overflow; -infinity is int64's least value there).
           OR paused_us > 9223372036854775807 OR us NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
            IF NOT pg_catalog.isfinite(at) THEN
                RAISE EXCEPTION 'at must be a finite timestamp' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF us IS NULL OR session.is_paused IS NULL OR session.last_state_change_at IS NULL THEN
                RAISE EXCEPTION 'session row has NULL clock columns' USING ERRCODE = 'null_value_not_allowed';
            END IF;
            RAISE EXCEPTION 'session clock values are out of range' USING ERRCODE = 'numeric_value_out_of_range';
        END IF;
        RETURN CASE WHEN us > 0 THEN us::double precision / 1000 ELSE 0 END;
    END
    $$;
COMMENT ON FUNCTION session_clock.elapsed_ms(session_clock.sessions, timestamptz) IS
    'clock position in ms at "at" (a time before last_state_change_at reads as last_state_change_at)';

-- The effective defaults (the settings row; built-in values without it).
-- Anyone may read them, as anyone may SHOW the extension's settings:
-- server_time_status() (anon's) needs server_label.
CREATE OR REPLACE FUNCTION session_clock.portable_settings(OUT min_participants integer, OUT grace_ms integer,
        OUT server_label text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        SELECT COALESCE(s.min_participants, 2), COALESCE(s.grace_ms, 30000), COALESCE(s.server_label, 'session_clock')
          INTO min_participants, grace_ms, server_label
          FROM (SELECT) AS one LEFT JOIN session_clock.settings s ON true;
    END
    $$;

-- One logged change of a locked session (pg/clock_store.cpp save_change
-- and core/clock_model.cpp): the clock moves for start/pause/resume/stop
-- (at the effective time: never before the last change), every other event
-- only counts a version. s holds the grace state the caller already set.
-- Writes the row, the event and the NOTIFY; returns the row as written.
CREATE OR REPLACE FUNCTION session_clock_portable.write(s session_clock.sessions, p_event text, p_reason text,
        p_now timestamptz, p_actor text, p_role_name text, p_participant_id text DEFAULT NULL)
    RETURNS session_clock.sessions
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        at timestamptz := GREATEST(p_now, s.last_state_change_at);
        paused_ms bigint := 0;
    BEGIN
        IF p_event = 'pause' THEN
            s.is_paused := true;
            s.last_state_change_at := at;
        ELSIF p_event = 'resume' THEN
            paused_ms := pg_catalog.div(session_clock_portable.us(at, s.last_state_change_at), 1000);
            s.total_paused_ms := s.total_paused_ms + paused_ms;
            s.is_paused := false;
            s.last_state_change_at := at;
        ELSIF p_event = 'stop' THEN
            IF s.is_paused THEN
                paused_ms := pg_catalog.div(session_clock_portable.us(at, s.last_state_change_at), 1000);
            END IF;
            s.total_paused_ms := s.total_paused_ms + paused_ms;
            s.ended_at := at;
            s.last_state_change_at := at;
        END IF;
        s.version := s.version + 1;
        -- One statement for the row and its event: each statement costs an
        -- executor start-up (the tables' CHECKs prepared again among it).
        WITH changed AS (
            UPDATE session_clock.sessions t
            SET is_paused = s.is_paused, total_paused_ms = s.total_paused_ms,
                last_state_change_at = s.last_state_change_at, ended_at = s.ended_at, version = s.version,
                presence_tracked = s.presence_tracked, participants = s.participants,
                grace_deadline_at = s.grace_deadline_at, auto_paused = s.auto_paused
            WHERE t.id = s.id
            RETURNING t.id)
        INSERT INTO session_clock.session_events (session_id, event, reason, at, actor, actor_role, elapsed_ms,
                paused_ms, clock_stepped_back, version, participant_id, deadline_at)
            SELECT changed.id, p_event, p_reason, at, p_actor, p_role_name, session_clock.elapsed_ms(s, at),
                   paused_ms, at > p_now, s.version, p_participant_id,
                   CASE WHEN p_event = 'grace_start' THEN s.grace_deadline_at END
            FROM changed;
        IF NOT FOUND THEN  -- the caller holds the row's lock: only a bug gets here
            PERFORM session_clock_portable.unknown_session(s.id);
        END IF;
        PERFORM pg_catalog.pg_notify('session_clock', pg_catalog.format(
            '{"event":"%s","session_id":"%s","version":%s}', p_event, s.id, s.version));
        RETURN s;
    END
    $$;

-- core::settle_deadline: a due deadline on a running clock becomes a pause
-- dated at the deadline (reason participant_disconnected), exactly once.
CREATE OR REPLACE FUNCTION session_clock_portable.settle(s session_clock.sessions, p_now timestamptz,
        p_actor text, p_role_name text) RETURNS session_clock.sessions
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        deadline timestamptz := s.grace_deadline_at;
    BEGIN
        IF deadline IS NULL OR deadline > p_now OR s.ended_at IS NOT NULL OR s.is_paused THEN
            RETURN s;
        END IF;
        s.grace_deadline_at := NULL;
        s.auto_paused := true;
        RETURN session_clock_portable.write(s, 'pause', 'participant_disconnected', deadline, p_actor, p_role_name);
    END
    $$;

-- core::react: what the grace rule does now, at most one change: start a
-- deadline (or pause at once when the grace is 0), cancel one, or resume
-- an automatic pause once enough participants are back.
CREATE OR REPLACE FUNCTION session_clock_portable.react(s session_clock.sessions, p_now timestamptz,
        p_actor text, p_role_name text) RETURNS session_clock.sessions
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        min_participants integer;
        grace_ms integer;
        running boolean := s.ended_at IS NULL AND NOT s.is_paused;
        below boolean;
    BEGIN
        IF NOT s.presence_tracked AND s.grace_deadline_at IS NULL AND NOT s.auto_paused THEN
            RETURN s;  -- untracked: never below, nothing to cancel or resume (no settings to read)
        END IF;
        SELECT COALESCE(s.min_participants, d.min_participants, 2), COALESCE(s.grace_ms, d.grace_ms, 30000)
          INTO min_participants, grace_ms
        FROM (SELECT) AS one LEFT JOIN session_clock.settings d ON true;
        below := s.presence_tracked AND s.participants < min_participants;
        IF running AND below AND s.grace_deadline_at IS NULL THEN
            IF grace_ms = 0 THEN
                s.auto_paused := true;
                RETURN session_clock_portable.write(s, 'pause', 'participant_disconnected', p_now, p_actor, p_role_name);
            END IF;
            s.grace_deadline_at := GREATEST(p_now, s.last_state_change_at) + grace_ms * interval '1 millisecond';
            RETURN session_clock_portable.write(s, 'grace_start', 'below_minimum', p_now, p_actor, p_role_name);
        END IF;
        IF s.grace_deadline_at IS NOT NULL AND (NOT below OR NOT running) THEN
            s.grace_deadline_at := NULL;
            RETURN session_clock_portable.write(s, 'grace_cancel', NULL, p_now, p_actor, p_role_name);
        END IF;
        IF s.ended_at IS NULL AND s.is_paused AND s.auto_paused AND NOT below THEN
            s.auto_paused := false;
            RETURN session_clock_portable.write(s, 'resume', 'participants_reconnected', p_now, p_actor, p_role_name);
        END IF;
        RETURN s;
    END
    $$;

-- pg/presence_store.cpp change_presence: one presence row (source, worker)
-- on or off; a join or leave is logged when the participant's presence
-- across all sources changed (then, and only then, the version moves).
CREATE OR REPLACE FUNCTION session_clock_portable.presence_change(s session_clock.sessions,
        p_participant_id text, p_source text, p_worker_id uuid, p_present boolean, p_reason text,
        p_now timestamptz, p_actor text, p_role_name text) RETURNS session_clock.sessions
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        before boolean := EXISTS (SELECT FROM session_clock.presence p
                                  WHERE p.session_id = s.id AND p.participant_id = p_participant_id);
        after boolean;
    BEGIN
        IF p_present THEN
            INSERT INTO session_clock.presence (session_id, participant_id, source, worker_id)
                VALUES (s.id, p_participant_id, p_source, p_worker_id) ON CONFLICT DO NOTHING;
        ELSE
            DELETE FROM session_clock.presence p
            WHERE p.session_id = s.id AND p.participant_id = p_participant_id AND p.source = p_source
              AND p.worker_id IS NOT DISTINCT FROM p_worker_id;
        END IF;
        after := p_present OR EXISTS (SELECT FROM session_clock.presence p
                                      WHERE p.session_id = s.id AND p.participant_id = p_participant_id);
        IF before <> after THEN
            RETURN session_clock_portable.log_presence(s, p_participant_id, after, p_reason, p_now, p_actor,
                                                       p_role_name);
        END IF;
        RETURN s;
    END
    $$;

-- core::presence_changed: the join or leave, with the new count; the
-- session becomes tracked.
CREATE OR REPLACE FUNCTION session_clock_portable.log_presence(s session_clock.sessions, p_participant_id text,
        p_present boolean, p_reason text, p_now timestamptz, p_actor text, p_role_name text)
    RETURNS session_clock.sessions
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    BEGIN
        s.presence_tracked := true;
        s.participants := (SELECT pg_catalog.count(DISTINCT p.participant_id)::integer
                           FROM session_clock.presence p WHERE p.session_id = s.id);
        RETURN session_clock_portable.write(s, CASE WHEN p_present THEN 'join' ELSE 'leave' END, p_reason, p_now,
                                            p_actor, p_role_name, p_participant_id);
    END
    $$;

-- pg/clock_result.cpp: what the clock RPCs answer.
CREATE OR REPLACE FUNCTION session_clock_portable.change_result(s session_clock.sessions, p_now timestamptz,
        p_changed boolean) RETURNS session_clock.clock_change
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
    DECLARE
        d session_clock.settings;  -- all NULL without the row
    BEGIN
        SELECT * INTO d FROM session_clock.settings;
        RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at,
                   s.version, p_now, session_clock.elapsed_ms(s, p_now), p_changed, s.participants,
                   COALESCE(s.min_participants, d.min_participants, 2), COALESCE(s.grace_ms, d.grace_ms, 30000),
                   s.grace_deadline_at, s.auto_paused)::session_clock.clock_change;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock_portable.unknown_session(p_session_id uuid) RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    BEGIN
        RAISE EXCEPTION 'session % does not exist', p_session_id USING ERRCODE = 'no_data_found';
    END
    $$;

------------------------------------------------------------------------------
-- Server time: anyone may ask, anon included.
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION session_clock.server_now() RETURNS timestamptz
    LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
    AS $$ SELECT pg_catalog.clock_timestamp() $$;
COMMENT ON FUNCTION session_clock.server_now() IS 'the server''s time now (clock_timestamp(), not the transaction start)';

CREATE OR REPLACE FUNCTION session_clock.server_now_ms() RETURNS double precision
    LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
    AS $$ SELECT (EXTRACT(epoch FROM pg_catalog.clock_timestamp()) * 1000)::double precision $$;
COMMENT ON FUNCTION session_clock.server_now_ms() IS 'Unix epoch milliseconds now, with microsecond precision';

-- SQL cannot read the kernel's clock discipline (ntp_adjtime) nor the NTP
-- client's files: source says so, and what it cannot know is null, never a
-- guess. server is the settings row's server_label.
CREATE OR REPLACE FUNCTION session_clock.server_time_status() RETURNS jsonb
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$
    BEGIN
        RETURN pg_catalog.jsonb_build_object('source', 'portable',
                                             'server', (SELECT d.server_label FROM session_clock.portable_settings() d),
                                             'is_synced', NULL, 'last_sync', NULL, 'offset_ms', NULL);
    END
    $$;
COMMENT ON FUNCTION session_clock.server_time_status() IS
    'portable edition: source "portable", server (the settings row''s server_label); is_synced, last_sync and offset_ms are null: SQL cannot read the host''s clock discipline';

CREATE OR REPLACE FUNCTION public.session_clock_server_time(
        OUT server_now timestamptz, OUT server_now_ms double precision, OUT status jsonb)
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        server_now := session_clock.server_now();
        server_now_ms := (EXTRACT(epoch FROM server_now) * 1000)::double precision;
        status := session_clock.server_time_status();
    END
    $$;

------------------------------------------------------------------------------
-- Clock RPCs (pg/clock_rpc.cpp). SECURITY DEFINER with a pinned
-- search_path; each checks the caller itself (docs/security.md).
------------------------------------------------------------------------------
-- Pause, resume and stop share one body: validate, identify the caller,
-- lock the row, check access, apply an overdue deadline first, then the
-- person's change and what the grace rule does about it.
CREATE OR REPLACE FUNCTION session_clock_portable.change_clock(p_session_id uuid, p_reason text, p_action text)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        c record;
        s session_clock.sessions;
        now timestamptz;
        actor text;
        changed boolean;
    BEGIN
        -- One test on the way in (text_problem is STRICT: no reason, no
        -- problem); the calls that raise run only when it fails.
        IF p_session_id IS NULL OR session_clock_portable.text_problem(p_reason, 200) IS NOT NULL THEN
            PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
            PERFORM session_clock_portable.check_text(p_reason, 'p_reason', 200);
        END IF;
        c := session_clock_portable.caller();
        SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);
        END IF;
        IF NOT c.admin THEN
            PERFORM session_clock_portable.require_access(c.admin, c.sub, c.role_name, p_session_id,
                                                          CASE p_action WHEN 'stop' THEN 2 ELSE 1 END);
        END IF;
        now := pg_catalog.clock_timestamp();  -- after the lock: serialised callers see ordered times
        actor := COALESCE(c.sub, c.role_name);
        -- settle and react decide for themselves; the guards only spare
        -- the calls (and the row's copies) when there is nothing to decide.
        IF s.grace_deadline_at <= now THEN
            s := session_clock_portable.settle(s, now, actor, c.role_name);
        END IF;
        IF p_action <> 'stop' AND s.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'cannot % a stopped session clock', p_action
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        changed := CASE p_action WHEN 'pause' THEN NOT s.is_paused
                                 WHEN 'resume' THEN s.is_paused
                                 ELSE s.ended_at IS NULL END;
        IF changed THEN
            -- A person's change cancels a pending deadline and makes a pause theirs.
            s.grace_deadline_at := NULL;
            s.auto_paused := false;
            s := session_clock_portable.write(s, p_action, p_reason, now, actor, c.role_name);
            IF s.presence_tracked THEN  -- no deadline or automatic pause is left after write
                s := session_clock_portable.react(s, now, actor, c.role_name);
            END IF;
        ELSIF p_action = 'pause' AND s.auto_paused AND s.is_paused AND s.ended_at IS NULL THEN
            -- Pausing a clock the grace rule paused makes the pause this person's.
            s.auto_paused := false;
            s := session_clock_portable.write(s, 'hold', p_reason, now, actor, c.role_name);
            changed := true;
        END IF;
        RETURN session_clock_portable.change_result(s, now, changed);
    END
    $$;

CREATE OR REPLACE FUNCTION public.session_clock_start(p_session_id uuid)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        s session_clock.sessions;
        now timestamptz;
        actor text;
        kept record;
        adopted boolean := false;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        c := session_clock_portable.caller();
        actor := COALESCE(c.sub, c.role_name);
        now := pg_catalog.clock_timestamp();
        INSERT INTO session_clock.sessions (id, started_at, is_paused, total_paused_ms, last_state_change_at, version)
            VALUES (p_session_id, now, false, 0, now, 1) ON CONFLICT (id) DO NOTHING;
        IF FOUND THEN
            IF c.sub IS NOT NULL THEN
                INSERT INTO session_clock.session_members (session_id, participant_id, role)
                    VALUES (p_session_id, c.sub, 'host')
                    ON CONFLICT (session_id, participant_id) DO UPDATE SET role = EXCLUDED.role;
            END IF;
            INSERT INTO session_clock.session_events (session_id, event, reason, at, actor, actor_role, elapsed_ms,
                    paused_ms, clock_stepped_back, version)
                VALUES (p_session_id, 'start', NULL, now, actor, c.role_name, 0, 0, false, 1);
            PERFORM pg_catalog.pg_notify('session_clock', pg_catalog.format(
                '{"event":"start","session_id":"%s","version":1}', p_session_id));
            SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id;
            -- Presence reported before the session existed counts from its
            -- start (pg/early_presence.cpp): under the lock its reporters
            -- take, so a report either sees the session or is seen here.
            PERFORM session_clock.lock_unborn_session(p_session_id);
            FOR kept IN SELECT * FROM session_clock.early_presence_take(p_session_id) LOOP
                IF NOT adopted THEN
                    adopted := true;
                    -- The grace rule applies from the start, even when
                    -- everyone reported has left again.
                    UPDATE session_clock.sessions t SET presence_tracked = true WHERE t.id = p_session_id;
                    s.presence_tracked := true;
                END IF;
                -- Rows edited by hand could hold what no report would: skipped.
                IF kept.present AND kept.source IN ('sql', 'livekit')
                   AND session_clock_portable.text_problem(kept.participant_id, 200) IS NULL THEN
                    s := session_clock_portable.presence_change(s, kept.participant_id, kept.source, NULL, true,
                        CASE kept.source WHEN 'livekit' THEN 'participant_joined' ELSE 'sql' END, now, actor, c.role_name);
                END IF;
            END LOOP;
            IF adopted THEN
                s := session_clock_portable.react(s, now, actor, c.role_name);
            END IF;
            RETURN session_clock_portable.change_result(s, now, true);
        END IF;
        SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);  -- deleted by a concurrent transaction
        END IF;
        PERFORM session_clock_portable.require_access(c.admin, c.sub, c.role_name, p_session_id, 1);
        IF s.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'cannot start a stopped session clock' USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL = pg_catalog.format('session %s was stopped; start a new session instead', p_session_id);
        END IF;
        now := pg_catalog.clock_timestamp();
        s := session_clock_portable.settle(s, now, actor, c.role_name);
        RETURN session_clock_portable.change_result(s, now, false);
    END
    $$;
COMMENT ON FUNCTION public.session_clock_start(uuid) IS 'creates the clock if needed and starts it; idempotent';

-- A deadline that is due shows as the pause it is, whether or not a worker
-- has written it yet.
CREATE OR REPLACE FUNCTION public.session_clock_get(p_session_id uuid)
    RETURNS session_clock.clock_reading
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        s session_clock.sessions;
        now timestamptz;
        r session_clock.clock_change;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        c := session_clock_portable.caller();
        SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id;
        IF NOT FOUND THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);
        END IF;
        IF NOT c.admin THEN
            PERFORM session_clock_portable.require_access(c.admin, c.sub, c.role_name, p_session_id, 1);
        END IF;
        now := pg_catalog.clock_timestamp();
        IF s.grace_deadline_at <= now AND s.ended_at IS NULL AND NOT s.is_paused THEN
            s.is_paused := true;
            s.last_state_change_at := GREATEST(s.grace_deadline_at, s.last_state_change_at);
            s.version := s.version + 1;
            s.grace_deadline_at := NULL;
            s.auto_paused := true;
        END IF;
        r := session_clock_portable.change_result(s, now, NULL);
        RETURN ROW(r.session_id, r.started_at, r.is_paused, r.total_paused_ms, r.last_state_change_at, r.ended_at,
                   r.version, r.server_now, r.elapsed_ms, r.participants, r.min_participants, r.grace_ms,
                   r.grace_deadline_at, r.auto_paused)::session_clock.clock_reading;
    END
    $$;

CREATE OR REPLACE FUNCTION public.session_clock_pause(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.change_clock(p_session_id, p_reason, 'pause'); END $$;

CREATE OR REPLACE FUNCTION public.session_clock_resume(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.change_clock(p_session_id, p_reason, 'resume'); END $$;

CREATE OR REPLACE FUNCTION public.session_clock_stop(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.change_clock(p_session_id, p_reason, 'stop'); END $$;
COMMENT ON FUNCTION public.session_clock_stop(uuid, text) IS 'stops the clock for good (host or admin); idempotent';

------------------------------------------------------------------------------
-- Membership (pg/members_rpc.cpp, pg/history_rpc.cpp).
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION public.session_clock_add_member(
        p_session_id uuid, p_participant_id text, p_role text DEFAULT 'participant')
    RETURNS session_clock.session_members
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        m session_clock.session_members;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        PERFORM session_clock_portable.require(p_participant_id IS NULL, 'p_participant_id');
        PERFORM session_clock_portable.require(p_role IS NULL, 'p_role');
        PERFORM session_clock.check_participant_id(p_participant_id);
        IF p_role NOT IN ('host', 'participant') THEN
            RAISE EXCEPTION 'p_role must be ''host'' or ''participant''' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        c := session_clock_portable.caller();
        IF NOT EXISTS (SELECT FROM session_clock.sessions t WHERE t.id = p_session_id) THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);
        END IF;
        PERFORM session_clock_portable.require_access(c.admin, c.sub, c.role_name, p_session_id, 2);
        INSERT INTO session_clock.session_members AS t (session_id, participant_id, role)
            VALUES (p_session_id, p_participant_id, p_role)
            ON CONFLICT (session_id, participant_id) DO UPDATE SET role = EXCLUDED.role
            RETURNING t.* INTO m;
        RETURN m;
    END
    $$;
COMMENT ON FUNCTION public.session_clock_add_member(uuid, text, text) IS
    'adds a member or changes its role (host or admin only)';

-- Removal ends the member's access and, in the same transaction, its
-- presence, and tells every worker to stop its follows (NOTIFY).
CREATE OR REPLACE FUNCTION public.session_clock_remove_member(p_session_id uuid, p_participant_id text)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        s session_clock.sessions;
        now timestamptz;
        actor text;
        removed boolean;
        was_present boolean;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        PERFORM session_clock_portable.require(p_participant_id IS NULL, 'p_participant_id');
        c := session_clock_portable.caller();
        SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);
        END IF;
        PERFORM session_clock_portable.require_access(c.admin, c.sub, c.role_name, p_session_id, 2);
        DELETE FROM session_clock.session_members m
        WHERE m.session_id = p_session_id AND m.participant_id = p_participant_id;
        removed := FOUND;
        IF removed THEN
            now := pg_catalog.clock_timestamp();
            actor := COALESCE(c.sub, c.role_name);
            s := session_clock_portable.settle(s, now, actor, c.role_name);
            DELETE FROM session_clock.presence p WHERE p.session_id = p_session_id AND p.participant_id = p_participant_id;
            was_present := FOUND;
            UPDATE session_clock.livekit_connections l SET gone = true
            WHERE l.session_id = p_session_id AND l.identity = p_participant_id AND l.participant_sid <> '' AND NOT l.gone;
            IF was_present THEN
                s := session_clock_portable.log_presence(s, p_participant_id, false, 'member_removed', now, actor,
                                                         c.role_name);
            END IF;
            s := session_clock_portable.react(s, now, actor, c.role_name);
            PERFORM pg_catalog.pg_notify('session_clock', pg_catalog.format(
                '{"event":"member_removed","participant_id":%s,"session_id":"%s"}',
                pg_catalog.to_json(p_participant_id), p_session_id));
        END IF;
        RETURN removed;
    END
    $$;
COMMENT ON FUNCTION public.session_clock_remove_member(uuid, text) IS
    'removes a member (host or admin only); false if it was not a member';

-- What the caller may do to a session: 'admin', 'host', 'participant', or
-- NULL (not a member, or no such session).
CREATE OR REPLACE FUNCTION session_clock.caller_access(p_session_id uuid) RETURNS text
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        c := session_clock_portable.caller();
        IF NOT EXISTS (SELECT FROM session_clock.sessions t WHERE t.id = p_session_id) THEN
            RETURN NULL;
        END IF;
        RETURN (ARRAY[NULL, 'participant', 'host', 'admin'])[session_clock_portable.access(c.admin, c.sub, p_session_id) + 1];
    END
    $$;

CREATE OR REPLACE FUNCTION public.session_clock_members(p_session_id uuid)
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

-- The event log folded back into a state (core::replay), for audits: it
-- must equal the row.
CREATE OR REPLACE FUNCTION session_clock.replay(p_session_id uuid,
        OUT is_paused boolean, OUT total_paused_ms bigint, OUT last_state_change_at timestamptz,
        OUT ended_at timestamptz, OUT version bigint)
    LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        e record;
        first boolean := true;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        c := session_clock_portable.caller();
        IF NOT EXISTS (SELECT FROM session_clock.sessions t WHERE t.id = p_session_id) THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);
        END IF;
        PERFORM session_clock_portable.require_access(c.admin, c.sub, c.role_name, p_session_id, 1);
        FOR e IN SELECT l.event, l.at FROM session_clock.session_events l
                 WHERE l.session_id = p_session_id ORDER BY l.version LOOP
            IF first THEN
                IF e.event <> 'start' THEN
                    EXIT;
                END IF;
                first := false;
                is_paused := false;
                total_paused_ms := 0;
                last_state_change_at := e.at;
                version := 1;
                CONTINUE;
            END IF;
            IF e.at < last_state_change_at THEN
                RAISE EXCEPTION 'event log goes back in time' USING ERRCODE = 'object_not_in_prerequisite_state';
            END IF;
            IF e.event = 'start' THEN
                RAISE EXCEPTION 'event log has a second start event' USING ERRCODE = 'object_not_in_prerequisite_state';
            END IF;
            IF e.event IN ('pause', 'resume') AND ended_at IS NOT NULL THEN
                RAISE EXCEPTION 'cannot % a stopped session clock', e.event
                    USING ERRCODE = 'object_not_in_prerequisite_state';
            END IF;
            IF (e.event = 'pause' AND is_paused) OR (e.event = 'resume' AND NOT is_paused)
               OR (e.event = 'stop' AND ended_at IS NOT NULL) THEN
                RAISE EXCEPTION 'event log has a % that changes nothing', e.event
                    USING ERRCODE = 'object_not_in_prerequisite_state';
            END IF;
            IF e.event = 'pause' THEN
                is_paused := true;
                last_state_change_at := e.at;
            ELSIF e.event = 'resume' THEN
                total_paused_ms := total_paused_ms
                    + pg_catalog.div(session_clock_portable.us(e.at, last_state_change_at), 1000);
                is_paused := false;
                last_state_change_at := e.at;
            ELSIF e.event = 'stop' THEN
                IF is_paused THEN
                    total_paused_ms := total_paused_ms
                        + pg_catalog.div(session_clock_portable.us(e.at, last_state_change_at), 1000);
                END IF;
                ended_at := e.at;
                last_state_change_at := e.at;
            END IF;
            version := version + 1;
        END LOOP;
        IF first THEN
            RAISE EXCEPTION 'event log does not begin with a start event' USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
    END
    $$;

------------------------------------------------------------------------------
-- Presence and the grace rule (pg/presence_rpc.cpp, pg/grace_rpc.cpp).
------------------------------------------------------------------------------
-- The shared body of both presence entry points; the session is locked and
-- the caller authorised.
CREATE OR REPLACE FUNCTION session_clock_portable.record(s session_clock.sessions, p_participant_id text,
        p_source text, p_worker_id uuid, p_present boolean, p_reason text, p_actor text, p_role_name text)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        now timestamptz;
        before bigint;
    BEGIN
        IF p_worker_id IS NOT NULL AND p_present AND NOT EXISTS (
                SELECT FROM session_clock.workers w
                WHERE w.id = p_worker_id AND w.lease_expires_at > pg_catalog.clock_timestamp()) THEN
            RAISE EXCEPTION 'worker lease expired' USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL = 'call session_clock.worker_heartbeat to register again, then report presence';
        END IF;
        -- A worker's client joined after its access check; membership may
        -- have ended since: under the row lock this is ordered against
        -- session_clock_remove_member.
        IF p_worker_id IS NOT NULL AND p_present AND NOT EXISTS (
                SELECT FROM session_clock.session_members m
                WHERE m.session_id = s.id AND m.participant_id = p_participant_id) THEN
            RAISE EXCEPTION 'not a member of this session' USING ERRCODE = 'insufficient_privilege',
                DETAIL = pg_catalog.format('user "%s" is not in session_clock.session_members for it', p_participant_id);
        END IF;
        now := pg_catalog.clock_timestamp();
        s := session_clock_portable.settle(s, now, p_actor, p_role_name);
        before := s.version;
        s := session_clock_portable.presence_change(s, p_participant_id, p_source, p_worker_id, p_present, p_reason,
                                                    now, p_actor, p_role_name);
        RETURN session_clock_portable.change_result(
            session_clock_portable.react(s, now, p_actor, p_role_name), now, s.version <> before);
    END
    $$;

-- An app reports presence. An end user may report only itself, in a
-- session it is a member of; an admin anyone, also before the session
-- exists (kept for its start).
CREATE OR REPLACE FUNCTION public.session_clock_presence(p_session_id uuid, p_participant_id text, p_present boolean)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        s session_clock.sessions;
        kept record;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        PERFORM session_clock_portable.require(p_participant_id IS NULL, 'p_participant_id');
        PERFORM session_clock_portable.require(p_present IS NULL, 'p_present');
        PERFORM session_clock.check_participant_id(p_participant_id);
        c := session_clock_portable.caller();
        IF NOT c.admin AND p_participant_id <> c.sub THEN
            RAISE EXCEPTION 'an end user may report only its own presence' USING ERRCODE = 'insufficient_privilege',
                DETAIL = 'p_participant_id must equal the JWT sub claim';
        END IF;
        SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id FOR UPDATE;
        IF NOT FOUND AND c.admin THEN
            PERFORM session_clock.lock_unborn_session(p_session_id);
            SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id FOR UPDATE;  -- started meanwhile?
            IF NOT FOUND THEN
                SELECT * INTO kept FROM session_clock.early_presence_put(p_session_id, p_participant_id, p_present);
                RETURN ROW(p_session_id, NULL, NULL, NULL, NULL, NULL, NULL, pg_catalog.clock_timestamp(), NULL,
                           kept.changed, kept.participants, NULL, NULL, NULL, NULL)::session_clock.clock_change;
            END IF;
        END IF;
        IF NOT FOUND THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);
        END IF;
        PERFORM session_clock_portable.require_access(c.admin, c.sub, c.role_name, p_session_id, 1);
        RETURN session_clock_portable.record(s, p_participant_id, 'sql', NULL, p_present, 'sql',
                                             COALESCE(c.sub, c.role_name), c.role_name);
    END
    $$;
COMMENT ON FUNCTION public.session_clock_presence(uuid, text, boolean) IS
    'reports a participant present or gone (source sql); an end user may report only itself; changed = its presence changed';

-- For workers and the LiveKit path: presence from one source.
CREATE OR REPLACE FUNCTION session_clock.record_presence(p_session_id uuid, p_participant_id text, p_source text,
        p_worker_id uuid, p_present boolean, p_reason text DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        s session_clock.sessions;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        PERFORM session_clock_portable.require(p_participant_id IS NULL, 'p_participant_id');
        PERFORM session_clock_portable.require(p_source IS NULL, 'p_source');
        PERFORM session_clock_portable.require(p_present IS NULL, 'p_present');
        PERFORM session_clock.check_participant_id(p_participant_id);
        IF p_source NOT IN ('sql', 'websocket', 'livekit') THEN
            RAISE EXCEPTION 'p_source must be sql, websocket or livekit' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF (p_source = 'websocket') <> (p_worker_id IS NOT NULL) THEN
            RAISE EXCEPTION 'p_worker_id is required for source websocket and only for it'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_reason IS NOT NULL THEN
            PERFORM session_clock_portable.check_text(p_reason, 'p_reason', 200);
        END IF;
        c := session_clock_portable.caller();
        IF NOT c.admin THEN
            RAISE EXCEPTION 'only workers and admins record presence' USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);
        END IF;
        RETURN session_clock_portable.record(s, p_participant_id, p_source, p_worker_id, p_present,
                                             COALESCE(p_reason, p_source), COALESCE(c.sub, c.role_name), c.role_name);
    END
    $$;

-- Raises 42501 unless the calling role is an admin: the worker functions
-- start with it.
CREATE OR REPLACE FUNCTION session_clock.require_admin() RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
    AS $$
    BEGIN
        IF NOT (session_clock_portable.caller()).admin THEN
            RAISE EXCEPTION 'only workers and admins may call this' USING ERRCODE = 'insufficient_privilege';
        END IF;
    END
    $$;

-- Same authorisation as pause: any member. The session becomes tracked
-- (unless the call only sets single_device).
CREATE OR REPLACE FUNCTION public.session_clock_configure(
        p_session_id uuid, p_min_participants integer DEFAULT NULL, p_grace_ms integer DEFAULT NULL,
        p_single_device boolean DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        s session_clock.sessions;
        now timestamptz;
        actor text;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        IF p_min_participants NOT BETWEEN 0 AND 10000 THEN
            RAISE EXCEPTION 'p_min_participants must be between 0 and 10000' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_grace_ms NOT BETWEEN 0 AND 86400000 THEN
            RAISE EXCEPTION 'p_grace_ms must be between 0 and 86400000' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        c := session_clock_portable.caller();
        SELECT * INTO s FROM session_clock.sessions t WHERE t.id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM session_clock_portable.unknown_session(p_session_id);
        END IF;
        PERFORM session_clock_portable.require_access(c.admin, c.sub, c.role_name, p_session_id, 1);
        now := pg_catalog.clock_timestamp();
        actor := COALESCE(c.sub, c.role_name);
        s := session_clock_portable.settle(s, now, actor, c.role_name);
        UPDATE session_clock.sessions t
        SET min_participants = COALESCE(p_min_participants, t.min_participants),
            grace_ms = COALESCE(p_grace_ms, t.grace_ms),
            single_device = COALESCE(p_single_device, t.single_device)
        WHERE t.id = p_session_id;
        s.min_participants := COALESCE(p_min_participants, s.min_participants);
        s.grace_ms := COALESCE(p_grace_ms, s.grace_ms);
        s.single_device := COALESCE(p_single_device, s.single_device);
        s.presence_tracked := s.presence_tracked
            OR NOT (p_single_device IS NOT NULL AND p_min_participants IS NULL AND p_grace_ms IS NULL);
        s := session_clock_portable.write(s, 'configure', NULL, now, actor, c.role_name);
        s := session_clock_portable.react(s, now, actor, c.role_name);
        RETURN session_clock_portable.change_result(s, now, true);
    END
    $$;
COMMENT ON FUNCTION public.session_clock_configure(uuid, integer, integer, boolean) IS
    'sets min_participants / grace_ms / single_device for a session (NULL keeps the current value) and turns the grace rule on for it, unless only single_device is set';

-- Pauses every session whose deadline has passed, as of its deadline, up
-- to p_limit of them (rows another transaction holds are skipped, so any
-- number of workers may call it at once); then how long until the next.
CREATE OR REPLACE FUNCTION session_clock.apply_due_deadlines(p_limit integer DEFAULT 1000,
        OUT applied integer, OUT next_due_in_ms double precision)
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        c record;
        lim integer := COALESCE(p_limit, 1000);
        due uuid[];
        due_id uuid;
        s session_clock.sessions;
        before bigint;
    BEGIN
        IF lim NOT BETWEEN 1 AND 100000 THEN
            RAISE EXCEPTION 'p_limit must be between 1 and 100000' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        c := session_clock_portable.caller();
        IF NOT c.admin THEN
            RAISE EXCEPTION 'only workers and admins apply deadlines' USING ERRCODE = 'insufficient_privilege';
        END IF;
        applied := 0;
        -- The time as a value, not clock_timestamp() in the query: a
        -- volatile function is no index bound.
        due := ARRAY(SELECT q.id FROM (SELECT t.id FROM session_clock.sessions t
                                       WHERE t.grace_deadline_at <= pg_catalog.clock_timestamp()::timestamptz
                                       ORDER BY t.grace_deadline_at LIMIT lim FOR UPDATE SKIP LOCKED) q);
        FOREACH due_id IN ARRAY due LOOP
            SELECT * INTO s FROM session_clock.sessions t WHERE t.id = due_id FOR UPDATE;
            CONTINUE WHEN NOT FOUND;
            before := s.version;
            s := session_clock_portable.settle(s, pg_catalog.clock_timestamp(), COALESCE(c.sub, c.role_name), c.role_name);
            IF s.version <> before THEN
                applied := applied + 1;
            END IF;
        END LOOP;
        next_due_in_ms := (SELECT (EXTRACT(epoch FROM pg_catalog.min(t.grace_deadline_at) - pg_catalog.clock_timestamp())
                                   * 1000)::double precision
                           FROM session_clock.sessions t WHERE t.grace_deadline_at IS NOT NULL);
    END
    $$;

-- Single-device sessions (pg/device_rpc.cpp): the user joined from
-- p_device; the claim is numbered and announced (NOTIFY device_claimed) so
-- their other connections leave. NULL when the session is not single-device.
CREATE OR REPLACE FUNCTION session_clock.claim_device(p_session_id uuid, p_participant_id text, p_device text)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        claimed bigint;
    BEGIN
        PERFORM session_clock_portable.require(p_session_id IS NULL, 'p_session_id');
        PERFORM session_clock_portable.require(p_participant_id IS NULL, 'p_participant_id');
        PERFORM session_clock_portable.require(p_device IS NULL, 'p_device');
        PERFORM session_clock.check_participant_id(p_participant_id);
        PERFORM session_clock_portable.check_text(p_device, 'p_device', 200);
        IF NOT (session_clock_portable.caller()).admin THEN
            RAISE EXCEPTION 'only workers and admins claim devices' USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The row lock of the upsert orders concurrent claims of one user in
        -- one session: the numbers follow commit order, as the NOTIFYs do.
        INSERT INTO session_clock.device_claims AS c (session_id, participant_id, device, claim)
            SELECT s.id, p_participant_id, p_device, 1 FROM session_clock.sessions s
            WHERE s.id = p_session_id AND s.single_device AND s.ended_at IS NULL
            ON CONFLICT (session_id, participant_id) DO UPDATE
            SET device = excluded.device, claim = c.claim + 1, claimed_at = pg_catalog.clock_timestamp()
            RETURNING c.claim INTO claimed;
        IF claimed IS NOT NULL THEN
            PERFORM pg_catalog.pg_notify('session_clock', pg_catalog.format(
                '{"claim":%s,"device":%s,"event":"device_claimed","participant_id":%s,"session_id":"%s"}',
                claimed, pg_catalog.to_json(p_device), pg_catalog.to_json(p_participant_id), p_session_id));
        END IF;
        RETURN claimed;
    END
    $$;
COMMENT ON FUNCTION session_clock.claim_device(uuid, text, text) IS
    'for workers: the user joined a single-device session from p_device; numbers the claim and announces it (NOTIFY device_claimed) so their other connections leave; NULL when the session is not single-device';

------------------------------------------------------------------------------
-- Workers, early presence and LiveKit: these are PL/pgSQL in the extension
-- too, copied here as its 1.1 and 1.3 scripts define them.
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION session_clock.worker_heartbeat(p_worker_id uuid, p_lease_ms integer,
        p_description text DEFAULT NULL, OUT registered boolean, OUT expired_participants integer)
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        gone record;
    BEGIN
        PERFORM session_clock.require_admin();
        IF p_worker_id IS NULL OR p_lease_ms IS NULL THEN
            RAISE EXCEPTION 'p_worker_id and p_lease_ms must not be null' USING ERRCODE = '22004';
        END IF;
        IF p_lease_ms NOT BETWEEN 1000 AND 600000 THEN
            RAISE EXCEPTION 'p_lease_ms must be between 1000 and 600000' USING ERRCODE = '22023';
        END IF;
        INSERT INTO session_clock.workers AS w (id, lease_expires_at, description)
            VALUES (p_worker_id, pg_catalog.clock_timestamp() + p_lease_ms * interval '1 millisecond',
                    pg_catalog.left(p_description, 200))
            ON CONFLICT (id) DO UPDATE SET lease_expires_at = EXCLUDED.lease_expires_at
            RETURNING (w.xmax = 0) INTO registered;
        expired_participants := 0;
        -- Sessions in id order: two workers sweeping at once take row locks
        -- in the same order, so they cannot deadlock.
        FOR gone IN
            SELECT p.session_id, p.participant_id, p.worker_id
            FROM session_clock.presence p
            WHERE p.worker_id IN (SELECT w.id FROM session_clock.workers w
                                  WHERE w.lease_expires_at < pg_catalog.clock_timestamp()
                                  FOR UPDATE SKIP LOCKED)
            ORDER BY p.session_id, p.participant_id
        LOOP
            PERFORM session_clock.record_presence(gone.session_id, gone.participant_id, 'websocket',
                                                  gone.worker_id, false, 'lease_expired');
            expired_participants := expired_participants + 1;
        END LOOP;
        DELETE FROM session_clock.workers w
        WHERE w.lease_expires_at < pg_catalog.clock_timestamp()
          AND NOT EXISTS (SELECT FROM session_clock.presence p WHERE p.worker_id = w.id);
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.worker_goodbye(p_worker_id uuid) RETURNS integer
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        gone record;
        n integer := 0;
    BEGIN
        PERFORM session_clock.require_admin();
        IF p_worker_id IS NULL THEN
            RAISE EXCEPTION 'p_worker_id must not be null' USING ERRCODE = '22004';
        END IF;
        FOR gone IN
            SELECT p.session_id, p.participant_id FROM session_clock.presence p
            WHERE p.worker_id = p_worker_id ORDER BY p.session_id, p.participant_id
        LOOP
            PERFORM session_clock.record_presence(gone.session_id, gone.participant_id, 'websocket',
                                                  p_worker_id, false, 'worker_stopped');
            n := n + 1;
        END LOOP;
        DELETE FROM session_clock.workers WHERE id = p_worker_id;
        RETURN n;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.early_presence_limits(OUT max_age interval, OUT max_rows integer)
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN max_age := interval '6 hours'; max_rows := 200; END $$;

CREATE OR REPLACE FUNCTION session_clock.lock_unborn_session(p_session_id uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM pg_catalog.pg_advisory_xact_lock(1396919371, pg_catalog.hashtext(p_session_id::text)); END $$;

CREATE OR REPLACE FUNCTION session_clock.early_presence_put(p_session_id uuid, p_participant_id text, p_present boolean,
        OUT changed boolean, OUT participants integer)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        limits record := session_clock.early_presence_limits();
    BEGIN
        DELETE FROM session_clock.early_presence e
        WHERE e.received_at < pg_catalog.clock_timestamp() - limits.max_age;
        IF p_present THEN
            UPDATE session_clock.early_presence e SET received_at = pg_catalog.clock_timestamp()
            WHERE e.session_id = p_session_id AND e.participant_id = p_participant_id AND e.source = 'sql';
            changed := NOT FOUND;
            IF changed THEN
                IF (SELECT pg_catalog.count(*) FROM session_clock.early_presence e
                    WHERE e.session_id = p_session_id) >= limits.max_rows THEN
                    RAISE EXCEPTION 'too much presence reported for session %, which does not exist', p_session_id
                        USING ERRCODE = 'program_limit_exceeded',
                              HINT = pg_catalog.format('start the session first; at most %s reports are kept for a session that does not exist',
                                                       limits.max_rows);
                END IF;
                INSERT INTO session_clock.early_presence (session_id, source, event, participant_id)
                    VALUES (p_session_id, 'sql', 'present', p_participant_id);
            END IF;
        ELSE
            DELETE FROM session_clock.early_presence e
            WHERE e.session_id = p_session_id AND e.participant_id = p_participant_id AND e.source = 'sql';
            changed := FOUND;
        END IF;
        participants := (SELECT pg_catalog.count(*) FROM session_clock.early_presence e
                         WHERE e.session_id = p_session_id AND e.source = 'sql');
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.livekit_note(p_session_id uuid, p_event text, p_room_sid text,
        p_participant_sid text, p_identity text, p_room_name text) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        IF p_event = 'participant_joined' THEN
            INSERT INTO session_clock.livekit_connections AS c
                    (session_id, room_sid, participant_sid, identity, joined, room_name)
                VALUES (p_session_id, p_room_sid, p_participant_sid, p_identity, true, p_room_name)
                ON CONFLICT (session_id, room_sid, participant_sid)
                DO UPDATE SET joined = true, room_name = COALESCE(EXCLUDED.room_name, c.room_name);
        ELSE
            -- A leave (or the room's end) may arrive before its join: the
            -- flag waits for it. A finished room ends all its connections.
            INSERT INTO session_clock.livekit_connections AS c
                    (session_id, room_sid, participant_sid, identity, gone, room_name)
                VALUES (p_session_id, p_room_sid, COALESCE(p_participant_sid, ''), COALESCE(p_identity, ''), true,
                        p_room_name)
                ON CONFLICT (session_id, room_sid, participant_sid)
                DO UPDATE SET gone = true, room_name = COALESCE(EXCLUDED.room_name, c.room_name);
        END IF;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.livekit_presence_of(p_session_id uuid, p_identities text[])
    RETURNS TABLE (identity text, present boolean)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        RETURN QUERY
        SELECT c.identity,
               pg_catalog.bool_or(c.joined AND NOT c.gone AND NOT EXISTS (
                   SELECT FROM session_clock.livekit_connections r
                   WHERE r.session_id = c.session_id AND r.room_sid = c.room_sid
                     AND r.participant_sid = '' AND r.gone))
        FROM session_clock.livekit_connections c
        WHERE c.session_id = p_session_id AND c.participant_sid <> ''
          AND (p_identities IS NULL OR c.identity = ANY (p_identities))
        GROUP BY c.identity
        ORDER BY c.identity;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.livekit_event(p_event_id text, p_event text, p_session_id uuid,
        p_room_sid text, p_participant_sid text, p_identity text, p_room_name text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        room text := COALESCE(p_room_sid, '');
        limits record := session_clock.early_presence_limits();
        born boolean;
        who record;
    BEGIN
        PERFORM session_clock.require_admin();
        IF p_event_id IS NULL OR p_event IS NULL OR p_session_id IS NULL THEN
            RAISE EXCEPTION 'p_event_id, p_event and p_session_id must not be null'
                USING ERRCODE = 'null_value_not_allowed';
        END IF;
        IF pg_catalog.length(p_event_id) NOT BETWEEN 1 AND 200 THEN
            RAISE EXCEPTION 'p_event_id must be 1 to 200 characters' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_event NOT IN ('participant_joined', 'participant_left', 'participant_connection_aborted',
                           'room_finished') THEN
            RETURN 'ignored';
        END IF;
        IF p_event <> 'room_finished' AND (p_participant_sid IS NULL OR p_identity IS NULL) THEN
            RAISE EXCEPTION '% needs p_participant_sid and p_identity', p_event
                USING ERRCODE = 'null_value_not_allowed';
        END IF;
        IF p_event <> 'room_finished' AND p_participant_sid = '' THEN
            -- '' names the room itself in livekit_connections
            RAISE EXCEPTION 'p_participant_sid must not be empty' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_event = 'room_finished' THEN
            p_participant_sid := NULL;  -- the room's end names no participant
            p_identity := NULL;
        ELSE
            PERFORM session_clock.check_participant_id(p_identity);
        END IF;
        -- Every webhook of a session in turn: each one sees the others' rows.
        PERFORM FROM session_clock.sessions s WHERE s.id = p_session_id FOR UPDATE;
        born := FOUND;
        IF NOT born THEN
            PERFORM session_clock.lock_unborn_session(p_session_id);
            PERFORM FROM session_clock.sessions s WHERE s.id = p_session_id FOR UPDATE;
            born := FOUND;
        END IF;
        IF NOT born THEN
            DELETE FROM session_clock.early_presence e
            WHERE e.received_at < pg_catalog.clock_timestamp() - limits.max_age;
            IF (SELECT pg_catalog.count(*) FROM session_clock.early_presence e
                WHERE e.session_id = p_session_id) >= limits.max_rows THEN
                RETURN 'unknown_session';
            END IF;
        END IF;
        INSERT INTO session_clock.livekit_webhook_events (event_id) VALUES (p_event_id)
            ON CONFLICT (event_id) DO NOTHING;
        IF NOT FOUND THEN
            RETURN 'duplicate';
        END IF;
        IF NOT born THEN
            INSERT INTO session_clock.early_presence
                    (session_id, source, event, participant_id, room_sid, participant_sid, room_name)
                VALUES (p_session_id, 'livekit', p_event, p_identity, room, p_participant_sid, p_room_name);
            RETURN 'pending';
        END IF;
        PERFORM session_clock.livekit_note(p_session_id, p_event, room, p_participant_sid, p_identity, p_room_name);
        -- Reconcile every identity the event may have changed: its own, or
        -- everyone in a finished room.
        FOR who IN
            SELECT l.identity, l.present
            FROM session_clock.livekit_presence_of(p_session_id, CASE
                     WHEN p_event = 'room_finished' THEN
                         ARRAY(SELECT a.identity FROM session_clock.livekit_connections a
                               WHERE a.session_id = p_session_id AND a.room_sid = room AND a.participant_sid <> '')
                     ELSE ARRAY[p_identity] END) l
        LOOP
            PERFORM session_clock.record_presence(p_session_id, who.identity, 'livekit', NULL, who.present, p_event);
        END LOOP;
        RETURN 'applied';
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.early_presence_take(p_session_id uuid)
    RETURNS TABLE (source text, participant_id text, present boolean)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        since timestamptz := pg_catalog.clock_timestamp() - (session_clock.early_presence_limits()).max_age;
        kept record;
    BEGIN
        FOR kept IN
            SELECT e.* FROM session_clock.early_presence e
            WHERE e.session_id = p_session_id AND e.source = 'livekit' AND e.received_at >= since
            ORDER BY e.id
        LOOP
            PERFORM session_clock.livekit_note(p_session_id, kept.event, kept.room_sid, kept.participant_sid,
                                               kept.participant_id, kept.room_name);
        END LOOP;
        RETURN QUERY
            SELECT 'livekit'::text, l.identity, l.present FROM session_clock.livekit_presence_of(p_session_id, NULL) l
            UNION ALL
            SELECT 'sql'::text, e.participant_id, true FROM session_clock.early_presence e
            WHERE e.session_id = p_session_id AND e.source = 'sql' AND e.received_at >= since
            ORDER BY 2, 1;
        DELETE FROM session_clock.early_presence e WHERE e.session_id = p_session_id;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.livekit_rooms_to_reconcile(p_limit integer DEFAULT 1000)
    RETURNS TABLE (session_id uuid, room_name text, as_of timestamptz)
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        asked_at timestamptz := pg_catalog.clock_timestamp();
    BEGIN
        PERFORM session_clock.require_admin();
        IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 100000 THEN
            RAISE EXCEPTION 'p_limit must be between 1 and 100000' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RETURN QUERY
            SELECT DISTINCT c.session_id, c.room_name, asked_at
            FROM session_clock.livekit_connections c
            JOIN session_clock.sessions s ON s.id = c.session_id
            WHERE c.joined AND NOT c.gone AND c.room_name IS NOT NULL AND s.ended_at IS NULL
            ORDER BY c.session_id, c.room_name
            LIMIT p_limit;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock.livekit_reconcile(p_session_id uuid, p_room_name text, p_as_of timestamptz,
        p_room_sid text, p_participants jsonb)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        listed record;
        listed_sids text[];
        concerned text[];
        who record;
        n integer := 0;
    BEGIN
        PERFORM session_clock.require_admin();
        IF p_session_id IS NULL OR p_room_name IS NULL OR p_as_of IS NULL OR p_participants IS NULL THEN
            RAISE EXCEPTION 'p_session_id, p_room_name, p_as_of and p_participants must not be null'
                USING ERRCODE = 'null_value_not_allowed';
        END IF;
        IF pg_catalog.jsonb_typeof(p_participants) <> 'array' THEN
            RAISE EXCEPTION 'p_participants must be a JSON array' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_room_sid IS NULL AND pg_catalog.jsonb_array_length(p_participants) > 0 THEN
            RAISE EXCEPTION 'a room that does not exist has no participants'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM FROM session_clock.sessions s WHERE s.id = p_session_id AND s.ended_at IS NULL FOR UPDATE;
        IF NOT FOUND THEN
            RETURN 0;  -- gone or stopped meanwhile: nothing to bill
        END IF;
        FOR listed IN
            SELECT DISTINCT ON (p ->> 'sid') p ->> 'sid' AS sid, p ->> 'identity' AS identity
            FROM pg_catalog.jsonb_array_elements(p_participants) p
            ORDER BY p ->> 'sid'
        LOOP
            IF COALESCE(pg_catalog.length(listed.sid), 0) = 0 THEN
                RAISE EXCEPTION 'every participant needs a sid' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            PERFORM session_clock.check_participant_id(COALESCE(listed.identity, ''));
            listed_sids := listed_sids || listed.sid;
            concerned := concerned || listed.identity;
        END LOOP;
        concerned := concerned || ARRAY(
            SELECT c.identity FROM session_clock.livekit_connections c
            WHERE c.session_id = p_session_id AND c.participant_sid <> ''
              AND (c.room_name = p_room_name OR c.room_sid = p_room_sid));
        FOR listed IN
            SELECT DISTINCT ON (p ->> 'sid') p ->> 'sid' AS sid, p ->> 'identity' AS identity
            FROM pg_catalog.jsonb_array_elements(p_participants) p
            ORDER BY p ->> 'sid'
        LOOP
            PERFORM session_clock.livekit_note(p_session_id, 'participant_joined', p_room_sid, listed.sid,
                                               listed.identity, p_room_name);
        END LOOP;
        UPDATE session_clock.livekit_connections c SET gone = true
        WHERE c.session_id = p_session_id AND c.participant_sid <> '' AND NOT c.gone AND c.seen_at < p_as_of
          AND (c.room_name = p_room_name OR c.room_sid = p_room_sid)
          AND c.participant_sid <> ALL (COALESCE(listed_sids, '{}'));
        FOR who IN SELECT * FROM session_clock.livekit_presence_of(p_session_id, concerned) LOOP
            IF (SELECT r.changed FROM session_clock.record_presence(p_session_id, who.identity, 'livekit', NULL,
                                                                    who.present, 'livekit_reconcile') r) THEN
                n := n + 1;
            END IF;
        END LOOP;
        RETURN n;
    END
    $$;

COMMENT ON FUNCTION session_clock.lock_unborn_session(uuid) IS
    'advisory lock (1396919371, hashtext(id)) held to the end of the transaction';

------------------------------------------------------------------------------
-- Playback rooms (pg/room_rpc.cpp, pg/room_store.cpp, core/playback_model.cpp).
-- An end user acts as its JWT sub (p_as must be NULL or the sub); an admin
-- acts for p_as, or for itself when p_as is NULL (then it passes every
-- host check). Commands take effect lead_ms after the commit by the
-- database's clock; a repeated request id changes nothing.
------------------------------------------------------------------------------
-- core::validate_guest_id: guest:… ids are the worker's names for guests,
-- reserved for them (p_guest true: the id must be one; false: must not).
CREATE OR REPLACE FUNCTION session_clock_portable.check_guest_id(p_id text, p_parameter text, p_guest boolean)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    BEGIN
        IF pg_catalog.starts_with(p_id, 'guest:') = p_guest THEN
            RETURN;
        END IF;
        RAISE EXCEPTION '%', p_parameter || CASE WHEN p_guest THEN ' must be a guest id (guest:…)'
                                                ELSE ': ids beginning with guest: are reserved for guests' END
            USING ERRCODE = 'invalid_parameter_value';
    END
    $$;

-- Codes are read aloud: any case.
CREATE OR REPLACE FUNCTION session_clock_portable.room_code(p_code text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    DECLARE
        v_code text;
    BEGIN
        PERFORM session_clock_portable.require(p_code IS NULL, 'p_code');
        v_code := pg_catalog.translate(p_code, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
        IF v_code !~ '^[A-Z0-9]{4,12}$' THEN
            RAISE EXCEPTION 'p_code must be 4 to 12 letters A-Z or digits' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RETURN v_code;
    END
    $$;

-- Seconds on the wire, milliseconds inside: 0 to 24 h, finite (-0 is 0).
CREATE OR REPLACE FUNCTION session_clock_portable.position_ms(p_ms double precision) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    BEGIN
        IF p_ms = 'NaN' OR p_ms < 0 OR p_ms > 86400000 THEN
            RAISE EXCEPTION 'position must be between 0 and 86400 seconds' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RETURN p_ms + 0.0;
    END
    $$;

-- core::position_ms: the room's playback as a session clock anchored to
-- read start_position_ms at start_at; running while playing.
CREATE OR REPLACE FUNCTION session_clock_portable.room_position(r session_clock.rooms, p_at timestamptz)
    RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    DECLARE
        us numeric := pg_catalog.floor(r.start_position_ms * 1000 + 0.5)::numeric
                      + CASE WHEN r.status = 'paused' THEN 0
                             ELSE GREATEST(session_clock_portable.us(p_at, r.start_at), 0) END;
    BEGIN
        RETURN CASE WHEN r.status = 'idle' THEN 0
                    WHEN us > 0 THEN us::double precision / 1000 ELSE 0 END;
    END
    $$;

-- Who acts (pg/room_rpc.cpp actor_of): an end user only as itself; an
-- admin for p_as, or as itself (admin_itself).
CREATE OR REPLACE FUNCTION session_clock_portable.room_actor(p_as text, OUT actor text, OUT admin_itself boolean)
    LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
    AS $$
    DECLARE
        c record;
    BEGIN
        IF p_as IS NOT NULL THEN
            PERFORM session_clock_portable.check_text(p_as, 'p_as', 200);
        END IF;
        c := session_clock_portable.caller();
        admin_itself := false;
        IF NOT c.admin THEN
            IF p_as IS NOT NULL AND p_as <> c.sub THEN
                RAISE EXCEPTION 'an end user acts only as itself' USING ERRCODE = 'insufficient_privilege',
                    DETAIL = 'p_as must be NULL or equal the JWT sub claim';
            END IF;
            actor := c.sub;
        ELSIF p_as IS NOT NULL THEN
            actor := p_as;
        ELSE
            actor := c.role_name;
            admin_itself := true;
        END IF;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock_portable.lock_room(p_code text) RETURNS session_clock.rooms
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        r session_clock.rooms;
    BEGIN
        SELECT * INTO r FROM session_clock.rooms t WHERE t.code = p_code FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'room % does not exist', p_code USING ERRCODE = 'no_data_found';
        END IF;
        RETURN r;
    END
    $$;

CREATE OR REPLACE FUNCTION session_clock_portable.room_notify(p_code text, p_change text, p_version bigint)
    RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    BEGIN
        PERFORM pg_catalog.pg_notify('session_clock', pg_catalog.format(
            '{"event":"room_%s","room":"%s","version":%s}', p_change, p_code, p_version));
    END
    $$;

-- What every room RPC returns: the first 200 members in join order.
CREATE OR REPLACE FUNCTION session_clock_portable.room_result(r session_clock.rooms, p_now timestamptz,
        p_changed boolean) RETURNS session_clock.room_state
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
    BEGIN
        RETURN ROW(r.code, r.host,
                   CASE WHEN r.status = 'playing' AND p_now < r.start_at THEN 'preparing' ELSE r.status END,
                   r.track_url, r.title, r.filename, r.start_at, r.start_position_ms, r.lead_ms, r.version, p_now,
                   session_clock_portable.room_position(r, p_now),
                   COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                                     'id', m.participant_id, 'ready', COALESCE(m.ready_version = r.version, false),
                                     'name', m.name)) ORDER BY m.joined_at, m.participant_id)
                             FROM (SELECT x.participant_id, x.ready_version, x.joined_at, x.name
                                   FROM session_clock.room_members x WHERE x.code = r.code
                                   ORDER BY x.joined_at, x.participant_id LIMIT 200) m), '[]'::jsonb),
                   (SELECT pg_catalog.count(*)::integer FROM session_clock.room_members x WHERE x.code = r.code),
                   p_changed)::session_clock.room_state;
    END
    $$;

-- The new state, its event and its NOTIFY.
CREATE OR REPLACE FUNCTION session_clock_portable.save_room(r session_clock.rooms, p_event text, p_actor text,
        p_at timestamptz, p_request_id text) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    BEGIN
        UPDATE session_clock.rooms t
        SET host = r.host, status = r.status, track_url = r.track_url, title = r.title, filename = r.filename,
            start_at = r.start_at, start_position_ms = r.start_position_ms, version = r.version
        WHERE t.code = r.code;
        INSERT INTO session_clock.room_events (code, version, event, actor, at, start_at, start_position_ms,
                track_url, request_id)
            VALUES (r.code, r.version, p_event, p_actor, p_at, r.start_at, r.start_position_ms, r.track_url,
                    p_request_id);
        PERFORM session_clock_portable.room_notify(r.code, p_event, r.version);
    END
    $$;

-- A third parameter since seed 004: the two-argument function of an
-- earlier portable install goes (an overload would make every two-argument
-- call ambiguous); positional and named calls keep working.
DROP FUNCTION IF EXISTS public.session_clock_room_create(text, text);
CREATE OR REPLACE FUNCTION public.session_clock_room_create(p_code text DEFAULT NULL, p_as text DEFAULT NULL,
        p_guests boolean DEFAULT false)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        v_code text;
        guests boolean := COALESCE(p_guests, false);
        a record;
        now timestamptz;
        created boolean := false;
        attempt integer := 0;
        r session_clock.rooms;
    BEGIN
        IF p_code IS NOT NULL THEN
            v_code := session_clock_portable.room_code(p_code);
            IF guests AND pg_catalog.length(v_code) < 10 THEN
                RAISE EXCEPTION 'a room that admits guests needs a code of at least 10 characters'
                    USING ERRCODE = 'invalid_parameter_value', DETAIL = 'leave p_code NULL for a random one';
            END IF;
        END IF;
        SELECT * INTO a FROM session_clock_portable.room_actor(p_as);
        IF a.admin_itself THEN
            RAISE EXCEPTION 'p_as names the room''s host' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM session_clock_portable.check_guest_id(a.actor, 'p_as', false);
        now := pg_catalog.clock_timestamp();
        LOOP
            IF p_code IS NULL THEN
                -- Unambiguous when read aloud or typed: no 0/O, 1/I. 32
                -- letters, so a random byte modulo 32 is uniform; a guest
                -- room's code is its only key: 10 of them are 50 bits.
                v_code := (SELECT pg_catalog.string_agg(pg_catalog.substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
                                      pg_catalog.get_byte(b, i) % 32 + 1, 1), '' ORDER BY i)
                           FROM pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) AS b,
                                pg_catalog.generate_series(0, CASE WHEN guests THEN 9 ELSE 5 END) AS i);
            END IF;
            INSERT INTO session_clock.rooms (code, host, guests) VALUES (v_code, a.actor, guests)
                ON CONFLICT (code) DO NOTHING;
            created := FOUND;
            attempt := attempt + 1;
            EXIT WHEN created OR p_code IS NOT NULL OR attempt >= 8;
        END LOOP;
        IF NOT created AND p_code IS NOT NULL THEN
            RAISE EXCEPTION 'room code % is taken', v_code USING ERRCODE = 'unique_violation';
        ELSIF NOT created THEN
            RAISE EXCEPTION 'could not find a free room code' USING ERRCODE = 'internal_error';
        END IF;
        INSERT INTO session_clock.room_members (code, participant_id) VALUES (v_code, a.actor);
        INSERT INTO session_clock.room_events (code, version, event, actor, at) VALUES (v_code, 1, 'create', a.actor, now);
        PERFORM session_clock_portable.room_notify(v_code, 'create', 1);
        SELECT * INTO r FROM session_clock.rooms t WHERE t.code = v_code;
        RETURN session_clock_portable.room_result(r, now, true);
    END
    $$;
COMMENT ON FUNCTION public.session_clock_room_create(text, text, boolean) IS
    'creates a room (a random code unless one is given: 6 characters, 10 when it admits guests); the creator is its host and first member';

CREATE OR REPLACE FUNCTION session_clock_portable.room_membership(p_code text, p_as text, p_join boolean)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        v_code text := session_clock_portable.room_code(p_code);
        a record;
        r session_clock.rooms;
        changed boolean;
    BEGIN
        SELECT * INTO a FROM session_clock_portable.room_actor(p_as);
        r := session_clock_portable.lock_room(v_code);
        IF a.admin_itself THEN
            RAISE EXCEPTION 'p_as names who joins or leaves' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF NOT p_join AND a.actor = r.host THEN
            RAISE EXCEPTION 'the host cannot leave its room' USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL = 'hand it over with session_clock_room_set_host first';
        END IF;
        IF p_join THEN
            PERFORM session_clock_portable.check_guest_id(a.actor, 'p_as', false);  -- guests join through room_join_guest
            INSERT INTO session_clock.room_members (code, participant_id) VALUES (v_code, a.actor) ON CONFLICT DO NOTHING;
        ELSE
            IF NOT EXISTS (SELECT FROM session_clock.room_members m WHERE m.code = v_code AND m.participant_id = a.actor) THEN
                RAISE EXCEPTION 'not a member of room %', v_code USING ERRCODE = 'insufficient_privilege';
            END IF;
            DELETE FROM session_clock.room_members m WHERE m.code = v_code AND m.participant_id = a.actor;
        END IF;
        changed := FOUND;
        IF changed THEN
            PERFORM session_clock_portable.room_notify(v_code, CASE WHEN p_join THEN 'join' ELSE 'leave' END, r.version);
        END IF;
        RETURN session_clock_portable.room_result(r, pg_catalog.clock_timestamp(), changed);
    END
    $$;

CREATE OR REPLACE FUNCTION public.session_clock_room_join(p_code text, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.room_membership(p_code, p_as, true); END $$;

CREATE OR REPLACE FUNCTION public.session_clock_room_leave(p_code text, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.room_membership(p_code, p_as, false); END $$;

CREATE OR REPLACE FUNCTION public.session_clock_room_state(p_code text)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        v_code text := session_clock_portable.room_code(p_code);
        c record;
        r session_clock.rooms;
    BEGIN
        c := session_clock_portable.caller();
        SELECT * INTO r FROM session_clock.rooms t WHERE t.code = v_code;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'room % does not exist', v_code USING ERRCODE = 'no_data_found';
        END IF;
        IF NOT c.admin AND NOT EXISTS (SELECT FROM session_clock.room_members m
                                       WHERE m.code = v_code AND m.participant_id = c.sub) THEN
            RAISE EXCEPTION 'not a member of room %', v_code USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN session_clock_portable.room_result(r, pg_catalog.clock_timestamp(), false);
    END
    $$;
COMMENT ON FUNCTION public.session_clock_room_state(text) IS
    'the room as a late joiner needs it: everything to compute the position now';

-- The host's commands share everything but what they do to the playback
-- (p_command: play, pause, seek, stop). The arguments of all of them, NULL
-- where a command has none; p_has_lead: the command takes p_lead_ms.
CREATE OR REPLACE FUNCTION session_clock_portable.room_command(p_command text, p_code text, p_track_url text,
        p_title text, p_filename text, p_position_sec double precision, p_has_lead boolean, p_lead_ms integer,
        p_request_id text, p_as text) RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
    DECLARE
        v_code text := session_clock_portable.room_code(p_code);
        position_ms double precision;
        a record;
        r session_clock.rooms;
        now timestamptz;
        at timestamptz;
    BEGIN
        IF p_has_lead AND p_lead_ms NOT BETWEEN 250 AND 3000 THEN
            RAISE EXCEPTION 'p_lead_ms must be between 250 and 3000' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p_request_id IS NOT NULL THEN
            PERFORM session_clock_portable.check_text(p_request_id, 'p_request_id', 100);
        END IF;
        IF p_command = 'play' THEN
            PERFORM session_clock_portable.require(p_track_url IS NULL, 'p_track_url');
            PERFORM session_clock_portable.check_text(p_track_url, 'p_track_url', 2048);
            IF p_title <> '' THEN
                PERFORM session_clock_portable.check_text(p_title, 'p_title', 300);
            END IF;
            IF p_filename <> '' THEN
                PERFORM session_clock_portable.check_text(p_filename, 'p_filename', 300);
            END IF;
        END IF;
        position_ms := session_clock_portable.position_ms(p_position_sec * 1000);
        IF p_command = 'seek' AND position_ms IS NULL THEN
            RAISE EXCEPTION 'p_position_sec must not be null' USING ERRCODE = 'null_value_not_allowed';
        END IF;
        SELECT * INTO a FROM session_clock_portable.room_actor(p_as);
        r := session_clock_portable.lock_room(v_code);
        IF NOT a.admin_itself AND a.actor <> r.host THEN
            RAISE EXCEPTION 'only the room''s host may do this' USING ERRCODE = 'insufficient_privilege';
        END IF;
        now := pg_catalog.clock_timestamp();  -- after the lock: commands are ordered
        IF p_request_id IS NOT NULL AND EXISTS (SELECT FROM session_clock.room_events e
                                                WHERE e.code = v_code AND e.request_id = p_request_id) THEN
            RETURN session_clock_portable.room_result(r, now, false);
        END IF;
        at := now + COALESCE(p_lead_ms, r.lead_ms) * interval '1 millisecond';
        IF p_command IN ('pause', 'seek') AND r.status = 'idle' THEN
            RAISE EXCEPTION 'nothing is playing to %', CASE p_command WHEN 'seek' THEN 'seek in' ELSE 'pause' END
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        IF p_command = 'play' THEN
            r.status := 'playing';
            r.track_url := p_track_url;
            r.title := NULLIF(p_title, '');
            r.filename := NULLIF(p_filename, '');
            r.start_at := at;
            r.start_position_ms := COALESCE(position_ms, 0);
        ELSIF p_command = 'pause' THEN
            IF r.status = 'paused' AND position_ms IS NULL THEN
                RETURN session_clock_portable.room_result(r, now, false);
            END IF;
            r.start_position_ms := session_clock_portable.position_ms(
                COALESCE(position_ms, session_clock_portable.room_position(r, at)));
            r.status := 'paused';
            r.start_at := at;
        ELSIF p_command = 'seek' THEN
            r.start_at := at;
            r.start_position_ms := position_ms;
        ELSE
            IF r.status = 'idle' THEN
                RETURN session_clock_portable.room_result(r, now, false);
            END IF;
            r.status := 'idle';
            r.track_url := NULL;
            r.title := NULL;
            r.filename := NULL;
            r.start_at := NULL;
            r.start_position_ms := NULL;
        END IF;
        r.version := r.version + 1;
        PERFORM session_clock_portable.save_room(r, p_command, a.actor, now, p_request_id);
        RETURN session_clock_portable.room_result(r, now, true);
    END
    $$;

CREATE OR REPLACE FUNCTION public.session_clock_room_play(p_code text, p_track_url text, p_title text DEFAULT NULL,
        p_filename text DEFAULT NULL, p_start_position_sec double precision DEFAULT 0,
        p_lead_ms integer DEFAULT NULL, p_request_id text DEFAULT NULL, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.room_command('play', p_code, p_track_url, p_title, p_filename,
                                                     p_start_position_sec, true, p_lead_ms, p_request_id, p_as); END $$;
COMMENT ON FUNCTION public.session_clock_room_play(text, text, text, text, double precision, integer, text, text) IS
    'host only: plays the track from p_start_position_sec at now + lead (NULL lead: the room''s)';

CREATE OR REPLACE FUNCTION public.session_clock_room_pause(p_code text, p_position_sec double precision DEFAULT NULL,
        p_lead_ms integer DEFAULT NULL, p_request_id text DEFAULT NULL, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.room_command('pause', p_code, NULL, NULL, NULL, p_position_sec, true,
                                                     p_lead_ms, p_request_id, p_as); END $$;

CREATE OR REPLACE FUNCTION public.session_clock_room_seek(p_code text, p_position_sec double precision,
        p_lead_ms integer DEFAULT NULL, p_request_id text DEFAULT NULL, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.room_command('seek', p_code, NULL, NULL, NULL, p_position_sec, true,
                                                     p_lead_ms, p_request_id, p_as); END $$;

CREATE OR REPLACE FUNCTION public.session_clock_room_stop(p_code text, p_request_id text DEFAULT NULL,
        p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN session_clock_portable.room_command('stop', p_code, NULL, NULL, NULL, NULL, false, NULL,
                                                     p_request_id, p_as); END $$;

CREATE OR REPLACE FUNCTION public.session_clock_room_set_host(p_code text, p_new_host text, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        v_code text := session_clock_portable.room_code(p_code);
        a record;
        r session_clock.rooms;
        now timestamptz;
    BEGIN
        PERFORM session_clock_portable.require(p_new_host IS NULL, 'p_new_host');
        PERFORM session_clock_portable.check_text(p_new_host, 'p_new_host', 200);
        SELECT * INTO a FROM session_clock_portable.room_actor(p_as);
        r := session_clock_portable.lock_room(v_code);
        IF NOT a.admin_itself AND a.actor <> r.host THEN
            RAISE EXCEPTION 'only the room''s host may do this' USING ERRCODE = 'insufficient_privilege';
        END IF;
        now := pg_catalog.clock_timestamp();
        IF p_new_host = r.host THEN
            RETURN session_clock_portable.room_result(r, now, false);
        END IF;
        PERFORM session_clock_portable.check_guest_id(p_new_host, 'p_new_host', false);  -- a guest never hosts
        IF NOT EXISTS (SELECT FROM session_clock.room_members m WHERE m.code = v_code AND m.participant_id = p_new_host) THEN
            RAISE EXCEPTION 'the new host must be a member of the room' USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        r.host := p_new_host;
        r.version := r.version + 1;
        PERFORM session_clock_portable.save_room(r, 'host', a.actor, now, NULL);
        RETURN session_clock_portable.room_result(r, now, true);
    END
    $$;
COMMENT ON FUNCTION public.session_clock_room_set_host(text, text, text) IS
    'host only: hands the room over to another member';

-- The worker's, for a tokenless guest it has named: rooms that do not
-- admit guests refuse (42501), a full one too (54000); joining twice
-- changes nothing.
CREATE OR REPLACE FUNCTION session_clock.room_join_guest(p_code text, p_guest_id text, p_name text DEFAULT NULL,
        p_max_guests integer DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        v_code text := session_clock_portable.room_code(p_code);
        r session_clock.rooms;
    BEGIN
        PERFORM session_clock_portable.require(p_guest_id IS NULL, 'p_guest_id');
        PERFORM session_clock_portable.check_text(p_guest_id, 'p_guest_id', 200);
        PERFORM session_clock_portable.check_guest_id(p_guest_id, 'p_guest_id', true);
        IF p_name <> '' THEN
            PERFORM session_clock_portable.check_text(p_name, 'p_name', 64);
        END IF;
        IF NOT (session_clock_portable.caller()).admin THEN
            RAISE EXCEPTION 'only workers and admins add guests' USING ERRCODE = 'insufficient_privilege';
        END IF;
        r := session_clock_portable.lock_room(v_code);
        IF NOT r.guests THEN
            RAISE EXCEPTION 'room % does not admit guests', v_code USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF EXISTS (SELECT FROM session_clock.room_members m WHERE m.code = v_code AND m.participant_id = p_guest_id) THEN
            RETURN session_clock_portable.room_result(r, pg_catalog.clock_timestamp(), false);
        END IF;
        IF p_max_guests IS NOT NULL AND (SELECT pg_catalog.count(*) FROM session_clock.room_members m
                                         WHERE m.code = v_code AND pg_catalog.starts_with(m.participant_id, 'guest:'))
                                        >= p_max_guests THEN
            RAISE EXCEPTION 'room % is full', v_code USING ERRCODE = 'program_limit_exceeded',
                DETAIL = pg_catalog.format('it holds %s guests', p_max_guests);
        END IF;
        INSERT INTO session_clock.room_members (code, participant_id, name)
            VALUES (v_code, p_guest_id, NULLIF(p_name, '')) ON CONFLICT DO NOTHING;
        PERFORM session_clock_portable.room_notify(v_code, 'join', r.version);
        RETURN session_clock_portable.room_result(r, pg_catalog.clock_timestamp(), true);
    END
    $$;
COMMENT ON FUNCTION session_clock.room_join_guest(text, text, text, integer) IS
    'for workers: adds the guest p_guest_id (guest:…) to a room that admits guests, unless it already holds p_max_guests guests';

-- READY never changes the schedule; it is recorded for the host to see,
-- and only for the room's current version.
CREATE OR REPLACE FUNCTION public.session_clock_room_ready(p_code text, p_version bigint, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        v_code text := session_clock_portable.room_code(p_code);
        a record;
        r session_clock.rooms;
        changed boolean;
    BEGIN
        PERFORM session_clock_portable.require(p_version IS NULL, 'p_version');
        SELECT * INTO a FROM session_clock_portable.room_actor(p_as);
        r := session_clock_portable.lock_room(v_code);
        IF a.admin_itself THEN
            RAISE EXCEPTION 'p_as names who is ready' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF NOT EXISTS (SELECT FROM session_clock.room_members m WHERE m.code = v_code AND m.participant_id = a.actor) THEN
            RAISE EXCEPTION 'not a member of room %', v_code USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_version <> r.version THEN
            RAISE EXCEPTION 'p_version is not the room''s current version' USING ERRCODE = 'invalid_parameter_value',
                DETAIL = pg_catalog.format('the room is at version %s', r.version);
        END IF;
        UPDATE session_clock.room_members m SET ready_version = p_version
        WHERE m.code = v_code AND m.participant_id = a.actor AND m.ready_version IS DISTINCT FROM p_version;
        changed := FOUND;
        IF changed THEN
            PERFORM session_clock_portable.room_notify(v_code, 'ready', r.version);
        END IF;
        RETURN session_clock_portable.room_result(r, pg_catalog.clock_timestamp(), changed);
    END
    $$;
COMMENT ON FUNCTION public.session_clock_room_ready(text, bigint, text) IS
    'a member has buffered the room''s version p_version; never delays the scheduled start';

------------------------------------------------------------------------------
-- Alarms: tracked, open sessions in a state the grace rule never leaves
-- them in. The default minimum comes from the settings row.
------------------------------------------------------------------------------
CREATE OR REPLACE VIEW session_clock.stranded_sessions AS
    SELECT s.id AS session_id,
           CASE WHEN s.is_paused THEN 'auto_paused_while_present' ELSE 'running_without_deadline' END AS problem,
           s.participants,
           m.min_participants,
           s.last_state_change_at
    FROM session_clock.sessions s
    CROSS JOIN LATERAL (SELECT COALESCE(s.min_participants,
                                        (SELECT d.min_participants FROM session_clock.settings d),
                                        2) AS min_participants) m
    WHERE s.presence_tracked AND s.ended_at IS NULL AND m.min_participants > 0
      AND ((NOT s.is_paused AND s.participants < m.min_participants AND s.grace_deadline_at IS NULL)
           OR (s.auto_paused AND s.participants >= m.min_participants));
COMMENT ON VIEW session_clock.stranded_sessions IS
    'open tracked sessions running below their minimum with no deadline pending, or paused automatically while enough are present: both should never be';

------------------------------------------------------------------------------
-- Privileges, as data (the extension's 1.3 model): session_clock.privileges
-- lists every function, table, view and sequence with who may use it, and
-- session_clock.apply_privileges() makes the grants say exactly that.
------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS session_clock.privileges (
    object   text PRIMARY KEY,
    kind     text NOT NULL CHECK (kind IN ('function', 'relation')),
    audience text NOT NULL CHECK (audience IN ('public', 'authenticated', 'service_role', 'owner')),
    CHECK (kind = 'function' OR audience IN ('service_role', 'owner'))
);
COMMENT ON TABLE session_clock.privileges IS
    'who may use each function (EXECUTE) and relation (SELECT) of the extension: written by the scripts, applied by session_clock.apply_privileges()';
COMMENT ON COLUMN session_clock.privileges.object IS
    'schema-qualified: a function as name(argument types); a table, view or sequence by name';
COMMENT ON COLUMN session_clock.privileges.audience IS
    'public: everyone, anon included; authenticated: end users and service_role; service_role: only it; owner: nobody but the owner';

-- As the extension's routine, but the edition's objects are those in schema
-- session_clock and the public functions named session_clock_* (there is
-- no pg_extension to ask). Revokes only what is held, grants only what is
-- missing: a second run changes nothing. Refuses (55000) when the list and
-- the objects differ.
CREATE OR REPLACE FUNCTION session_clock.apply_privileges() RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        anon_role oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = 'anon');
        problems text;
        o record;
        role_name text;
    BEGIN
        WITH listed AS (
            SELECT p.object,
                   CASE p.kind WHEN 'function' THEN 'pg_catalog.pg_proc'::pg_catalog.regclass
                               ELSE 'pg_catalog.pg_class'::pg_catalog.regclass END AS classid,
                   CASE p.kind WHEN 'function' THEN pg_catalog.to_regprocedure(p.object)::oid
                               ELSE pg_catalog.to_regclass(p.object)::oid END AS objid
            FROM session_clock.privileges p
        ), members AS (
            SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass AS classid, f.oid AS objid
            FROM pg_catalog.pg_proc f
            WHERE f.pronamespace = 'session_clock'::pg_catalog.regnamespace
               OR (f.pronamespace = 'public'::pg_catalog.regnamespace AND f.proname LIKE 'session\_clock\_%')
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid
            FROM pg_catalog.pg_class c
            WHERE c.relnamespace = 'session_clock'::pg_catalog.regnamespace AND c.relkind IN ('r', 'v', 'S')
        )
        SELECT pg_catalog.string_agg(m.problem, '; ' ORDER BY m.problem) INTO problems
        FROM (SELECT pg_catalog.pg_describe_object(b.classid, b.objid, 0) || ' is not listed' AS problem
              FROM members b
              WHERE NOT EXISTS (SELECT FROM listed l WHERE l.classid = b.classid AND l.objid = b.objid)
              UNION ALL
              SELECT l.object || ' is not a function, table, view or sequence of the extension'
              FROM listed l
              WHERE NOT EXISTS (SELECT FROM members b WHERE b.classid = l.classid AND b.objid = l.objid)
              UNION ALL
              SELECT pg_catalog.string_agg(l.object, ' and ' ORDER BY l.object) || ' name the same object'
              FROM listed l
              GROUP BY l.classid, l.objid
              HAVING pg_catalog.count(*) > 1) m;
        IF problems IS NOT NULL THEN
            RAISE EXCEPTION 'session_clock.privileges does not list the extension''s objects'
                USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = problems,
                      HINT = 'A script lists every function, table, view and sequence it creates, and deletes the rows of those it drops.';
        END IF;

        FOR o IN
            SELECT p.audience,
                   CASE WHEN p.kind = 'function' THEN 'FUNCTION ' || f.oid::pg_catalog.regprocedure::text
                        WHEN c.relkind = 'S' THEN 'SEQUENCE ' || c.oid::pg_catalog.regclass::text
                        ELSE 'TABLE ' || c.oid::pg_catalog.regclass::text END AS target,
                   CASE p.kind WHEN 'function' THEN 'EXECUTE' ELSE 'SELECT' END AS privilege,
                   CASE WHEN p.kind = 'function' THEN COALESCE(f.proacl, pg_catalog.acldefault('f', f.proowner))
                        WHEN c.relkind = 'S' THEN COALESCE(c.relacl, pg_catalog.acldefault('s', c.relowner))
                        ELSE COALESCE(c.relacl, pg_catalog.acldefault('r', c.relowner)) END AS acl
            FROM session_clock.privileges p
            LEFT JOIN pg_catalog.pg_proc f
                   ON f.oid = CASE p.kind WHEN 'function' THEN pg_catalog.to_regprocedure(p.object) END
            LEFT JOIN pg_catalog.pg_class c
                   ON c.oid = CASE p.kind WHEN 'relation' THEN pg_catalog.to_regclass(p.object) END
            ORDER BY p.object
        LOOP
            IF o.audience = 'public' THEN
                IF NOT EXISTS (SELECT FROM pg_catalog.aclexplode(o.acl) a
                               WHERE a.grantee = 0 AND a.privilege_type = o.privilege) THEN
                    EXECUTE pg_catalog.format('GRANT %s ON %s TO PUBLIC', o.privilege, o.target);
                END IF;
            ELSE
                IF EXISTS (SELECT FROM pg_catalog.aclexplode(o.acl) a WHERE a.grantee = 0) THEN
                    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', o.target);
                END IF;
                IF EXISTS (SELECT FROM pg_catalog.aclexplode(o.acl) a WHERE a.grantee = anon_role) THEN
                    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM anon', o.target);
                END IF;
            END IF;
            FOREACH role_name IN ARRAY CASE o.audience WHEN 'authenticated' THEN ARRAY['authenticated', 'service_role']
                                                       WHEN 'service_role' THEN ARRAY['service_role']
                                                       ELSE '{}'::text[] END LOOP
                IF EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = role_name)
                   AND NOT EXISTS (SELECT FROM pg_catalog.aclexplode(o.acl) a
                                   JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
                                   WHERE r.rolname = role_name AND a.privilege_type = o.privilege) THEN
                    EXECUTE pg_catalog.format('GRANT %s ON %s TO %I', o.privilege, o.target, role_name);
                END IF;
            END LOOP;
        END LOOP;
        -- The defaults are service_role's to change (the extension's
        -- equivalents are superuser-only settings).
        IF EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = 'service_role')
           AND NOT pg_catalog.has_table_privilege('service_role', 'session_clock.settings', 'UPDATE') THEN
            GRANT UPDATE ON session_clock.settings TO service_role;
        END IF;
    END
    $$;

-- Rows of objects a later version dropped (the privileges check refuses
-- rows that name nothing).
DELETE FROM session_clock.privileges p WHERE p.object IN ('public.session_clock_room_create(text, text)');
INSERT INTO session_clock.privileges AS p (object, kind, audience) VALUES
    -- Server time and the pure elapsed_ms: anyone, anon included.
    ('session_clock.server_now()',                                         'function', 'public'),
    ('session_clock.server_now_ms()',                                      'function', 'public'),
    ('session_clock.server_time_status()',                                 'function', 'public'),
    ('public.session_clock_server_time()',                                 'function', 'public'),
    ('session_clock.elapsed_ms(session_clock.sessions, timestamptz)',      'function', 'public'),
    ('session_clock.portable_version()',                                   'function', 'public'),
    ('session_clock.portable_settings()',                                  'function', 'public'),
    -- The RPCs an app calls for its end users (each checks the caller).
    ('public.session_clock_start(uuid)',                                   'function', 'authenticated'),
    ('public.session_clock_get(uuid)',                                     'function', 'authenticated'),
    ('public.session_clock_pause(uuid, text)',                             'function', 'authenticated'),
    ('public.session_clock_resume(uuid, text)',                            'function', 'authenticated'),
    ('public.session_clock_stop(uuid, text)',                              'function', 'authenticated'),
    ('public.session_clock_add_member(uuid, text, text)',                  'function', 'authenticated'),
    ('public.session_clock_remove_member(uuid, text)',                     'function', 'authenticated'),
    ('public.session_clock_members(uuid)',                                 'function', 'authenticated'),
    ('session_clock.caller_access(uuid)',                                  'function', 'authenticated'),
    ('session_clock.replay(uuid)',                                         'function', 'authenticated'),
    ('public.session_clock_presence(uuid, text, boolean)',                 'function', 'authenticated'),
    ('public.session_clock_configure(uuid, integer, integer, boolean)',    'function', 'authenticated'),
    ('public.session_clock_room_create(text, text, boolean)',              'function', 'authenticated'),
    ('public.session_clock_room_join(text, text)',                         'function', 'authenticated'),
    ('public.session_clock_room_leave(text, text)',                        'function', 'authenticated'),
    ('public.session_clock_room_state(text)',                              'function', 'authenticated'),
    ('public.session_clock_room_play(text, text, text, text, double precision, integer, text, text)',
                                                                           'function', 'authenticated'),
    ('public.session_clock_room_pause(text, double precision, integer, text, text)',
                                                                           'function', 'authenticated'),
    ('public.session_clock_room_seek(text, double precision, integer, text, text)',
                                                                           'function', 'authenticated'),
    ('public.session_clock_room_stop(text, text, text)',                   'function', 'authenticated'),
    ('public.session_clock_room_set_host(text, text, text)',               'function', 'authenticated'),
    ('public.session_clock_room_ready(text, bigint, text)',                'function', 'authenticated'),
    -- The worker's functions (each refuses anyone but an admin).
    ('session_clock.require_admin()',                                      'function', 'service_role'),
    ('session_clock.record_presence(uuid, text, text, uuid, boolean, text)', 'function', 'service_role'),
    ('session_clock.apply_due_deadlines(integer)',                         'function', 'service_role'),
    ('session_clock.worker_heartbeat(uuid, integer, text)',                'function', 'service_role'),
    ('session_clock.worker_goodbye(uuid)',                                 'function', 'service_role'),
    ('session_clock.livekit_event(text, text, uuid, text, text, text, text)', 'function', 'service_role'),
    ('session_clock.livekit_rooms_to_reconcile(integer)',                  'function', 'service_role'),
    ('session_clock.livekit_reconcile(uuid, text, timestamptz, text, jsonb)', 'function', 'service_role'),
    ('session_clock.claim_device(uuid, text, text)',                       'function', 'service_role'),
    ('session_clock.room_join_guest(text, text, text, integer)',           'function', 'service_role'),
    -- Helpers the SECURITY DEFINER functions call, and the routine above.
    ('session_clock.check_participant_id(text)',                           'function', 'owner'),
    ('session_clock.early_presence_limits()',                              'function', 'owner'),
    ('session_clock.lock_unborn_session(uuid)',                            'function', 'owner'),
    ('session_clock.early_presence_put(uuid, text, boolean)',              'function', 'owner'),
    ('session_clock.early_presence_take(uuid)',                            'function', 'owner'),
    ('session_clock.livekit_note(uuid, text, text, text, text, text)',     'function', 'owner'),
    ('session_clock.livekit_presence_of(uuid, text[])',                    'function', 'owner'),
    ('session_clock.apply_privileges()',                                   'function', 'owner'),
    ('session_clock.settings_keep_one()',                                  'function', 'owner'),
    ('session_clock.settings_changed()',                                   'function', 'owner'),
    -- What service_role reads (the worker, billing and admin tools).
    ('session_clock.sessions',                                             'relation', 'service_role'),
    ('session_clock.session_members',                                      'relation', 'service_role'),
    ('session_clock.session_events',                                       'relation', 'service_role'),
    ('session_clock.workers',                                              'relation', 'service_role'),
    ('session_clock.presence',                                             'relation', 'service_role'),
    ('session_clock.rooms',                                                'relation', 'service_role'),
    ('session_clock.room_members',                                         'relation', 'service_role'),
    ('session_clock.room_events',                                          'relation', 'service_role'),
    ('session_clock.early_presence',                                       'relation', 'service_role'),
    ('session_clock.device_claims',                                        'relation', 'service_role'),
    ('session_clock.stranded_sessions',                                    'relation', 'service_role'),
    ('session_clock.privileges',                                           'relation', 'service_role'),
    ('session_clock.settings',                                             'relation', 'service_role'),
    -- The LiveKit bookkeeping and the sequences: the owner's alone.
    ('session_clock.livekit_webhook_events',                               'relation', 'owner'),
    ('session_clock.livekit_connections',                                  'relation', 'owner'),
    ('session_clock.session_events_id_seq',                                'relation', 'owner'),
    ('session_clock.room_events_id_seq',                                   'relation', 'owner'),
    ('session_clock.early_presence_id_seq',                                'relation', 'owner')
ON CONFLICT (object) DO UPDATE SET kind = EXCLUDED.kind, audience = EXCLUDED.audience
    WHERE (p.kind, p.audience) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.audience);

DO $apply$
BEGIN
    PERFORM session_clock.apply_privileges();
    -- The helpers: the owner's alone, but caller(). Supabase's default
    -- privileges may have granted anon EXECUTE: take it back.
    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA session_clock_portable FROM PUBLIC;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = 'anon') THEN
        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA session_clock_portable FROM anon;
    END IF;
    -- require_admin() runs as service_role and asks caller().
    IF EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = 'service_role') THEN
        GRANT USAGE ON SCHEMA session_clock_portable TO service_role;
        GRANT EXECUTE ON FUNCTION session_clock_portable.caller() TO service_role;
    END IF;
END
$apply$;

COMMIT;
