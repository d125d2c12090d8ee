-- session_clock 1.1 -> 1.2: host-driven scheduled playback rooms.
--
-- A room's playback is the session clock's arithmetic anchored at a
-- scheduled start (extension/core/playback_model.hpp): status, the track, and
-- start_at / start_position_ms, the position the playback has at start_at.
-- Every change is scheduled lead_ms ahead by the database's clock, logged as
-- an event and announced with NOTIFY, so every worker tells its own members
-- the same instant (docs/rooms.md).

\echo Use "ALTER EXTENSION session_clock UPDATE TO '1.2'" to load this file. \quit

CREATE TABLE session_clock.rooms (
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

CREATE TABLE session_clock.room_members (
    code           text        NOT NULL REFERENCES session_clock.rooms (code) ON DELETE CASCADE,
    participant_id text        NOT NULL CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    joined_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    ready_version  bigint,     -- the room version this member said READY for
    PRIMARY KEY (code, participant_id)
);
-- Room answers list the first members in join order: read from this index,
-- not by sorting a big room's every member.
CREATE INDEX room_members_order_idx ON session_clock.room_members (code, joined_at, participant_id);

CREATE TABLE session_clock.room_events (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code              text        NOT NULL REFERENCES session_clock.rooms (code) ON DELETE CASCADE,
    version           bigint      NOT NULL,
    event             text        NOT NULL CHECK (event IN ('create', 'play', 'pause', 'seek', 'stop', 'host')),
    actor             text        NOT NULL,
    at                timestamptz NOT NULL,   -- when the command was committed
    start_at          timestamptz,            -- when it takes effect
    start_position_ms double precision,
    track_url         text,
    request_id        text,
    UNIQUE (code, version),
    UNIQUE (code, request_id)                 -- a repeated request is applied once
);

SELECT pg_catalog.pg_extension_config_dump('session_clock.rooms', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.room_members', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.room_events', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.room_events_id_seq', '');

-- What every room RPC returns: the state, the moment of the answer, the
-- position then, and the members with their readiness.
CREATE TYPE session_clock.room_state AS (
    code              text,
    host              text,
    status            text,              -- idle, preparing (playing, start_at ahead), playing, paused
    track_url         text,
    title             text,
    filename          text,
    start_at          timestamptz,
    start_position_ms double precision,
    lead_ms           integer,
    version           bigint,
    server_now        timestamptz,
    position_ms       double precision,  -- at server_now
    members           jsonb,             -- [{"id":…, "ready":bool}]: the first 200 in join order
    member_count      integer,
    changed           boolean            -- false: a no-op or a repeated request id
);

------------------------------------------------------------------------------
-- RPCs. An end user acts as its JWT sub (p_as must be NULL or the sub); an
-- admin (the worker, the app's backend) acts for p_as, or for itself when
-- p_as is NULL. Host-only commands refuse everyone else with 42501.
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.session_clock_room_create(p_code text DEFAULT NULL, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_create';
COMMENT ON FUNCTION @extschema@.session_clock_room_create(text, text) IS
    'creates a room (a random 6-character code unless one is given); the creator is its host and first member';

CREATE FUNCTION @extschema@.session_clock_room_join(p_code text, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_join';

CREATE FUNCTION @extschema@.session_clock_room_leave(p_code text, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_leave';

CREATE FUNCTION @extschema@.session_clock_room_state(p_code text)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_state';
COMMENT ON FUNCTION @extschema@.session_clock_room_state(text) IS
    'the room as a late joiner needs it: everything to compute the position now';

CREATE FUNCTION @extschema@.session_clock_room_play(p_code text, p_track_url text, p_title text DEFAULT NULL,
        p_filename text DEFAULT NULL, p_start_position_sec double precision DEFAULT 0,
        p_lead_ms integer DEFAULT NULL, p_request_id text DEFAULT NULL, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_play';
COMMENT ON FUNCTION @extschema@.session_clock_room_play(text, text, text, text, double precision, integer, text, text) IS
    'host only: plays the track from p_start_position_sec at now + lead (NULL lead: the room''s)';

CREATE FUNCTION @extschema@.session_clock_room_pause(p_code text, p_position_sec double precision DEFAULT NULL,
        p_lead_ms integer DEFAULT NULL, p_request_id text DEFAULT NULL, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_pause';

CREATE FUNCTION @extschema@.session_clock_room_seek(p_code text, p_position_sec double precision,
        p_lead_ms integer DEFAULT NULL, p_request_id text DEFAULT NULL, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_seek';

CREATE FUNCTION @extschema@.session_clock_room_stop(p_code text, p_request_id text DEFAULT NULL,
        p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_stop';

CREATE FUNCTION @extschema@.session_clock_room_set_host(p_code text, p_new_host text, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_set_host';
COMMENT ON FUNCTION @extschema@.session_clock_room_set_host(text, text, text) IS
    'host only: hands the room over to another member';

CREATE FUNCTION @extschema@.session_clock_room_ready(p_code text, p_version bigint, p_as text DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_ready';
COMMENT ON FUNCTION @extschema@.session_clock_room_ready(text, bigint, text) IS
    'a member has buffered the room''s version p_version; never delays the scheduled start';

DO $grants$
DECLARE
    ext_schema text := (SELECT n.nspname FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
                        WHERE x.extname = 'session_clock');
    fn regprocedure;
    room_functions regprocedure[] := ARRAY[
        pg_catalog.format('%I.session_clock_room_create(text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_join(text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_leave(text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_state(text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_play(text, text, text, text, double precision, integer, text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_pause(text, double precision, integer, text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_seek(text, double precision, integer, text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_stop(text, text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_set_host(text, text, text)', ext_schema),
        pg_catalog.format('%I.session_clock_room_ready(text, bigint, text)', ext_schema)
    ]::regprocedure[];
    has_anon boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'anon');
    has_authenticated boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticated');
    has_service_role boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'service_role');
BEGIN
    FOREACH fn IN ARRAY room_functions LOOP
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
        GRANT SELECT ON session_clock.rooms, session_clock.room_members, session_clock.room_events TO service_role;
    END IF;
END
$grants$;
