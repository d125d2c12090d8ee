-- After portable/migrate_from_seed_003.sql: every started, unfinished timer
-- of public.sessions is in session_clock.sessions with the same state and
-- the same elapsed time at the same instant, its event log replays to its
-- row, its customer and mechanic are members; nothing else moved; the
-- clocks keep going (or stay paused) under session_clock's RPCs.
\set ON_ERROR_STOP on
SET search_path = public;
DO $check$
DECLARE
    r record;
    t timestamptz := clock_timestamp();
    moved integer := 0;
BEGIN
    FOR r IN
        SELECT s.id, s.is_paused AS seed_paused,
               EXTRACT(epoch FROM CASE WHEN s.is_paused THEN s.last_state_change_at ELSE t END - s.started_at) * 1000
                   - s.total_paused_ms AS seed_elapsed,
               c.is_paused, session_clock.elapsed_ms(c, t) AS elapsed, c.version, c.total_paused_ms,
               c.last_state_change_at, c.ended_at,
               (SELECT count(*) FROM session_clock.session_events e WHERE e.session_id = s.id) AS events,
               (SELECT count(*) FROM session_clock.session_members m
                WHERE m.session_id = s.id AND m.participant_id IN (s.customer_id::text, s.mechanic_id::text)) AS members,
               rp.is_paused AS rp_paused, rp.total_paused_ms AS rp_total_paused_ms,
               rp.last_state_change_at AS rp_last_state_change_at, rp.ended_at AS rp_ended_at, rp.version AS rp_version
        FROM public.sessions s JOIN session_clock.sessions c ON c.id = s.id
        CROSS JOIN LATERAL session_clock.replay(s.id) rp
    LOOP
        moved := moved + 1;
        IF r.seed_paused IS DISTINCT FROM r.is_paused OR abs(r.seed_elapsed - r.elapsed) > 0.001 THEN
            RAISE EXCEPTION 'session %: seed paused % elapsed % ms, session_clock paused % elapsed % ms',
                r.id, r.seed_paused, r.seed_elapsed, r.is_paused, r.elapsed;
        END IF;
        IF r.events <> r.version OR r.members <> 2
           OR r.rp_paused IS DISTINCT FROM r.is_paused OR r.rp_total_paused_ms <> r.total_paused_ms
           OR r.rp_last_state_change_at <> r.last_state_change_at OR r.rp_version <> r.version
           OR r.rp_ended_at IS DISTINCT FROM r.ended_at THEN
            RAISE EXCEPTION 'session %: % events, version %, % members, replay % % % %', r.id, r.events, r.version,
                r.members, r.rp_paused, r.rp_total_paused_ms, r.rp_last_state_change_at, r.rp_version;
        END IF;
    END LOOP;
    IF moved <> 3 OR (SELECT count(*) FROM session_clock.sessions) <> 3 THEN
        RAISE EXCEPTION 'expected the 3 started, unfinished timers moved, found % (% rows)',
            moved, (SELECT count(*) FROM session_clock.sessions);
    END IF;
END
$check$;
SELECT c.id, c.is_paused, c.version, c.total_paused_ms FROM session_clock.sessions c ORDER BY c.id;
-- The RPCs are session_clock's now (their shapes), and the clocks go on: the
-- running ones advance, the paused one stays where it was; resumed, it runs.
CREATE TEMP TABLE first_read AS
    SELECT g.session_id, g.is_paused, g.elapsed_ms FROM session_clock.sessions c, session_clock_get(c.id) g;
SELECT pg_sleep(0.05);
SELECT g.session_id, g.is_paused,
       CASE WHEN g.is_paused THEN g.elapsed_ms = f.elapsed_ms ELSE g.elapsed_ms >= f.elapsed_ms + 50 END AS as_expected
FROM first_read f, session_clock_get(f.session_id) g ORDER BY g.session_id;
SELECT changed, is_paused, total_paused_ms > 30000 AS pause_counted
FROM session_clock_resume('5eed0003-0000-4000-8000-00000000000b', 'participants_reconnected');
SELECT changed, is_paused FROM session_clock_pause('5eed0003-0000-4000-8000-00000000000a', 'participant_disconnected');
