-- livekit_reconcile: the worker asks LiveKit's RoomService who is in a room
-- and hands the answer to session_clock.livekit_reconcile (1.3). LiveKit
-- retries a failed webhook only for a while: a worker that was down, or a
-- lost event, would leave presence stale and the clock running (or paused)
-- for hours. The listing replaces the stored LiveKit presence of that room:
-- only real changes are logged (reason livekit_reconcile), never a flurry
-- of leaves and joins, and what webhooks recorded after the worker asked
-- LiveKit (p_as_of) is left alone. Runs as the regression superuser.
\set s 'c5000000-0000-4000-8000-000000000001'
\set t 'c5000000-0000-4000-8000-000000000002'

-- why: one reconciliation and what it did: identities changed, who is
-- present through LiveKit afterwards, the count, and the events it logged.
CREATE FUNCTION pg_temp.reconcile(p_session uuid, p_as_of timestamptz, p_room_sid text, p_listed jsonb,
        OUT changed integer, OUT present text, OUT participants integer, OUT logged text)
    LANGUAGE plpgsql AS $$
DECLARE
    version_before bigint := (SELECT s.version FROM session_clock.sessions s WHERE s.id = p_session);
BEGIN
    changed := session_clock.livekit_reconcile(p_session, 'room-' || p_session, p_as_of, p_room_sid, p_listed);
    present := (SELECT coalesce(string_agg(p.participant_id, ' ' ORDER BY p.participant_id), '')
                FROM session_clock.presence p WHERE p.session_id = p_session AND p.source = 'livekit');
    participants := (SELECT s.participants FROM session_clock.sessions s WHERE s.id = p_session);
    logged := (SELECT coalesce(string_agg(e.event || coalesce(' ' || e.participant_id, '')
                                          || coalesce(' (' || e.reason || ')', ''), ', ' ORDER BY e.version), '')
               FROM session_clock.session_events e WHERE e.session_id = p_session AND e.version > version_before);
END
$$;
CREATE FUNCTION pg_temp.joined(p_session uuid, p_event_id text, p_sid text, p_identity text) RETURNS text
    LANGUAGE sql AS $$
    SELECT session_clock.livekit_event(p_event_id, 'participant_joined', p_session, 'RM_1', p_sid, p_identity,
                                       'room-' || p_session)
$$;
CREATE FUNCTION pg_temp.left(p_session uuid, p_event_id text, p_sid text, p_identity text) RETURNS text
    LANGUAGE sql AS $$
    SELECT session_clock.livekit_event(p_event_id, 'participant_left', p_session, 'RM_1', p_sid, p_identity,
                                       'room-' || p_session)
$$;

-- why: alice and bob are in the call (their joins arrived); the grace rule
-- is on (2 people, 60 s).
SELECT changed FROM session_clock_start(:'s');
SELECT min_participants FROM session_clock_configure(:'s', 2, 60000);
SELECT pg_temp.joined(:'s', 'RC_1', 'PA_a1', 'alice'), pg_temp.joined(:'s', 'RC_2', 'PA_b1', 'bob');

-- why: the worker asks which rooms hold LiveKit presence in open sessions,
-- with the database's time before it asks LiveKit.
SELECT session_id, room_name, as_of <= clock_timestamp() AS as_of_is_now
FROM session_clock.livekit_rooms_to_reconcile() WHERE session_id IN (:'s', :'t');
SELECT clock_timestamp() AS asked \gset

-- why: LiveKit lists both: nothing to change, nothing logged.
SELECT * FROM pg_temp.reconcile(:'s', :'asked', 'RM_1',
    '[{"sid":"PA_a1","identity":"alice"},{"sid":"PA_b1","identity":"bob"}]');

-- why: bob's leave webhook was lost: LiveKit lists alice only. bob leaves
-- (reason livekit_reconcile), the grace period starts; alice's presence is
-- untouched.
SELECT * FROM pg_temp.reconcile(:'s', :'asked', 'RM_1', '[{"sid":"PA_a1","identity":"alice"}]');

-- why: bob came back and his join was lost too: listed, he joins again and
-- the grace period closes.
SELECT clock_timestamp() AS asked \gset
SELECT * FROM pg_temp.reconcile(:'s', :'asked', 'RM_1',
    '[{"sid":"PA_a1","identity":"alice"},{"sid":"PA_b2","identity":"bob"}]');

-- why: webhooks that arrive after the worker asked LiveKit win: carol's
-- join was recorded after p_as_of, so a listing without her leaves her be;
-- alice's leave was recorded after it, so the listing that still shows
-- her does not bring her back.
SELECT clock_timestamp() AS asked \gset
SELECT pg_temp.joined(:'s', 'RC_3', 'PA_c1', 'carol'), pg_temp.left(:'s', 'RC_4', 'PA_a1', 'alice');
SELECT * FROM pg_temp.reconcile(:'s', :'asked', 'RM_1',
    '[{"sid":"PA_a1","identity":"alice"},{"sid":"PA_b2","identity":"bob"}]');

-- why: the same listing again changes nothing.
SELECT * FROM pg_temp.reconcile(:'s', :'asked', 'RM_1',
    '[{"sid":"PA_a1","identity":"alice"},{"sid":"PA_b2","identity":"bob"}]');

-- why: the room is gone (room_finished was lost): everyone known before
-- the question leaves.
SELECT clock_timestamp() AS asked \gset
SELECT * FROM pg_temp.reconcile(:'s', :'asked', NULL, '[]');
SELECT session_id FROM session_clock.livekit_rooms_to_reconcile() WHERE session_id = :'s';

------------------------------------------------------------------------------
-- An automatic pause that a lost join would keep forever
------------------------------------------------------------------------------
-- why: the clock paused itself when bob dropped; his rejoin's webhook was
-- lost. The listing shows him back: the clock resumes at once.
SELECT changed FROM session_clock_start(:'t');
SELECT min_participants FROM session_clock_configure(:'t', 2, 0);
SELECT pg_temp.joined(:'t', 'RT_1', 'PA_a1', 'alice'), pg_temp.joined(:'t', 'RT_2', 'PA_b1', 'bob');
SELECT pg_temp.left(:'t', 'RT_3', 'PA_b1', 'bob');
SELECT is_paused, auto_paused FROM session_clock.sessions WHERE id = :'t';
SELECT clock_timestamp() AS asked \gset
SELECT * FROM pg_temp.reconcile(:'t', :'asked', 'RM_1',
    '[{"sid":"PA_a1","identity":"alice"},{"sid":"PA_b2","identity":"bob"}]');
SELECT is_paused, auto_paused FROM session_clock.sessions WHERE id = :'t';

-- why: a stopped session is not reconciled (nothing to bill), and is no
-- longer listed.
SELECT changed FROM session_clock_stop(:'t');
SELECT * FROM pg_temp.reconcile(:'t', clock_timestamp(), NULL, '[]');
SELECT count(*) AS listed FROM session_clock.livekit_rooms_to_reconcile() WHERE session_id = :'t';

------------------------------------------------------------------------------
-- Errors and who may call
------------------------------------------------------------------------------
-- why 22004 / 22023: every argument but the room sid is required; the
-- participants are an array of objects with a sid and a valid identity,
-- and a room that does not exist has none. Nothing changes.
\i sql/include/try.sql
SELECT v.statement, r.code, r.message FROM (VALUES
    ($$SELECT session_clock.livekit_reconcile(NULL, 'r', now(), 'RM', '[]')$$),
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', NULL, now(), 'RM', '[]')$$),
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', 'r', NULL, 'RM', '[]')$$),
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', 'r', now(), 'RM', NULL)$$),
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', 'r', now(), 'RM', '{}')$$),
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', 'r', now(), NULL, '[{"sid":"P","identity":"x"}]')$$),
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', 'r', now(), 'RM', '[{"identity":"x"}]')$$),
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', 'r', now(), 'RM', '[{"sid":"P"}]')$$),
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', 'r', now(), 'RM', '[{"sid":"P","identity":"a\u0007"}]')$$),
    ($$SELECT session_clock.livekit_rooms_to_reconcile(0)$$),
    ($$SELECT session_clock.livekit_rooms_to_reconcile(NULL)$$)
) AS v(statement), LATERAL pg_temp.try(v.statement) r;
-- why 42501: only workers and admins; an end user is refused even if a
-- DBA granted EXECUTE.
BEGIN;
GRANT EXECUTE ON FUNCTION session_clock.livekit_reconcile(uuid, text, timestamptz, text, jsonb),
    session_clock.livekit_rooms_to_reconcile(integer) TO authenticated;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) IS NOT NULL AS claims;
SELECT v.statement, r.code, r.message FROM (VALUES
    ($$SELECT session_clock.livekit_reconcile('c5000000-0000-4000-8000-000000000001', 'r', now(), NULL, '[]')$$),
    ($$SELECT session_clock.livekit_rooms_to_reconcile()$$)
) AS v(statement), LATERAL pg_temp.try(v.statement) r;
ROLLBACK;

-- why: the replayed log still equals the rows.
SELECT s.id, (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.version)
             = (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.version) AS replay_matches
FROM session_clock.sessions s, session_clock.replay(s.id) r WHERE s.id IN (:'s', :'t') ORDER BY s.id;
