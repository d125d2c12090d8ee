-- After measuring: every clock's row still agrees with its event log, on
-- both sides (version = number of events, total_paused_ms = sum of the
-- closed pauses; the extension's own replay() for a sample of its clocks).
\set ON_ERROR_STOP on
DO $check$
DECLARE
    bad bigint;
BEGIN
    SELECT count(*) INTO bad FROM bench_baseline.sessions s
      JOIN (SELECT session_id, count(*) AS n, sum(paused_ms) AS paused, max(version) AS v
              FROM bench_baseline.session_events GROUP BY session_id) e ON e.session_id = s.id
     WHERE e.n <> s.version OR e.v <> s.version OR e.paused <> s.total_paused_ms;
    ASSERT bad = 0, format('%s baseline clocks disagree with their events', bad);
    SELECT count(*) INTO bad FROM session_clock.sessions s
      JOIN (SELECT session_id, count(*) AS n, sum(paused_ms) AS paused, max(version) AS v
              FROM session_clock.session_events GROUP BY session_id) e ON e.session_id = s.id
     WHERE e.n <> s.version OR e.v <> s.version OR e.paused <> s.total_paused_ms;
    ASSERT bad = 0, format('%s extension clocks disagree with their events', bad);
    SELECT count(*) INTO bad FROM (SELECT * FROM session_clock.sessions ORDER BY id LIMIT 200) x,
           LATERAL session_clock.replay(x.id) r
     WHERE (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.version)
           IS DISTINCT FROM (x.is_paused, x.total_paused_ms, x.last_state_change_at, x.version);
    ASSERT bad = 0, format('%s extension clocks disagree with session_clock.replay', bad);
END
$check$;
SELECT (SELECT count(*) FROM session_clock.session_events) AS ext_events,
       (SELECT count(*) FROM bench_baseline.session_events) AS baseline_events;
