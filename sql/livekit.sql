-- livekit: session_clock.livekit_event, one verified LiveKit webhook at a
-- time. Webhooks arrive late, twice, out of order, or as a leave without a
-- join; presence must come out right anyway: duplicates (by event id) are
-- dropped, and each connection (participant sid) is present iff its join
-- arrived and neither its leave nor its room's end did. A participant
-- (identity) is present while any of its connections is.
--
-- Answers: 'applied', 'pending', 'duplicate', 'unknown_session', 'ignored'; NULLs are
-- 22004. Who may call it is presence.sql's. Runs as the regression
-- superuser. The grace rule is switched off (min 0) on the main session so
-- that the log shows only joins and leaves.
\set s '77777777-0000-0000-0000-000000000001'
\set g '77777777-0000-0000-0000-000000000002'
\set unknown '77777777-0000-0000-0000-000000000009'

-- What an error or a dropped webhook must leave as it was: every table of
-- the extension (pg_temp.fingerprint(), which webhook() below uses too).
\i sql/include/try.sql

-- why: one webhook and what it left: the answer, who is present afterwards
-- (through LiveKit), the participant count, the events it logged, and
-- whether it changed anything at all.
CREATE FUNCTION pg_temp.webhook(p_session uuid, p_event_id text, p_event text, p_room text, p_sid text,
        p_identity text, OUT result text, OUT present text, OUT participants integer, OUT logged text,
        OUT unchanged boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    before text := pg_temp.fingerprint();
    version_before bigint := (SELECT s.version FROM session_clock.sessions s WHERE s.id = p_session);
BEGIN
    result := session_clock.livekit_event(p_event_id, p_event, p_session, p_room, p_sid, p_identity);
    present := (SELECT coalesce(string_agg(p.participant_id, ' ' ORDER BY p.participant_id), '')
                FROM session_clock.presence p WHERE p.session_id = p_session AND p.source = 'livekit');
    participants := (SELECT s.participants FROM session_clock.sessions s WHERE s.id = p_session);
    logged := (SELECT coalesce(string_agg(e.event || coalesce(' ' || e.participant_id, ''), ', ' ORDER BY e.version), '')
               FROM session_clock.session_events e WHERE e.session_id = p_session AND e.version > version_before);
    unchanged := pg_temp.fingerprint() = before;
END
$$;

SELECT changed FROM session_clock_start(:'s');
SELECT changed, min_participants FROM session_clock_configure(:'s', 0);

------------------------------------------------------------------------------
-- A join, and the same webhook again
------------------------------------------------------------------------------
-- why: alice joins room RM_A through connection PA_1.
SELECT * FROM pg_temp.webhook(:'s', 'EV_01', 'participant_joined', 'RM_A', 'PA_1', 'alice');
-- why: LiveKit retries: the same event id is a duplicate and changes
-- nothing, whatever it says this time (here, a leave).
SELECT * FROM pg_temp.webhook(:'s', 'EV_01', 'participant_joined', 'RM_A', 'PA_1', 'alice');
SELECT * FROM pg_temp.webhook(:'s', 'EV_01', 'participant_left', 'RM_A', 'PA_1', 'alice');

------------------------------------------------------------------------------
-- Out of order: a leave before its join
------------------------------------------------------------------------------
-- why: bob's leave arrives first: he was never present, so nothing is
-- logged; his join arriving late does not make him present.
SELECT * FROM pg_temp.webhook(:'s', 'EV_02', 'participant_left', 'RM_A', 'PB_1', 'bob');
SELECT * FROM pg_temp.webhook(:'s', 'EV_03', 'participant_joined', 'RM_A', 'PB_1', 'bob');

------------------------------------------------------------------------------
-- One identity, two connections
------------------------------------------------------------------------------
-- why: alice reconnects (a new participant sid, PA_2) before the leave of
-- her old connection arrives: she stays present throughout, with no
-- leave/join in the log; the leave of her last connection ends her.
SELECT * FROM pg_temp.webhook(:'s', 'EV_04', 'participant_joined', 'RM_A', 'PA_2', 'alice');
SELECT * FROM pg_temp.webhook(:'s', 'EV_05', 'participant_left', 'RM_A', 'PA_1', 'alice');
SELECT * FROM pg_temp.webhook(:'s', 'EV_06', 'participant_left', 'RM_A', 'PA_2', 'alice');
-- why: the same with the new join arriving last (old join, old leave, new
-- join): carol ends present.
SELECT * FROM pg_temp.webhook(:'s', 'EV_07', 'participant_joined', 'RM_A', 'PC_1', 'carol');
SELECT * FROM pg_temp.webhook(:'s', 'EV_08', 'participant_left', 'RM_A', 'PC_1', 'carol');
SELECT * FROM pg_temp.webhook(:'s', 'EV_09', 'participant_joined', 'RM_A', 'PC_2', 'carol');
-- why: an aborted connection is a leave too.
SELECT * FROM pg_temp.webhook(:'s', 'EV_10', 'participant_joined', 'RM_A', 'PD_1', 'dave');
SELECT * FROM pg_temp.webhook(:'s', 'EV_11', 'participant_connection_aborted', 'RM_A', 'PD_1', 'dave');

------------------------------------------------------------------------------
-- The room ends
------------------------------------------------------------------------------
-- why: erin joins too; then room_finished ends everyone in room RM_A (one
-- leave each, by identity), with no participant named.
SELECT * FROM pg_temp.webhook(:'s', 'EV_12', 'participant_joined', 'RM_A', 'PE_1', 'erin');
SELECT * FROM pg_temp.webhook(:'s', 'EV_13', 'room_finished', 'RM_A', NULL, NULL);
-- why: a join for the finished room arriving late does not count; a
-- second room_finished (a new event id) finds nothing left to end; the
-- first one again is a duplicate.
SELECT * FROM pg_temp.webhook(:'s', 'EV_14', 'participant_joined', 'RM_A', 'PF_1', 'frank');
SELECT * FROM pg_temp.webhook(:'s', 'EV_15', 'room_finished', 'RM_A', NULL, NULL);
SELECT * FROM pg_temp.webhook(:'s', 'EV_13', 'room_finished', 'RM_A', NULL, NULL);
-- why: a join in a new room (a new room sid, maybe the same room name) counts.
SELECT * FROM pg_temp.webhook(:'s', 'EV_16', 'participant_joined', 'RM_B', 'PC_3', 'carol');
-- why: the room's end may also arrive before a join in it.
SELECT * FROM pg_temp.webhook(:'s', 'EV_17', 'room_finished', 'RM_C', NULL, NULL);
SELECT * FROM pg_temp.webhook(:'s', 'EV_18', 'participant_joined', 'RM_C', 'PG_1', 'gina');

------------------------------------------------------------------------------
-- Webhooks that say nothing about presence here
------------------------------------------------------------------------------
-- why: a session that does not exist yet: the event is kept (pending)
-- until the session starts, and no session is made up for it.
-- early_presence.sql walks every order of joins, leaves and the start.
SELECT session_clock.livekit_event('EV_19', 'participant_joined', :'unknown', 'RM_B', 'PH_1', 'hank') AS result;
SELECT count(*) AS unknown_rows FROM session_clock.sessions WHERE id = :'unknown';
SELECT source, event, participant_id FROM session_clock.early_presence WHERE session_id = :'unknown';
-- why: event kinds other than joins, leaves and the room's end are
-- ignored (names are exact), before the session is looked at, and leave
-- nothing behind either: their ids stay free.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.livekit_event('EV_21', 'track_published', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PC_3', 'carol')$$),
    ($$SELECT session_clock.livekit_event('EV_21', 'room_started', '77777777-0000-0000-0000-000000000001', 'RM_B', NULL, NULL)$$),
    ($$SELECT session_clock.livekit_event('EV_21', 'PARTICIPANT_JOINED', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PC_3', 'carol')$$),
    ($$SELECT session_clock.livekit_event('EV_21', '', '77777777-0000-0000-0000-000000000009', 'RM_B', 'PC_3', 'carol')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
SELECT session_clock.livekit_event('EV_21', 'track_published', :'s', 'RM_B', 'PC_3', 'carol') AS result;
-- why: so those ids are still free for real webhooks.
SELECT * FROM pg_temp.webhook(:'s', 'EV_20', 'participant_joined', 'RM_B', 'PH_1', 'hank');
SELECT * FROM pg_temp.webhook(:'s', 'EV_21', 'participant_left', 'RM_B', 'PH_1', 'hank');

------------------------------------------------------------------------------
-- Errors
------------------------------------------------------------------------------
-- why 22004: the event id, the kind and the session are always needed; a
-- join or leave also needs the connection and the identity (room_finished
-- does not). Nothing is recorded.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.livekit_event(NULL, 'participant_joined', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PI_1', 'ivan')$$),
    ($$SELECT session_clock.livekit_event('EV_30', NULL, '77777777-0000-0000-0000-000000000001', 'RM_B', 'PI_1', 'ivan')$$),
    ($$SELECT session_clock.livekit_event('EV_30', 'participant_joined', NULL, 'RM_B', 'PI_1', 'ivan')$$),
    ($$SELECT session_clock.livekit_event('EV_30', 'track_published', NULL, 'RM_B', 'PI_1', 'ivan')$$),
    ($$SELECT session_clock.livekit_event('EV_30', 'participant_joined', '77777777-0000-0000-0000-000000000001', 'RM_B', NULL, 'ivan')$$),
    ($$SELECT session_clock.livekit_event('EV_30', 'participant_joined', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PI_1', NULL)$$),
    ($$SELECT session_clock.livekit_event('EV_30', 'participant_left', '77777777-0000-0000-0000-000000000001', 'RM_B', NULL, 'carol')$$),
    ($$SELECT session_clock.livekit_event('EV_30', 'participant_connection_aborted', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PC_3', NULL)$$),
    ($$SELECT session_clock.livekit_event('EV_30', 'participant_joined', '77777777-0000-0000-0000-000000000009', 'RM_B', NULL, NULL)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why 22023: the identity becomes a participant id, with its rules: the
-- whole webhook fails and records nothing (not its id either).
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.livekit_event('EV_31', 'participant_joined', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PI_1', '')$$),
    ($$SELECT session_clock.livekit_event('EV_31', 'participant_joined', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PI_1', repeat('i', 201))$$),
    ($$SELECT session_clock.livekit_event('EV_31', 'participant_left', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PI_1', E'ivan\n')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why 22023: an event id is 1 to 200 characters, checked like every other
-- argument before anything is written.
SELECT t.statement, t.code, t.message, t.unchanged FROM (VALUES
    ($$SELECT session_clock.livekit_event('', 'participant_joined', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PI_1', 'ivan')$$),
    ($$SELECT session_clock.livekit_event(repeat('e', 201), 'participant_joined', '77777777-0000-0000-0000-000000000001', 'RM_B', 'PI_1', 'ivan')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

------------------------------------------------------------------------------
-- A worker's role
------------------------------------------------------------------------------
-- why: service_role (the worker's role) calls it; the join is logged with
-- it as the actor, the LiveKit event kind as the reason.
BEGIN;
SET LOCAL ROLE service_role;
SELECT session_clock.livekit_event('EV_40', 'participant_joined', :'s', 'RM_B', 'PJ_1', 'judy') AS result;
COMMIT;
SELECT version, event, reason, participant_id, actor FROM session_clock.session_events
WHERE session_id = :'s' AND participant_id = 'judy';

------------------------------------------------------------------------------
-- LiveKit presence drives the grace rule like any other
------------------------------------------------------------------------------
-- why: with min 2, the second identity cancels the deadline the first left,
-- a second connection of the same identity does not count twice, and a
-- leave below the minimum starts a deadline again.
SELECT changed FROM session_clock_start(:'g');
SELECT changed, grace_deadline_at IS NOT NULL AS has_deadline FROM session_clock_configure(:'g', 2, 60000);
SELECT * FROM pg_temp.webhook(:'g', 'EV_50', 'participant_joined', 'RM_G', 'PA_1', 'alice');
SELECT * FROM pg_temp.webhook(:'g', 'EV_51', 'participant_joined', 'RM_G', 'PA_2', 'alice');
SELECT * FROM pg_temp.webhook(:'g', 'EV_52', 'participant_joined', 'RM_G', 'PB_1', 'bob');
SELECT * FROM pg_temp.webhook(:'g', 'EV_53', 'participant_left', 'RM_G', 'PB_1', 'bob');
SELECT grace_deadline_at IS NOT NULL AS has_deadline, is_paused FROM session_clock_get(:'g');

------------------------------------------------------------------------------
-- Several rooms, and the room itself
------------------------------------------------------------------------------
\set b '77777777-0000-0000-0000-000000000003'
SELECT changed FROM session_clock_start(:'b');
SELECT changed, min_participants FROM session_clock_configure(:'b', 0);
-- why: room_finished re-checks everyone who was in the finished room
-- against all their connections: carol, still in RM_Y, stays present.
SELECT * FROM pg_temp.webhook(:'b', 'EV_60', 'participant_joined', 'RM_X', 'PC_1', 'carol');
SELECT * FROM pg_temp.webhook(:'b', 'EV_61', 'participant_joined', 'RM_Y', 'PC_2', 'carol');
SELECT * FROM pg_temp.webhook(:'b', 'EV_62', 'room_finished', 'RM_X', NULL, NULL);
-- why 22023: an empty participant sid would name the room itself (its
-- finished marker), so it is refused: amy, in RM_Z, stays present.
SELECT * FROM pg_temp.webhook(:'b', 'EV_63', 'participant_joined', 'RM_Z', 'PA_1', 'amy');
SELECT t.statement, t.code, t.message, t.unchanged FROM (VALUES
    ($$SELECT session_clock.livekit_event('EV_64', 'participant_left', '77777777-0000-0000-0000-000000000003', 'RM_Z', '', 'zoe')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
SELECT * FROM pg_temp.webhook(:'b', 'EV_65', 'participant_joined', 'RM_Z', 'PA_2', 'amy');

------------------------------------------------------------------------------
-- What is left
------------------------------------------------------------------------------
-- why: the main session's log: a join and a leave per change of presence,
-- each with the LiveKit event kind that caused it; it still folds into the
-- row, and its count is the presence rows'.
SELECT version, event, reason, participant_id FROM session_clock.session_events
WHERE session_id = :'s' ORDER BY version;
SELECT s.participants, (SELECT count(*) FROM session_clock.presence p WHERE p.session_id = s.id) AS presence_rows,
       (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.ended_at, r.version)
           IS NOT DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version)
           AS replay_matches
FROM session_clock.sessions s, session_clock.replay(s.id) r WHERE s.id = :'s';
-- why: the connections as the webhooks left them (the room itself is the
-- row with participant sid '').
SELECT room_sid, participant_sid, identity, joined, gone FROM session_clock.livekit_connections
WHERE session_id = :'s' ORDER BY room_sid, participant_sid;
-- why: every applied webhook's id is remembered, and only those.
SELECT string_agg(event_id, ' ' ORDER BY event_id) AS remembered FROM session_clock.livekit_webhook_events;

-- Leave no sessions behind for the tests that run later (connections go
-- with their session; webhook ids are not per session).
DELETE FROM session_clock.sessions WHERE id::text LIKE '77777777-%';
DELETE FROM session_clock.livekit_webhook_events WHERE event_id LIKE 'EV\_%';
