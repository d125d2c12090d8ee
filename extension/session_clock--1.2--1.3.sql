-- session_clock 1.2 -> 1.3: presence that can neither strand nor inflate a
-- bill, and the seeds' own clients working unchanged.
--
-- - Presence reported before its session exists (a LiveKit join, then the
--   app starts the clock; or an admin's session_clock_presence) is kept,
--   bounded in count and age, and counts from the moment the session starts.
-- - Removing a member ends its presence (session_clock_remove_member, in C)
--   and tells every worker (NOTIFY member_removed); a worker's presence
--   report for someone who is not a member is refused.
-- - LiveKit presence is reconciled with LiveKit's RoomService by the worker
--   (livekit_rooms_to_reconcile, livekit_reconcile), so a missed webhook
--   cannot leave a clock running or paused for hours.
-- - session_clock.stranded_sessions lists what should never be: a tracked
--   clock running below its minimum with no deadline pending, or paused
--   automatically while enough participants are present.
-- - Privileges become data: session_clock.privileges lists every function,
--   table, view and sequence with who may use it, and
--   session_clock.apply_privileges() grants and revokes accordingly. From
--   1.3 on, every script adds its objects to the table and calls the
--   routine instead of writing its own grants; the DO $grants$ blocks of
--   the 1.0, 1.1 and 1.2 scripts are kept as released (a database made at
--   1.0, 1.1 or 1.2 updates through exactly those files). This script
--   lists every object, old and new, and grants exactly what those blocks
--   and its own objects' grants did.
-- - server_time_status() reports seed 001's `server` (the setting
--   session_clock.server_label) and `last_sync` (in C).
-- - The database-wide defaults move to session_clock.settings, one row
--   shared with the portable edition and changed by the owner or
--   service_role; the superuser-only settings still apply where the row
--   leaves a value unset.
-- - Seed 003's single device: session_clock_configure gains
--   p_single_device; in such a session a user's newest connection wins
--   (claim_device, NOTIFY device_claimed) and the others leave, the
--   participant present throughout.
-- - Seed 004's guests: session_clock_room_create gains p_guests; the
--   worker adds tokenless guests with session_clock.room_join_guest.
-- - session_clock_get takes its owner's rights in C instead of being
--   SECURITY DEFINER (issue 18: the read path's fixed cost).
-- docs/grace.md tells the presence rules, docs/security.md the privileges,
-- docs/protocol.md ("Coming from …") the seeds.

\echo Use "ALTER EXTENSION session_clock UPDATE TO '1.3'" to load this file. \quit

------------------------------------------------------------------------------
-- Presence before the session exists.
------------------------------------------------------------------------------
-- The rule for participant ids (22023 unless 1 to 200 characters, not
-- blank, no control characters), for checks made in SQL.
CREATE FUNCTION session_clock.check_participant_id(p_participant_id text) RETURNS void
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'session_clock_check_participant_id';

-- Reports for a session id that has no row yet, in arrival order: an
-- admin's 'present' (source sql; 'gone' deletes it), and LiveKit webhook
-- events as they came. session_clock_start takes them (early_presence_take).
CREATE TABLE session_clock.early_presence (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id      uuid        NOT NULL,   -- no foreign key: the session does not exist yet
    source          text        NOT NULL CHECK (source IN ('sql', 'livekit')),
    event           text        NOT NULL CHECK (event IN ('present', 'participant_joined', 'participant_left',
                                                          'participant_connection_aborted', 'room_finished')),
    participant_id  text        CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),  -- LiveKit: identity
    room_sid        text,
    participant_sid text,
    room_name       text,
    received_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CHECK ((source = 'sql') = (event = 'present')),
    CHECK ((participant_id IS NULL) = (event = 'room_finished')),
    CHECK ((participant_sid IS NULL) = (event IN ('present', 'room_finished')))
);
CREATE INDEX early_presence_session_idx ON session_clock.early_presence (session_id, id);
CREATE UNIQUE INDEX early_presence_sql_idx ON session_clock.early_presence (session_id, participant_id)
    WHERE source = 'sql';
-- Stale reports are purged by range on every early write.
CREATE INDEX early_presence_received_idx ON session_clock.early_presence (received_at);
COMMENT ON TABLE session_clock.early_presence IS
    'presence reported before its session existed; taken when the session starts (bounded: session_clock.early_presence_limits())';

SELECT pg_catalog.pg_extension_config_dump('session_clock.early_presence', '');
SELECT pg_catalog.pg_extension_config_dump('session_clock.early_presence_id_seq', '');

-- The bounds, spelled once: reports older than max_age are ignored and
-- purged (a call scheduled later the same morning still counts; a room
-- whose session never starts leaves nothing behind), and a session that does
-- not exist keeps at most max_rows of them.
CREATE FUNCTION session_clock.early_presence_limits(OUT max_age interval, OUT max_rows integer)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT interval '6 hours', 200 $$;

-- Serialises the writers of early presence against the session's creation:
-- whoever finds no session row takes this lock and looks again, and
-- session_clock_start takes it right after inserting the row, so a report
-- either sees the session or is seen by its start, never neither.
CREATE FUNCTION session_clock.lock_unborn_session(p_session_id uuid) RETURNS void
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_catalog.pg_advisory_xact_lock(1396919371, pg_catalog.hashtext(p_session_id::text)) $$;
COMMENT ON FUNCTION session_clock.lock_unborn_session(uuid) IS
    'advisory lock (1396919371, hashtext(id)) held to the end of the transaction';

-- An admin's session_clock_presence for a session that does not exist yet
-- (the caller holds lock_unborn_session and found no row): present keeps the
-- report, gone drops it. changed: the kept state changed; participants: how
-- many are kept for the session now.
CREATE FUNCTION session_clock.early_presence_put(p_session_id uuid, p_participant_id text, p_present boolean,
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

------------------------------------------------------------------------------
-- LiveKit: connections remember their room's name (to ask LiveKit about it)
-- and when they were first seen (a reconciliation leaves newer ones alone).
------------------------------------------------------------------------------
ALTER TABLE session_clock.livekit_connections
    ADD COLUMN room_name text,
    ADD COLUMN seen_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp();
COMMENT ON COLUMN session_clock.livekit_connections.seen_at IS
    'when the first event of this connection was recorded (a reconciliation that listed the room earlier leaves it alone)';
-- The rooms worth reconciling: those holding LiveKit presence.
CREATE INDEX livekit_connections_live_idx ON session_clock.livekit_connections (session_id, room_name)
    WHERE joined AND NOT gone;

-- One event's mark on its connection: a join sets joined, a leave or the
-- room's end sets gone; the order they arrive in does not matter.
CREATE FUNCTION session_clock.livekit_note(p_session_id uuid, p_event text, p_room_sid text,
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

-- Whether each identity (all of the session's when p_identities is NULL)
-- is present through LiveKit: some connection joined, has not left, and its
-- room has not finished. Computed from every connection, never one event.
CREATE FUNCTION session_clock.livekit_presence_of(p_session_id uuid, p_identities text[])
    RETURNS TABLE (identity text, present boolean)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT c.identity,
               pg_catalog.bool_or(c.joined AND NOT c.gone AND NOT EXISTS (
                   SELECT FROM session_clock.livekit_connections r
                   WHERE r.session_id = c.session_id AND r.room_sid = c.room_sid
                     AND r.participant_sid = '' AND r.gone))
        FROM session_clock.livekit_connections c
        WHERE c.session_id = p_session_id AND c.participant_sid <> ''
          AND (p_identities IS NULL OR c.identity = ANY (p_identities))
        GROUP BY c.identity
        ORDER BY c.identity
    $$;

-- The 1.1 function gains the room's name (reconciliation asks LiveKit by
-- name) and keeps events for sessions that do not exist yet.
DROP FUNCTION session_clock.livekit_event(text, text, uuid, text, text, text);

-- One verified LiveKit webhook (the worker checks the signature). Returns
-- 'applied', 'pending' (kept until the session starts), 'duplicate' (event
-- id seen before), 'unknown_session' (no such session and no room to keep
-- more for it) or 'ignored' (a kind that says nothing about presence).
CREATE FUNCTION session_clock.livekit_event(p_event_id text, p_event text, p_session_id uuid,
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

-- Called by session_clock_start (C) right after it created the session and
-- took lock_unborn_session: applies the session's kept LiveKit events to
-- its connections in arrival order, drops every kept report, and returns
-- everyone reported with whether they are present now, per source (no rows:
-- nothing was reported). Only the extension's owner (the SECURITY DEFINER
-- start) may run it.
CREATE FUNCTION session_clock.early_presence_take(p_session_id uuid)
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

------------------------------------------------------------------------------
-- Reconciliation with LiveKit's RoomService (the worker asks LiveKit).
------------------------------------------------------------------------------
-- The rooms holding LiveKit presence in sessions still open, and the
-- database's time before the worker asks LiveKit about them (as_of).
CREATE FUNCTION session_clock.livekit_rooms_to_reconcile(p_limit integer DEFAULT 1000)
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

-- What LiveKit listed for a room (asked after p_as_of): p_room_sid NULL when
-- the room no longer exists, p_participants [{"sid":…,"identity":…}]. Every
-- connection of the room known before p_as_of and not listed has left; every
-- listed one has joined (a leave recorded meanwhile still wins). Then each
-- identity concerned is set present or gone with reason livekit_reconcile:
-- only real changes are logged. Returns how many identities changed.
CREATE FUNCTION session_clock.livekit_reconcile(p_session_id uuid, p_room_name text, p_as_of timestamptz,
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

------------------------------------------------------------------------------
-- The database-wide defaults, shared with the portable edition: one row
-- that only the owner and service_role may change. A NULL column is unset:
-- the setting of the same name (session_clock.grace_ms, .min_participants,
-- .server_label; superuser-only), else the built-in default. The row wins
-- because it is the one place both editions read (a database moved between
-- them keeps its defaults) and the only one service_role can change; the
-- settings still apply while it is unset, so a 1.2 database configured in
-- postgresql.conf or with ALTER DATABASE keeps its defaults on update
-- (docs/extension.md).
------------------------------------------------------------------------------
CREATE TABLE session_clock.settings (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    min_participants integer CHECK (min_participants BETWEEN 0 AND 10000),
    grace_ms         integer CHECK (grace_ms BETWEEN 0 AND 86400000),
    server_label     text    CHECK (server_label ~ '^[ -~]{1,64}$')
);
COMMENT ON TABLE session_clock.settings IS
    'the database-wide defaults: one row, changed by the owner or service_role; NULL: the setting of the same name (extension), else the built-in default';
INSERT INTO session_clock.settings (singleton) VALUES (true);
-- pg_dump keeps a changed row; the restore's CREATE EXTENSION writes the
-- unset one first, and settings_keep_one() turns the dump's INSERT into an
-- UPDATE of it.
CREATE FUNCTION session_clock.settings_keep_one() RETURNS trigger
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
CREATE TRIGGER settings_keep_one BEFORE INSERT ON session_clock.settings
    FOR EACH ROW EXECUTE FUNCTION session_clock.settings_keep_one();
-- Each backend keeps a copy of the row (a clock read touches the table only
-- after a change); this trigger tells every backend when to read it again.
CREATE FUNCTION session_clock.settings_changed() RETURNS trigger
    LANGUAGE c VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_settings_changed';
COMMENT ON FUNCTION session_clock.settings_changed() IS
    'trigger: a change of session_clock.settings reaches the copies the backends keep';
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON session_clock.settings
    FOR EACH STATEMENT EXECUTE FUNCTION session_clock.settings_changed();
SELECT pg_catalog.pg_extension_config_dump('session_clock.settings',
    'WHERE min_participants IS NOT NULL OR grace_ms IS NOT NULL OR server_label IS NOT NULL');

------------------------------------------------------------------------------
-- Alarms: tracked, open sessions in a state the grace rule never leaves
-- them in (a setting changed under them, a row edited by hand). A billing
-- team wants both counts at zero; the worker exports them to /metrics.
------------------------------------------------------------------------------
CREATE INDEX sessions_tracked_open_idx ON session_clock.sessions (id) WHERE presence_tracked AND ended_at IS NULL;

CREATE VIEW session_clock.stranded_sessions AS
    SELECT s.id AS session_id,
           CASE WHEN s.is_paused THEN 'auto_paused_while_present' ELSE 'running_without_deadline' END AS problem,
           s.participants,
           m.min_participants,
           s.last_state_change_at
    FROM session_clock.sessions s
    CROSS JOIN LATERAL (SELECT COALESCE(s.min_participants,
                                        (SELECT d.min_participants FROM session_clock.settings d),
                                        NULLIF(pg_catalog.current_setting('session_clock.min_participants', true), '')::integer,
                                        2) AS min_participants) m
    WHERE s.presence_tracked AND s.ended_at IS NULL AND m.min_participants > 0
      AND ((NOT s.is_paused AND s.participants < m.min_participants AND s.grace_deadline_at IS NULL)
           OR (s.auto_paused AND s.participants >= m.min_participants));
COMMENT ON VIEW session_clock.stranded_sessions IS
    'open tracked sessions running below their minimum with no deadline pending, or paused automatically while enough are present: both should never be';

------------------------------------------------------------------------------
-- The seeds' clients (docs/protocol.md, "Coming from …").
------------------------------------------------------------------------------
COMMENT ON FUNCTION session_clock.server_time_status() IS
    'the host clock discipline as the kernel reports it (ntp_adjtime): is_synced, offset_ms, maxerror_ms, esterror_ms, ...; server (session_clock.server_label) and last_sync (systemd-timesyncd, else null)';

-- Seed 003: one person, one device. The option is a session's own; the
-- claims are the worker's record of which connection each user's latest is.
ALTER TABLE session_clock.sessions ADD COLUMN single_device boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN session_clock.sessions.single_device IS
    '1.3: a user joining from another connection supersedes the one before (session_clock_configure p_single_device)';

CREATE TABLE session_clock.device_claims (
    session_id     uuid        NOT NULL REFERENCES session_clock.sessions (id) ON DELETE CASCADE,
    participant_id text        NOT NULL CHECK (pg_catalog.length(participant_id) BETWEEN 1 AND 200),
    device         text        NOT NULL CHECK (pg_catalog.length(device) BETWEEN 1 AND 200),
    claim          bigint      NOT NULL CHECK (claim > 0),
    claimed_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (session_id, participant_id)
);
COMMENT ON TABLE session_clock.device_claims IS
    'single-device sessions: each user''s latest connection (device, as the worker names it) and how many claims came before';
SELECT pg_catalog.pg_extension_config_dump('session_clock.device_claims', '');

-- A fourth parameter: DROP and CREATE (an overload beside the 1.1 function
-- would make every 3-argument call ambiguous). Positional and named calls of
-- 1.1 keep working; the grants come from the privileges table below.
DROP FUNCTION @extschema@.session_clock_configure(uuid, integer, integer);
CREATE FUNCTION @extschema@.session_clock_configure(
        p_session_id uuid, p_min_participants integer DEFAULT NULL, p_grace_ms integer DEFAULT NULL,
        p_single_device boolean DEFAULT NULL)
    RETURNS session_clock.clock_change
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_configure';
COMMENT ON FUNCTION @extschema@.session_clock_configure(uuid, integer, integer, boolean) IS
    'sets min_participants / grace_ms / single_device for a session (NULL keeps the current value) and turns the grace rule on for it, unless only single_device is set';

CREATE FUNCTION session_clock.claim_device(p_session_id uuid, p_participant_id text, p_device text)
    RETURNS bigint
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_claim_device';
COMMENT ON FUNCTION session_clock.claim_device(uuid, text, text) IS
    'for workers: the user joined a single-device session from p_device; numbers the claim and announces it (NOTIFY device_claimed) so their other connections leave; NULL when the session is not single-device';

-- Seed 004: guests without accounts. A room may admit guests: members
-- with no account, named by the worker (`guest:` ids, reserved for them)
-- and joined through session_clock.room_join_guest, never through the RPCs.
-- Such a room's code is a key anyone holding it can use: at least 10
-- characters (50 bits when drawn at random), so it cannot be guessed.
ALTER TABLE session_clock.rooms ADD COLUMN guests boolean NOT NULL DEFAULT false;
ALTER TABLE session_clock.rooms ADD CONSTRAINT rooms_guest_code_length
    CHECK (NOT guests OR pg_catalog.length(code) >= 10);
COMMENT ON COLUMN session_clock.rooms.guests IS
    '1.3: tokenless guests may join through the worker (session_clock_room_create p_guests)';
ALTER TABLE session_clock.room_members ADD COLUMN name text
    CHECK (name IS NULL OR pg_catalog.length(name) BETWEEN 1 AND 64);
COMMENT ON COLUMN session_clock.room_members.name IS
    '1.3: the name a guest gave, shown to the room';

-- A third parameter: DROP and CREATE, as session_clock_configure above.
DROP FUNCTION @extschema@.session_clock_room_create(text, text);
CREATE FUNCTION @extschema@.session_clock_room_create(p_code text DEFAULT NULL, p_as text DEFAULT NULL,
        p_guests boolean DEFAULT false)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_create';
COMMENT ON FUNCTION @extschema@.session_clock_room_create(text, text, boolean) IS
    'creates a room (a random code unless one is given: 6 characters, 10 when it admits guests); the creator is its host and first member';

CREATE FUNCTION session_clock.room_join_guest(p_code text, p_guest_id text, p_name text DEFAULT NULL,
        p_max_guests integer DEFAULT NULL)
    RETURNS session_clock.room_state
    LANGUAGE c VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'session_clock_room_join_guest';
COMMENT ON FUNCTION session_clock.room_join_guest(text, text, text, integer) IS
    'for workers: adds the guest p_guest_id (guest:…) to a room that admits guests, unless it already holds p_max_guests guests';

------------------------------------------------------------------------------
-- The hot read path without SECURITY DEFINER's per-call cost: the C code
-- reads the row without SQL text, takes the owner's rights itself for the
-- one membership query (schema- and operator-qualified), and so needs no
-- pinned search_path (docs/security.md; sql/security.sql plants operators).
------------------------------------------------------------------------------
ALTER FUNCTION @extschema@.session_clock_get(uuid) SECURITY INVOKER RESET search_path;

------------------------------------------------------------------------------
-- Privileges, as data. session_clock.privileges lists every function,
-- table, view and sequence of the extension with who may use it, and
-- session_clock.apply_privileges() makes the grants say exactly that. From
-- 1.3 on, every script lists the objects it creates (and deletes the rows
-- of those it drops), then calls the routine; the DO blocks of the 1.0, 1.1
-- and 1.2 scripts stay as released. docs/security.md states the model.
------------------------------------------------------------------------------
-- No pg_extension_config_dump: the scripts write the rows, so pg_dump leaves
-- them out and CREATE EXTENSION writes them again at a restore. Objects are
-- named as text: pg_upgrade refuses a table with a regprocedure column.
CREATE TABLE session_clock.privileges (
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

-- Makes each listed object's grants match its audience, for the roles that
-- exist (Supabase has anon, authenticated and service_role; plain
-- PostgreSQL may not): takes back what PUBLIC and anon hold unless the
-- audience is public, and grants the audience's roles EXECUTE on a
-- function or SELECT on a relation. It revokes only what is held and grants
-- only what is missing, so a second run changes nothing; it never takes
-- anything from authenticated or service_role. It refuses (55000) when the
-- list and the extension's functions and relations differ, so a script
-- cannot add an object and forget its privileges. The scripts run it as
-- the extension's owner; a superuser runs it again after creating the
-- Supabase roles.
CREATE FUNCTION session_clock.apply_privileges() RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        ext oid := (SELECT x.oid FROM pg_catalog.pg_extension x WHERE x.extname = 'session_clock');
        anon_role oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = 'anon');
        -- A trusted install by a non-superuser: the objects are the bootstrap
        -- superuser's, the extension the installer's, who is an admin and
        -- gets what the owner has (nothing more happens otherwise).
        installer oid := (SELECT x.extowner FROM pg_catalog.pg_extension x WHERE x.extname = 'session_clock');
        problems text;
        o record;
        role_name text;
    BEGIN
        -- The check first: every function and relation of the extension is
        -- listed once, and every row names one of them.
        WITH listed AS (
            SELECT p.object,
                   CASE p.kind WHEN 'function' THEN 'pg_catalog.pg_proc'::pg_catalog.regclass
                               ELSE 'pg_catalog.pg_class'::pg_catalog.regclass END AS classid,
                   CASE p.kind WHEN 'function' THEN pg_catalog.to_regprocedure(p.object)::oid
                               ELSE pg_catalog.to_regclass(p.object)::oid END AS objid
            FROM session_clock.privileges p
        ), members AS (
            SELECT d.classid, d.objid
            FROM pg_catalog.pg_depend d
            LEFT JOIN pg_catalog.pg_class c ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = d.objid
            WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = ext
              AND d.deptype = 'e'
              AND (d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass OR c.relkind IN ('r', 'v', 'S'))
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
                        ELSE COALESCE(c.relacl, pg_catalog.acldefault('r', c.relowner)) END AS acl,
                   COALESCE(f.proowner, c.relowner) AS owner
            FROM session_clock.privileges p
            -- (CASE: a function's name is not a relation's, nor the reverse)
            LEFT JOIN pg_catalog.pg_proc f
                   ON f.oid = CASE p.kind WHEN 'function' THEN pg_catalog.to_regprocedure(p.object) END
            LEFT JOIN pg_catalog.pg_class c
                   ON c.oid = CASE p.kind WHEN 'relation' THEN pg_catalog.to_regclass(p.object) END
            ORDER BY p.object
        LOOP
            -- PUBLIC (grantee 0) keeps EXECUTE (the default) on what is for
            -- everyone, and holds nothing on anything else.
            IF o.audience = 'public' THEN
                IF NOT EXISTS (SELECT FROM pg_catalog.aclexplode(o.acl) a
                               WHERE a.grantee = 0 AND a.privilege_type = o.privilege) THEN
                    EXECUTE pg_catalog.format('GRANT %s ON %s TO PUBLIC', o.privilege, o.target);
                END IF;
            ELSE
                IF EXISTS (SELECT FROM pg_catalog.aclexplode(o.acl) a WHERE a.grantee = 0) THEN
                    EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', o.target);
                END IF;
                -- Supabase's default privileges grant new functions in
                -- public to anon: take that back.
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
            IF installer <> o.owner AND NOT EXISTS (SELECT FROM pg_catalog.aclexplode(o.acl) a
                                                    WHERE a.grantee = installer AND a.privilege_type = o.privilege) THEN
                EXECUTE pg_catalog.format('GRANT %s ON %s TO %I', o.privilege, o.target,
                                          pg_catalog.pg_get_userbyid(installer));
            END IF;
        END LOOP;
        IF installer <> (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'session_clock.settings'::pg_catalog.regclass)
           AND NOT pg_catalog.has_table_privilege(installer, 'session_clock.settings', 'UPDATE') THEN
            EXECUTE pg_catalog.format('GRANT UPDATE ON session_clock.settings TO %I', pg_catalog.pg_get_userbyid(installer));
        END IF;
        -- The defaults are service_role's to change too.
        IF EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = 'service_role')
           AND NOT pg_catalog.has_table_privilege('service_role', 'session_clock.settings', 'UPDATE') THEN
            GRANT UPDATE ON session_clock.settings TO service_role;
        END IF;
    END
    $$;

-- Every object of 1.0 to 1.3 as the scripts' grants left it, and the two
-- above.
-- The RPCs are named without their schema here and qualified with the
-- extension's below (no @extschema@ inside quotes: CVE-2023-39417).
INSERT INTO session_clock.privileges (object, kind, audience)
SELECT CASE WHEN v.object LIKE 'session\_clock.%' THEN v.object
            ELSE pg_catalog.format('%I.%s', n.nspname, v.object) END,
       v.kind, v.audience
FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
CROSS JOIN (VALUES
    -- Server time and the pure elapsed_ms: anyone, anon included.
    ('session_clock.server_now()',                                         'function', 'public'),
    ('session_clock.server_now_ms()',                                      'function', 'public'),
    ('session_clock.server_time_status()',                                 'function', 'public'),
    ('session_clock_server_time()',                                        'function', 'public'),
    ('session_clock.elapsed_ms(session_clock.sessions, timestamptz)',      'function', 'public'),
    -- The RPCs an app calls for its end users (each checks the caller).
    ('session_clock_start(uuid)',                                          'function', 'authenticated'),
    ('session_clock_get(uuid)',                                            'function', 'authenticated'),
    ('session_clock_pause(uuid, text)',                                    'function', 'authenticated'),
    ('session_clock_resume(uuid, text)',                                   'function', 'authenticated'),
    ('session_clock_stop(uuid, text)',                                     'function', 'authenticated'),
    ('session_clock_add_member(uuid, text, text)',                         'function', 'authenticated'),
    ('session_clock_remove_member(uuid, text)',                            'function', 'authenticated'),
    ('session_clock_members(uuid)',                                        'function', 'authenticated'),
    ('session_clock.caller_access(uuid)',                                  'function', 'authenticated'),
    ('session_clock.replay(uuid)',                                         'function', 'authenticated'),
    ('session_clock_presence(uuid, text, boolean)',                        'function', 'authenticated'),
    ('session_clock_configure(uuid, integer, integer, boolean)',             'function', 'authenticated'),
    ('session_clock_room_create(text, text, boolean)',                     'function', 'authenticated'),
    ('session_clock_room_join(text, text)',                                'function', 'authenticated'),
    ('session_clock_room_leave(text, text)',                               'function', 'authenticated'),
    ('session_clock_room_state(text)',                                     'function', 'authenticated'),
    ('session_clock_room_play(text, text, text, text, double precision, integer, text, text)',
                                                                           'function', 'authenticated'),
    ('session_clock_room_pause(text, double precision, integer, text, text)',
                                                                           'function', 'authenticated'),
    ('session_clock_room_seek(text, double precision, integer, text, text)',
                                                                           'function', 'authenticated'),
    ('session_clock_room_stop(text, text, text)',                          'function', 'authenticated'),
    ('session_clock_room_set_host(text, text, text)',                      'function', 'authenticated'),
    ('session_clock_room_ready(text, bigint, text)',                       'function', 'authenticated'),
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
) AS v(object, kind, audience)
WHERE x.extname = 'session_clock';

SELECT session_clock.apply_privileges();
