-- early_presence: presence reported before its session exists (1.3).
--
-- Seed 003's order: both people join the LiveKit room, then the app starts
-- the timer. Those joins must count from the moment the session starts, or
-- the clock starts below its minimum, auto-pauses with both people in the
-- call, and bills nothing. Every other order of join / start / leave /
-- rejoin / room_finished must come out as if the events had all arrived
-- after the start. Reports are kept bounded: at most
-- early_presence_limits().max_rows per session that does not exist, none
-- older than max_age. Runs as the regression superuser (an admin); the
-- grace rule has its defaults (2 participants, 30 s).

-- why: one order of events for a fresh session (its id from the name):
--   'join ID SID [ROOM]'  LiveKit participant_joined (room sid RM_1 unless given)
--   'left ID SID' / 'aborted ID SID'   participant_left / _connection_aborted
--   'finish [ROOM]'       room_finished
--   'sql+ ID' / 'sql- ID' an admin's session_clock_presence(…, true / false)
--   'start'               session_clock_start
-- and what it left: the LiveKit answers, who is present, the count, whether
-- the grace rule applies and a deadline is pending, and the log.
CREATE FUNCTION pg_temp.scenario(p_name text, p_steps text[],
        OUT answers text, OUT present text, OUT participants integer, OUT tracked boolean,
        OUT deadline boolean, OUT logged text)
    LANGUAGE plpgsql AS $$
DECLARE
    session uuid := md5(p_name)::uuid;
    step text;
    t text[];
    i integer := 0;
    kinds constant jsonb := '{"join": "participant_joined", "left": "participant_left",
                              "aborted": "participant_connection_aborted", "finish": "room_finished"}';
BEGIN
    answers := '';
    FOREACH step IN ARRAY p_steps LOOP
        i := i + 1;
        t := string_to_array(step, ' ');
        IF t[1] = 'start' THEN
            PERFORM session_clock_start(session);
        ELSIF t[1] = 'sql+' OR t[1] = 'sql-' THEN
            PERFORM session_clock_presence(session, t[2], t[1] = 'sql+');
        ELSIF t[1] = 'finish' THEN
            answers := answers || ' ' || session_clock.livekit_event(p_name || '#' || i, 'room_finished', session,
                                                                    coalesce(t[2], 'RM_1'), NULL, NULL, 'room-' || p_name);
        ELSE
            answers := answers || ' ' || session_clock.livekit_event(p_name || '#' || i, kinds ->> t[1], session,
                                                                    coalesce(t[4], 'RM_1'), t[3], t[2], 'room-' || p_name);
        END IF;
    END LOOP;
    answers := ltrim(answers);
    SELECT string_agg(p.source || ':' || p.participant_id, ' ' ORDER BY p.participant_id, p.source)
        INTO present FROM session_clock.presence p WHERE p.session_id = session;
    SELECT s.participants, s.presence_tracked, s.grace_deadline_at IS NOT NULL
        INTO participants, tracked, deadline FROM session_clock.sessions s WHERE s.id = session;
    SELECT string_agg(e.event || coalesce(' ' || e.participant_id, '') || coalesce(' (' || e.reason || ')', ''),
                      ', ' ORDER BY e.version)
        INTO logged FROM session_clock.session_events e WHERE e.session_id = session;
END
$$;

-- try(): the SQLSTATE and message of one statement (this file reads only
-- those two of its answers).
\i sql/include/try.sql

------------------------------------------------------------------------------
-- Seed 003's order
------------------------------------------------------------------------------
-- why: both join, then the app starts the clock: both count from the start,
-- no grace period, the clock runs.
SELECT * FROM pg_temp.scenario('seed', ARRAY['join alice PA_a1', 'join bob PA_b1', 'start']);
-- why: the joins are logged at the start itself (dated started_at, right
-- after the start event), by whoever started the clock, and nothing is
-- kept for the session any more.
SELECT e.version, e.event, e.participant_id, e.at = s.started_at AS at_start, e.actor
FROM session_clock.session_events e JOIN session_clock.sessions s ON s.id = e.session_id
WHERE s.id = md5('seed')::uuid ORDER BY e.version;
SELECT count(*) AS still_kept FROM session_clock.early_presence WHERE session_id = md5('seed')::uuid;
-- why: and afterwards it behaves as any session: bob's leave starts the
-- grace period, his return cancels it.
SELECT session_clock.livekit_event('seed#4', 'participant_left', md5('seed')::uuid, 'RM_1', 'PA_b1', 'bob', 'room-seed');
SELECT session_clock.livekit_event('seed#5', 'participant_joined', md5('seed')::uuid, 'RM_1', 'PA_b2', 'bob', 'room-seed');
SELECT string_agg(event || coalesce(' ' || participant_id, ''), ', ' ORDER BY version) AS after_start
FROM session_clock.session_events WHERE session_id = md5('seed')::uuid AND version > 3;

------------------------------------------------------------------------------
-- Every other order
------------------------------------------------------------------------------
-- why: each order ends where the same events would have left a session
-- that existed all along. One before, one after the start: the grace
-- period opened at the start closes at the second join.
SELECT * FROM pg_temp.scenario('one-before', ARRAY['join alice PA_a1', 'start', 'join bob PA_b1']);
SELECT * FROM pg_temp.scenario('both-after', ARRAY['start', 'join alice PA_a1', 'join bob PA_b1']);
-- why: someone who left before the start does not count; the session is
-- under the grace rule from its start all the same (presence was reported).
SELECT * FROM pg_temp.scenario('left-before', ARRAY['join alice PA_a1', 'join bob PA_b1', 'left bob PA_b1', 'start']);
SELECT * FROM pg_temp.scenario('all-left-before', ARRAY['join alice PA_a1', 'left alice PA_a1', 'start']);
-- why: a rejoin before the start (a new connection) counts; the old
-- connection's leave arriving after the new join changes nothing.
SELECT * FROM pg_temp.scenario('rejoin-before', ARRAY['join alice PA_a1', 'left alice PA_a1', 'join alice PA_a2',
                                                     'join bob PA_b1', 'start']);
SELECT * FROM pg_temp.scenario('late-old-leave', ARRAY['join alice PA_a1', 'join alice PA_a2', 'join bob PA_b1',
                                                      'start', 'left alice PA_a1']);
-- why: a leave that arrives before its own join wins whenever it arrives,
-- before or after the start.
SELECT * FROM pg_temp.scenario('leave-first', ARRAY['left alice PA_a1', 'join bob PA_b1', 'join alice PA_a1', 'start']);
SELECT * FROM pg_temp.scenario('leave-first-across', ARRAY['aborted alice PA_a1', 'join bob PA_b1', 'start',
                                                          'join alice PA_a1']);
-- why: a room that finished before the start took everyone in it along;
-- a new room of the same name (new sid) counts its own participants.
SELECT * FROM pg_temp.scenario('finished-before', ARRAY['join alice PA_a1', 'join bob PA_b1', 'finish', 'start']);
SELECT * FROM pg_temp.scenario('finished-then-new-room', ARRAY['join alice PA_a1', 'finish', 'join alice PA_a2 RM_2',
                                                              'join bob PA_b1 RM_2', 'start']);
SELECT * FROM pg_temp.scenario('finished-after', ARRAY['join alice PA_a1', 'join bob PA_b1', 'start', 'finish']);
SELECT * FROM pg_temp.scenario('finish-first', ARRAY['finish', 'join alice PA_a1', 'start']);
-- why: after the start, leaving and rejoining is the ordinary path.
SELECT * FROM pg_temp.scenario('leave-rejoin-after', ARRAY['join alice PA_a1', 'join bob PA_b1', 'start',
                                                          'left bob PA_b1', 'join bob PA_b2']);

------------------------------------------------------------------------------
-- SQL reports from an admin, and both sources together
------------------------------------------------------------------------------
-- why: an admin's report before the start answers for a session that does
-- not exist yet: no clock, changed, and how many it keeps; the same report
-- again changes nothing; a 'gone' drops it.
SELECT session_id = md5('sql')::uuid AS same_id, started_at, is_paused, version, server_now IS NOT NULL AS has_now,
       elapsed_ms, changed, participants
FROM session_clock_presence(md5('sql')::uuid, 'carol', true);
SELECT changed, participants FROM session_clock_presence(md5('sql')::uuid, 'carol', true);
SELECT changed, participants FROM session_clock_presence(md5('sql')::uuid, 'dave', true);
SELECT changed, participants FROM session_clock_presence(md5('sql')::uuid, 'dave', false);
SELECT changed, participants FROM session_clock_presence(md5('sql')::uuid, 'dave', false);
SELECT count(*) AS sessions FROM session_clock.sessions WHERE id = md5('sql')::uuid;
SELECT * FROM pg_temp.scenario('sql', ARRAY['start']);
-- why: one participant through both sources is one join.
SELECT * FROM pg_temp.scenario('both-sources', ARRAY['sql+ alice', 'join alice PA_a1', 'sql+ bob', 'sql- bob', 'start']);

------------------------------------------------------------------------------
-- Duplicates and who may report early
------------------------------------------------------------------------------
-- why: LiveKit's retry of a kept event is a duplicate, as after the start.
SELECT session_clock.livekit_event('dup#1', 'participant_joined', md5('dup')::uuid, 'RM_1', 'PA_a1', 'alice', 'room-dup') AS first,
       session_clock.livekit_event('dup#1', 'participant_joined', md5('dup')::uuid, 'RM_1', 'PA_a1', 'alice', 'room-dup') AS again;
SELECT count(*) AS kept FROM session_clock.early_presence WHERE session_id = md5('dup')::uuid;
-- why: an end user reports only itself in a session it is a member of: a
-- session that does not exist has none, so P0002 as before; nothing is kept.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"erin","role":"authenticated"}', true) IS NOT NULL AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('e0000000-0000-4000-8000-000000000001', 'erin', true)$$),
    ($$SELECT session_clock.early_presence_take('e0000000-0000-4000-8000-000000000001')$$),
    ($$SELECT session_clock.early_presence_put('e0000000-0000-4000-8000-000000000001', 'erin', true)$$),
    ($$SELECT session_clock.lock_unborn_session('e0000000-0000-4000-8000-000000000001')$$),
    ($$SELECT count(*) FROM session_clock.early_presence$$)
) AS v(statement), LATERAL (SELECT v.statement, r.code, r.message FROM pg_temp.try(v.statement) r) t;
ROLLBACK;
SELECT count(*) AS kept FROM session_clock.early_presence WHERE session_id = 'e0000000-0000-4000-8000-000000000001';

------------------------------------------------------------------------------
-- Bounds
------------------------------------------------------------------------------
-- why: a session that does not exist keeps at most max_rows reports:
-- beyond them a webhook answers unknown_session and records nothing (not
-- even its id, so a retry after the start applies), and an admin's SQL
-- report is refused with 54000.
SELECT * FROM session_clock.early_presence_limits();
SELECT count(*) FILTER (WHERE r = 'pending') AS pending, count(*) FILTER (WHERE r = 'unknown_session') AS refused
FROM generate_series(1, 203) i,
     LATERAL session_clock.livekit_event('flood#' || i, 'participant_joined', md5('flood')::uuid, 'RM_1', 'PA_' || i,
                                         'user' || i, 'room-flood') r;
SELECT count(*) AS ids_remembered FROM session_clock.livekit_webhook_events WHERE event_id LIKE 'flood#%';
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence(md5('flood')::uuid, 'someone', true)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.code, r.message FROM pg_temp.try(v.statement) r) t;
-- why: reports older than max_age no longer count at the start, and any
-- early write purges them.
SELECT * FROM pg_temp.scenario('stale', ARRAY['join alice PA_a1', 'join bob PA_b1']);
UPDATE session_clock.early_presence SET received_at = received_at - interval '7 hours'
WHERE session_id = md5('stale')::uuid AND participant_id = 'alice';
SELECT * FROM pg_temp.scenario('stale', ARRAY['start']);
UPDATE session_clock.early_presence SET received_at = received_at - interval '7 hours'
WHERE session_id = md5('flood')::uuid;
SELECT changed, participants FROM session_clock_presence(md5('purge')::uuid, 'frank', true);
SELECT count(*) AS flood_left FROM session_clock.early_presence WHERE session_id = md5('flood')::uuid;

-- why: the replayed log still equals every row this test made.
SELECT count(*) AS sessions,
       count(*) FILTER (WHERE (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.version)
                              IS DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.version))
       AS replay_mismatches
FROM session_clock.sessions s, session_clock.replay(s.id) r
WHERE s.id IN (SELECT md5(n)::uuid FROM unnest(ARRAY['seed', 'one-before', 'both-after', 'left-before',
    'all-left-before', 'rejoin-before', 'late-old-leave', 'leave-first', 'leave-first-across', 'finished-before',
    'finished-then-new-room', 'finished-after', 'finish-first', 'leave-rejoin-after', 'sql', 'both-sources',
    'stale']) n);
