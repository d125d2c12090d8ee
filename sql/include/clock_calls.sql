-- include/clock_calls.sql: every RPC answer is kept in the temp table calls
-- under a label, so later statements can compare answers with each other
-- without printing them.
CREATE TEMP TABLE calls AS
    SELECT NULL::text AS label, (NULL::session_clock.clock_change).* LIMIT 0;
-- A reading has no "changed": kept as a call with changed NULL.
CREATE FUNCTION pg_temp.reading_call(label text, r session_clock.clock_reading) RETURNS calls
    LANGUAGE sql AS $$
        SELECT label, r.session_id, r.started_at, r.is_paused, r.total_paused_ms, r.last_state_change_at,
               r.ended_at, r.version, r.server_now, r.elapsed_ms, NULL::boolean, r.participants,
               r.min_participants, r.grace_ms, r.grace_deadline_at, r.auto_paused
    $$;
