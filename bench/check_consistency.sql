-- After measuring: every clock's row still agrees with its event log
-- (version = number of events, total_paused_ms = sum of the closed pauses;
-- the edition's own replay() for a sample of its clocks), in the edition of
-- this database and, where it is here, the plpgsql baseline.
\set ON_ERROR_STOP on
DO $check$
DECLARE
    bad bigint;
BEGIN
    IF pg_catalog.to_regclass('bench_baseline.sessions') IS NOT NULL THEN
        SELECT count(*) INTO bad FROM bench_baseline.sessions s
          JOIN (SELECT session_id, count(*) AS n, sum(paused_ms) AS paused, max(version) AS v
                  FROM bench_baseline.session_events GROUP BY session_id) e ON e.session_id = s.id
         WHERE e.n <> s.version OR e.v <> s.version OR e.paused <> s.total_paused_ms;
        ASSERT bad = 0, format('%s baseline clocks disagree with their events', bad);
    END IF;
    SELECT count(*) INTO bad FROM session_clock.sessions s
      JOIN (SELECT session_id, count(*) AS n, sum(paused_ms) AS paused, max(version) AS v
              FROM session_clock.session_events GROUP BY session_id) e ON e.session_id = s.id
     WHERE e.n <> s.version OR e.v <> s.version OR e.paused <> s.total_paused_ms;
    ASSERT bad = 0, format('%s clocks of %s disagree with their events', bad, current_database());
    SELECT count(*) INTO bad FROM (SELECT * FROM session_clock.sessions ORDER BY id LIMIT 200) x,
           LATERAL session_clock.replay(x.id) r
     WHERE (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.version)
           IS DISTINCT FROM (x.is_paused, x.total_paused_ms, x.last_state_change_at, x.version);
    ASSERT bad = 0, format('%s clocks of %s disagree with session_clock.replay', bad, current_database());
END
$check$;
SELECT current_database() AS database, (SELECT count(*) FROM session_clock.session_events) AS events;
