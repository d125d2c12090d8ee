-- Seeds :sessions running clocks through the extension (ids md5(i)::uuid, as
-- the pgbench scripts pick them) and copies them, start events included, into
-- the plpgsql baseline's tables so both write tests begin from the same state.
\set ON_ERROR_STOP on
SELECT count(*) AS started
  FROM generate_series(1, :sessions) AS i,
       LATERAL session_clock_start(md5(i::text)::uuid) AS c
 WHERE c.changed;

INSERT INTO bench_baseline.sessions
       (id, started_at, is_paused, total_paused_ms, last_state_change_at, ended_at, version, created_at)
SELECT id, started_at, is_paused, total_paused_ms, last_state_change_at, ended_at, version, created_at
  FROM session_clock.sessions;
INSERT INTO bench_baseline.session_events
       (session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, clock_stepped_back, version)
SELECT session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, clock_stepped_back, version
  FROM session_clock.session_events ORDER BY id;

SELECT (SELECT count(*) FROM session_clock.sessions) AS ext_sessions,
       (SELECT count(*) FROM bench_baseline.sessions) AS baseline_sessions;
