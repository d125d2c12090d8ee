-- session_clock 1.0 -> 1.1: presence and grace-period auto-pause.
--
-- Presence (who is in a call) is reported by SQL, by workers for their
-- WebSocket clients, and by LiveKit webhooks; it lives in
-- session_clock.presence and is counted per session under the session's row
-- lock. Once a session's presence is tracked, a running clock with fewer than
-- min_participants present gets a grace deadline in its row; the first writer
-- after the deadline (a worker's apply_due_deadlines, or any RPC on the
-- session) pauses it as of the deadline, exactly once (docs/grace.md).

\echo Use "ALTER EXTENSION session_clock UPDATE TO '1.1'" to load this file. \quit

------------------------------------------------------------------------------
-- Session rows: the grace rule's configuration and state.
------------------------------------------------------------------------------
ALTER TABLE session_clock.sessions
    ADD COLUMN min_participants  integer CHECK (min_participants BETWEEN 0 AND 10000),
    ADD COLUMN grace_ms          integer CHECK (grace_ms BETWEEN 0 AND 86400000),
    ADD COLUMN presence_tracked  boolean NOT NULL DEFAULT false,
    ADD COLUMN participants      integer NOT NULL DEFAULT 0 CHECK (participants >= 0),
    ADD COLUMN grace_deadline_at timestamptz CHECK (pg_catalog.isfinite(grace_deadline_at)),
    ADD COLUMN auto_paused       boolean NOT NULL DEFAULT false,
    ADD CHECK (grace_deadline_at IS NULL OR (NOT is_paused AND ended_at IS NULL)),
    ADD CHECK (NOT auto_paused OR is_paused);
COMMENT ON COLUMN session_clock.sessions.min_participants IS 'NULL: the session_clock.min_participants setting (default 2); 0 switches auto-pause off';
COMMENT ON COLUMN session_clock.sessions.grace_ms IS 'NULL: the session_clock.grace_ms setting (default 30000)';
COMMENT ON COLUMN session_clock.sessions.presence_tracked IS 'presence was reported or grace configured: only then does the grace rule apply';
COMMENT ON COLUMN session_clock.sessions.participants IS 'distinct participants present (any source), kept under the row lock';
COMMENT ON COLUMN session_clock.sessions.grace_deadline_at IS 'when the clock pauses unless enough participants are back; the pause is dated at this time';
COMMENT ON COLUMN session_clock.sessions.auto_paused IS 'paused by the grace rule, so it resumes when enough participants are back';
-- Workers find the next deadline with min() over this index.
CREATE INDEX sessions_grace_deadline_idx ON session_clock.sessions (grace_deadline_at)
    WHERE grace_deadline_at IS NOT NULL;

------------------------------------------------------------------------------
-- The event log gains presence and grace events (they count versions, they
-- do not move the clock; replay skips them).
------------------------------------------------------------------------------
ALTER TABLE session_clock.session_events
    DROP CONSTRAINT session_events_event_check,
    ADD CONSTRAINT session_events_event_check CHECK (event IN
        ('start', 'pause', 'resume', 'stop', 'join', 'leave', 'grace_start', 'grace_cancel', 'configure', 'hold')),
    ADD COLUMN participant_id text,
    ADD COLUMN deadline_at timestamptz;
COMMENT ON COLUMN session_clock.session_events.participant_id IS 'join/leave: who';
COMMENT ON COLUMN session_clock.session_events.deadline_at IS 'grace_start: the deadline set';
COMMENT ON COLUMN session_clock.session_events.event IS
    'start/pause/resume/stop move the clock; join/leave (presence), grace_start/grace_cancel, configure and hold (a person took over an automatic pause) only count versions';

------------------------------------------------------------------------------
-- Workers and their leases: presence a worker reported dies with its lease.
------------------------------------------------------------------------------
CREATE TABLE session_clock.workers (
    id               uuid        PRIMARY KEY,
    lease_expires_at timestamptz NOT NULL,
    registered_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    description      text        CHECK (pg_catalog.length(description) <= 200)
);

-- One row per (participant, source): present while the row exists.
-- source 'websocket' rows belong to the worker whose client it is.
CREATE TABLE session_clock.presence (
    session_id     uuid        NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    participant_id text        NOT NULL CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    source         text        NOT NULL CHECK (source IN ('sql', 'websocket', 'livekit')),
    worker_id      uuid        REFERENCES session_clock.workers (id) ON DELETE CASCADE,
    since          timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CHECK ((source = 'websocket') = (worker_id IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (session_id, participant_id, source, worker_id)
);
CREATE INDEX presence_worker_idx ON session_clock.presence (worker_id) WHERE worker_id IS NOT NULL;

------------------------------------------------------------------------------
-- LiveKit webhooks: event ids seen (duplicates are dropped), and each
-- connection's join/leave as two flags, so the order events arrive in does
-- not matter: a connection is present iff it joined and has not left.
------------------------------------------------------------------------------
CREATE TABLE session_clock.livekit_webhook_events (
    event_id    text        PRIMARY KEY CHECK (pg_catalog.length(event_id) BETWEEN 1 AND 200),
    received_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
CREATE TABLE session_clock.livekit_connections (
    session_id      uuid    NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    room_sid        text    NOT NULL,
    participant_sid text    NOT NULL,   -- '' is the room itself (room_finished)
    identity        text    NOT NULL,
    joined          boolean NOT NULL DEFAULT false,
    gone            boolean NOT NULL DEFAULT false,
    PRIMARY KEY (session_id, room_sid, participant_sid)
);

SELECT pg_catalog.pg_extension_config_dump('session_clock.workers', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.presence', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.livekit_webhook_events', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.livekit_connections', '');

------------------------------------------------------------------------------
-- The RPC result types carry the grace state too (appended: a 1.1 library
-- still answers a 1.0 schema's functions with the 1.0 shape).
------------------------------------------------------------------------------
ALTER TYPE session_clock.clock_reading
    ADD ATTRIBUTE participants integer,
    ADD ATTRIBUTE min_participants integer,     -- effective value
    ADD ATTRIBUTE grace_ms integer,             -- effective value
    ADD ATTRIBUTE grace_deadline_at timestamptz,
    ADD ATTRIBUTE auto_paused boolean;
ALTER TYPE session_clock.clock_change
    ADD ATTRIBUTE participants integer,
    ADD ATTRIBUTE min_participants integer,
    ADD ATTRIBUTE grace_ms integer,
    ADD ATTRIBUTE grace_deadline_at timestamptz,
    ADD ATTRIBUTE auto_paused boolean;

------------------------------------------------------------------------------
-- RPCs for apps.
------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.session_clock_presence(p_session_id uuid, p_participant_id text, p_present boolean)
    RETURNS session_clock.clock_change
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_presence';
COMMENT ON FUNCTION @extschema@.session_clock_presence(uuid, text, boolean) IS
    'reports a participant present or gone (source sql); an end user may report only itself; changed = its presence changed';

CREATE FUNCTION @extschema@.session_clock_configure(
        p_session_id uuid, p_min_participants integer DEFAULT NULL, p_grace_ms integer DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_configure';
COMMENT ON FUNCTION @extschema@.session_clock_configure(uuid, integer, integer) IS
    'sets min_participants / grace_ms for a session (NULL keeps the current value) and turns the grace rule on for it';

------------------------------------------------------------------------------
-- For workers (admin roles only).
------------------------------------------------------------------------------
-- The one writer of presence rows: locks the session, records the row,
-- logs join/leave when the participant's presence across sources changed,
-- and applies the grace rule. p_worker_id is required for 'websocket' and
-- must hold a live lease.
CREATE FUNCTION session_clock.record_presence(p_session_id uuid, p_participant_id text, p_source text,
        p_worker_id uuid, p_present boolean, p_reason text DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_record_presence';

-- Raises 42501 unless the calling role is an admin (superuser, the
-- extension's owner, service_role, or a role acting without JWT claims):
-- the plpgsql worker functions below start with it.
CREATE FUNCTION session_clock.require_admin() RETURNS void
    LANGUAGE c VOLATILE PARALLEL RESTRICTED
    AS 'MODULE_PATHNAME', 'session_clock_require_admin';

-- Pauses every session whose deadline has passed, as of its deadline, up to
-- p_limit of them (rows another transaction holds are skipped, so any number
-- of workers may call it at once); then how long until the next deadline.
CREATE FUNCTION session_clock.apply_due_deadlines(p_limit integer DEFAULT 1000,
        OUT applied integer, OUT next_due_in_ms double precision)
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_apply_due_deadlines';

-- Registers or renews a worker's lease, then ends the presence of workers
-- whose lease ran out. registered: the row was (re)created, so the worker
-- must report its clients' presence again.
CREATE FUNCTION session_clock.worker_heartbeat(p_worker_id uuid, p_lease_ms integer,
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

-- A worker shutting down cleanly: its clients leave now, not at lease expiry.
CREATE FUNCTION session_clock.worker_goodbye(p_worker_id uuid) RETURNS integer
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

-- One verified LiveKit webhook (the worker checks the signature). Returns
-- 'applied', 'duplicate' (event id seen before), 'unknown_session' or
-- 'ignored' (an event kind that says nothing about presence).
CREATE FUNCTION session_clock.livekit_event(p_event_id text, p_event text, p_session_id uuid,
        p_room_sid text, p_participant_sid text, p_identity text)
    RETURNS text
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        room text := COALESCE(p_room_sid, '');
        who record;
    BEGIN
        PERFORM session_clock.require_admin();
        IF p_event_id IS NULL OR p_event IS NULL OR p_session_id IS NULL THEN
            RAISE EXCEPTION 'p_event_id, p_event and p_session_id must not be null' USING ERRCODE = '22004';
        END IF;
        IF pg_catalog.length(p_event_id) NOT BETWEEN 1 AND 200 THEN
            RAISE EXCEPTION 'p_event_id must be 1 to 200 characters' USING ERRCODE = '22023';
        END IF;
        IF p_event NOT IN ('participant_joined', 'participant_left', 'participant_connection_aborted',
                           'room_finished') THEN
            RETURN 'ignored';
        END IF;
        IF p_event <> 'room_finished' AND (p_participant_sid IS NULL OR p_identity IS NULL) THEN
            RAISE EXCEPTION '% needs p_participant_sid and p_identity', p_event USING ERRCODE = '22004';
        END IF;
        IF p_event <> 'room_finished' AND p_participant_sid = '' THEN
            -- '' names the room itself in livekit_connections
            RAISE EXCEPTION 'p_participant_sid must not be empty' USING ERRCODE = '22023';
        END IF;
        -- Every webhook of a session in turn: each one sees the others' rows.
        PERFORM FROM session_clock.sessions s WHERE s.id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            RETURN 'unknown_session';
        END IF;
        INSERT INTO session_clock.livekit_webhook_events (event_id) VALUES (p_event_id)
            ON CONFLICT (event_id) DO NOTHING;
        IF NOT FOUND THEN
            RETURN 'duplicate';
        END IF;
        IF p_event = 'participant_joined' THEN
            INSERT INTO session_clock.livekit_connections AS c
                    (session_id, room_sid, participant_sid, identity, joined)
                VALUES (p_session_id, room, p_participant_sid, p_identity, true)
                ON CONFLICT (session_id, room_sid, participant_sid) DO UPDATE SET joined = true;
        ELSE
            -- A leave (or the room's end) may arrive before its join: the
            -- flag waits for it. A finished room ends all its connections.
            INSERT INTO session_clock.livekit_connections AS c
                    (session_id, room_sid, participant_sid, identity, gone)
                VALUES (p_session_id, room, COALESCE(p_participant_sid, ''),
                        COALESCE(p_identity, ''), true)
                ON CONFLICT (session_id, room_sid, participant_sid) DO UPDATE SET gone = true;
        END IF;
        -- Reconcile every identity the event may have changed (its own, or
        -- everyone in a finished room) against all of that identity's
        -- connection rows, in every room, never against the event alone.
        FOR who IN
            SELECT c.identity,
                   pg_catalog.bool_or(c.joined AND NOT c.gone AND NOT EXISTS (
                       SELECT FROM session_clock.livekit_connections r
                       WHERE r.session_id = c.session_id AND r.room_sid = c.room_sid
                         AND r.participant_sid = '' AND r.gone)) AS present
            FROM session_clock.livekit_connections c
            WHERE c.session_id = p_session_id AND c.participant_sid <> ''
              AND c.identity IN (SELECT a.identity FROM session_clock.livekit_connections a
                                 WHERE a.session_id = p_session_id AND a.participant_sid <> ''
                                   AND (a.identity = p_identity OR (p_event = 'room_finished' AND a.room_sid = room)))
            GROUP BY c.identity
            ORDER BY c.identity
        LOOP
            PERFORM session_clock.record_presence(p_session_id, who.identity, 'livekit', NULL,
                                                  who.present, p_event);
        END LOOP;
        RETURN 'applied';
    END
    $$;

------------------------------------------------------------------------------
-- Privileges, as in 1.0: the app-facing RPCs for authenticated and
-- service_role, the worker's functions for service_role; never PUBLIC/anon.
------------------------------------------------------------------------------
DO $grants$
DECLARE
    ext_schema text := (SELECT n.nspname FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
                        WHERE x.extname = 'session_clock');
    fn regprocedure;
    app_functions regprocedure[] := ARRAY[
        pg_catalog.format('%I.session_clock_presence(uuid, text, boolean)', ext_schema),
        pg_catalog.format('%I.session_clock_configure(uuid, integer, integer)', ext_schema)
    ]::regprocedure[];
    worker_functions regprocedure[] := ARRAY[
        'session_clock.require_admin()',
        'session_clock.record_presence(uuid, text, text, uuid, boolean, text)',
        'session_clock.apply_due_deadlines(integer)',
        'session_clock.worker_heartbeat(uuid, integer, text)',
        'session_clock.worker_goodbye(uuid)',
        'session_clock.livekit_event(text, text, uuid, text, text, text)'
    ]::regprocedure[];
    has_anon boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'anon');
    has_authenticated boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticated');
    has_service_role boolean := EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'service_role');
BEGIN
    FOREACH fn IN ARRAY app_functions || worker_functions LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
        IF has_anon THEN
            EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM anon', fn);
        END IF;
        IF has_service_role THEN
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO service_role', fn);
        END IF;
    END LOOP;
    IF has_authenticated THEN
        FOREACH fn IN ARRAY app_functions LOOP
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO authenticated', fn);
        END LOOP;
    END IF;
    IF has_service_role THEN
        GRANT SELECT ON session_clock.workers, session_clock.presence TO service_role;
    END IF;
END
$grants$;
