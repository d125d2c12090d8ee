-- read baseline: the same row straight from the table (no access check, no clock)
\set i random(1, :sessions)
SELECT id, started_at, is_paused, total_paused_ms, last_state_change_at, ended_at, version
  FROM session_clock.sessions WHERE id = md5(:i::text)::uuid;
