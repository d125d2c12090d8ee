-- member_removal: session_clock_remove_member ends the member's presence in
-- the same transaction (1.3). Before, a removed member's presence rows
-- survived: with min_participants = 1 the clock never auto-paused, and
-- nobody but an admin could clear them. Now every source of its presence
-- ends (leave, reason member_removed), the grace rule reacts, and a NOTIFY
-- member_removed tells every worker to drop the user's follows. A worker's
-- late report for the user (a JOIN that raced the removal, a re-report after
-- a lapsed lease) is refused, and a late LiveKit event of one of its
-- connections cannot bring it back. Runs as the regression superuser; the
-- host acts as an end user.
\set s '99999999-0000-0000-0000-000000000001'
\set w1 '9999eeee-0000-0000-0000-000000000001'

-- The NOTIFYs, as another connection receives them.
\i sql/include/listen.sql

-- why: alice hosts, bob is a member; one participant is enough to keep
-- the clock running. bob is present through all three sources (his
-- browser on worker w1, LiveKit, the app's SQL), alice through SQL.
SELECT changed FROM session_clock_start(:'s');
SELECT count(session_clock_add_member(:'s', m, r)) AS members FROM (VALUES ('alice', 'host'), ('bob', 'participant')) v(m, r);
SELECT min_participants, grace_ms FROM session_clock_configure(:'s', 1, 60000);
SELECT registered FROM session_clock.worker_heartbeat(:'w1', 60000, 'worker 1');
SELECT changed FROM session_clock.record_presence(:'s', 'bob', 'websocket', :'w1', true);
SELECT session_clock.livekit_event('MR_1', 'participant_joined', :'s', 'RM_1', 'PA_b1', 'bob', 'room-mr');
SELECT changed FROM session_clock_presence(:'s', 'bob', true);
SELECT changed, participants FROM session_clock_presence(:'s', 'alice', true);
SELECT count(*) AS drained FROM pg_temp.received();

-- why: the host removes bob. In that transaction his presence ends through
-- every source (one leave, reason member_removed), the count drops, and the
-- workers hear of it: the leave's NOTIFY, then member_removed.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) IS NOT NULL AS claims;
SELECT session_clock_remove_member(:'s', 'bob') AS removed;
COMMIT;
SELECT string_agg(p.source || ':' || p.participant_id, ' ' ORDER BY p.participant_id, p.source) AS present
FROM session_clock.presence p WHERE p.session_id = :'s';
SELECT participants, grace_deadline_at IS NULL AS no_deadline FROM session_clock.sessions WHERE id = :'s';
SELECT event, participant_id, reason, actor FROM session_clock.session_events
WHERE session_id = :'s' AND event IN ('leave', 'join') ORDER BY version;
SELECT payload - 'version' AS payload FROM pg_temp.received();

-- why: with bob gone, alice leaving leaves nobody: the grace period starts
-- (before, bob's ghost kept the count at 1 and the clock ran on).
SELECT participants, grace_deadline_at IS NOT NULL AS deadline FROM session_clock_presence(:'s', 'alice', false);

-- why: a worker's late report of bob (its JOIN's access check passed before
-- the removal) is refused, under the row lock: 42501, nothing changes.
DO $$
BEGIN
    PERFORM session_clock.record_presence('99999999-0000-0000-0000-000000000001', 'bob', 'websocket',
                                          '9999eeee-0000-0000-0000-000000000001', true);
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'refused: %', SQLERRM;
END
$$;
-- why: LiveKit's late or retried join of bob's old connection cannot bring
-- him back: the removal marked it left. (A new connection is new presence:
-- an app that removes a member removes him from the LiveKit room too.)
SELECT session_clock.livekit_event('MR_2', 'participant_joined', :'s', 'RM_1', 'PA_b1', 'bob', 'room-mr');
SELECT participants FROM session_clock.sessions WHERE id = :'s';
SELECT count(*) AS bob_rows FROM session_clock.presence WHERE session_id = :'s' AND participant_id = 'bob';
SELECT count(*) AS drained FROM pg_temp.received();

-- why: removing someone who is not a member changes nothing and tells
-- nobody.
SELECT session_clock_remove_member(:'s', 'carol') AS removed;
SELECT count(*) AS notifications FROM pg_temp.received();

-- why: the log still replays to the row.
SELECT (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.version)
       = (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.version) AS replay_matches
FROM session_clock.sessions s, session_clock.replay(s.id) r WHERE s.id = :'s';

\i sql/include/unlisten.sql
