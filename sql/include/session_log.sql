-- include/session_log.sql: a session's event log from a version on,
-- without times: what happened, in order, and to whom.
CREATE FUNCTION pg_temp.events(p_id uuid, p_after bigint DEFAULT 0,
        OUT version bigint, OUT event text, OUT reason text, OUT participant_id text)
    RETURNS SETOF record LANGUAGE sql AS $$
        SELECT e.version, e.event, e.reason, e.participant_id
        FROM session_clock.session_events e
        WHERE e.session_id = p_id AND e.version > p_after ORDER BY e.version
    $$;
