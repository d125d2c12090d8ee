-- event_log: the audit trail. Folding a session's events (in version order,
-- using only each event's kind and effective time) must give back its row
-- exactly; session_clock.replay does it, and this file checks it against an
-- independent fold in plain SQL, after a long irregular run of changes and
-- around backwards clock steps. Runs as the regression superuser, which may
-- edit the tables directly to simulate what the RPCs can't be made to do.

\set s '33333333-0000-0000-0000-000000000001'

-- Every RPC answer of the run, numbered.
CREATE TEMP TABLE calls AS
    SELECT NULL::int AS n, NULL::text AS action, NULL::text AS reason, (NULL::session_clock.clock_change).* LIMIT 0;

-- The independent fold: is_paused, total_paused_ms, last_state_change_at,
-- ended_at, version from the events' kinds and times alone (paused_ms,
-- elapsed_ms and the row are not used). A pause is closed by the next
-- resume or stop; it counts its whole milliseconds.
CREATE FUNCTION pg_temp.sql_fold(p_id uuid, OUT is_paused boolean, OUT total_paused_ms bigint,
        OUT last_state_change_at timestamptz, OUT ended_at timestamptz, OUT version bigint)
    LANGUAGE sql AS $$
    WITH ev AS (
        SELECT e.version, e.event, e.at, lag(e.event) OVER w AS prev_event, lag(e.at) OVER w AS prev_at
        FROM session_clock.session_events e WHERE e.session_id = p_id
        WINDOW w AS (ORDER BY e.version)
    )
    SELECT coalesce((SELECT ev.event = 'pause' FROM ev WHERE ev.event <> 'stop' ORDER BY ev.version DESC LIMIT 1), false),
           coalesce(sum(floor((extract(epoch FROM ev.at) - extract(epoch FROM ev.prev_at)) * 1000))
                        FILTER (WHERE ev.prev_event = 'pause' AND ev.event IN ('resume', 'stop')), 0)::bigint,
           (SELECT ev.at FROM ev ORDER BY ev.version DESC LIMIT 1),
           max(ev.at) FILTER (WHERE ev.event = 'stop'),
           max(ev.version)
    FROM ev
$$;

-- One row comparing a session's row with replay() and with the SQL fold.
CREATE FUNCTION pg_temp.audit(p_id uuid, OUT replay_matches boolean, OUT sql_fold_matches boolean)
    LANGUAGE sql AS $$
    SELECT (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.ended_at, r.version)
               IS NOT DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version),
           (f.is_paused, f.total_paused_ms, f.last_state_change_at, f.ended_at, f.version)
               IS NOT DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version)
    FROM session_clock.sessions s, session_clock.replay(s.id) r, pg_temp.sql_fold(s.id) f
    WHERE s.id = p_id
$$;

-- try(): the SQLSTATE and message of one statement (this file reads only
-- those two of its answers).
\i sql/include/try.sql

------------------------------------------------------------------------------
-- A long irregular run
------------------------------------------------------------------------------
-- why: pauses and resumes of every length (sub-ms ones floor to 0), no-ops
-- in between, some inside one transaction, some with reasons, then a stop
-- while paused (which closes that pause) and a no-op stop.
SELECT changed, version FROM session_clock_start(:'s');
CREATE TEMP TABLE steps (n int PRIMARY KEY, action text, reason text, sleep_s numeric);
INSERT INTO steps VALUES
    ( 1, 'pause',  'first break', NULL), ( 2, 'resume', NULL, NULL),
    ( 3, 'sleep',  NULL, 0.003),         ( 4, 'pause',  NULL, NULL),
    ( 5, 'pause',  'again?', NULL),      ( 6, 'sleep',  NULL, 0.007),
    ( 7, 'resume', 'back', NULL),        ( 8, 'resume', NULL, NULL),
    ( 9, 'pause',  NULL, NULL),          (10, 'resume', 'blink', NULL),
    (11, 'begin',  NULL, NULL),          (12, 'pause',  'in a transaction', NULL),
    (13, 'sleep',  NULL, 0.002),         (14, 'resume', NULL, NULL),
    (15, 'pause',  NULL, NULL),          (16, 'commit', NULL, NULL),
    (17, 'sleep',  NULL, 0.004),         (18, 'resume', NULL, NULL),
    (19, 'pause',  NULL, NULL),          (20, 'sleep',  NULL, 0.001),
    (21, 'resume', NULL, NULL),          (22, 'resume', 'still running', NULL),
    (23, 'sleep',  NULL, 0.005),         (24, 'pause',  'last break', NULL),
    (25, 'sleep',  NULL, 0.006),         (26, 'pause',  NULL, NULL),
    (27, 'stop',   'the end', NULL),     (28, 'stop',   NULL, NULL);
SELECT CASE
         WHEN action IN ('pause', 'resume', 'stop') THEN
           format('INSERT INTO calls SELECT %s, %L, %L, r.* FROM session_clock_%s(%L, %L) r',
                  n, action, reason, action, :'s', reason)
         WHEN action = 'sleep' THEN format('DO $$ BEGIN PERFORM pg_sleep(%s); END $$', sleep_s)
         ELSE upper(action)
       END
FROM steps ORDER BY n
\gexec

-- why: every real change, and only those, got a version, an event and a
-- NOTIFY (counted by clock_basics); the no-ops changed nothing.
SELECT action, count(*) AS calls, count(*) FILTER (WHERE changed) AS changes
FROM calls GROUP BY action ORDER BY action;
SELECT version, is_paused, ended_at IS NOT NULL AS ended FROM session_clock.sessions WHERE id = :'s';
SELECT count(*) AS events, bool_and(e.version = c.version) AS versions_as_answered,
       bool_and(e.reason IS NOT DISTINCT FROM c.reason) AS reasons_as_given,
       bool_and(e.at = c.last_state_change_at) AS at_as_answered,
       bool_and(e.elapsed_ms = c.elapsed_ms) AS elapsed_as_answered
FROM session_clock.session_events e JOIN calls c ON c.changed AND c.version = e.version
WHERE e.session_id = :'s';

-- why: the log's shape: versions 1..n, times never going back (and here,
-- with no clock step, always forward), start first, stop last, pause and
-- resume alternating, nothing stepped back, actor = the calling role.
SELECT count(*) AS events,
       bool_and(version = n) AS versions_1_to_n,
       bool_and(prev_at IS NULL OR at > prev_at) AS times_forward,
       bool_and((n = 1) = (event = 'start')) AS start_first,
       bool_and((n = max_n) = (event = 'stop')) AS stop_last,
       bool_and(CASE event WHEN 'pause' THEN prev_event IN ('start', 'resume')
                           WHEN 'resume' THEN prev_event = 'pause' ELSE true END) AS alternating,
       bool_and(NOT clock_stepped_back) AS no_steps,
       bool_and(actor = current_user AND actor_role = current_user) AS actor_is_caller
FROM (SELECT e.*, row_number() OVER w AS n, count(*) OVER () AS max_n,
             lag(event) OVER w AS prev_event, lag(at) OVER w AS prev_at
      FROM session_clock.session_events e WHERE session_id = :'s' WINDOW w AS (ORDER BY version)) ev;

-- why: replay() and the SQL fold both give back the row exactly.
SELECT * FROM pg_temp.audit(:'s');

-- why: paused_ms, recomputed from the events' times: each resume (and the
-- stop of a paused clock) closed exactly the whole ms since its pause,
-- every other event closed none, and they add up to total_paused_ms.
SELECT count(*) FILTER (WHERE paused_ms <> CASE WHEN prev_event = 'pause' AND event IN ('resume', 'stop')
                                                THEN floor((extract(epoch FROM at) - extract(epoch FROM prev_at)) * 1000)
                                                ELSE 0 END) AS wrong_paused_ms,
       count(*) FILTER (WHERE event = 'stop' AND paused_ms > 0) AS stop_closed_a_pause,
       sum(paused_ms) = (SELECT total_paused_ms FROM session_clock.sessions WHERE id = :'s') AS sum_is_total,
       sum(paused_ms) >= 20 AS paused_at_least_the_sleeps  -- 7 + 2 + 4 + 1 + 6 ms slept while paused
FROM (SELECT e.*, lag(event) OVER w AS prev_event, lag(at) OVER w AS prev_at
      FROM session_clock.session_events e WHERE session_id = :'s' WINDOW w AS (ORDER BY version)) ev;

-- why: each event's elapsed_ms is the clock's position at its time: time
-- since the start minus the pauses closed so far (this one included),
-- computed exactly in numeric; positions never decrease.
SELECT count(*) FILTER (WHERE elapsed_ms <> ((extract(epoch FROM at) - extract(epoch FROM started_at)) * 1000000
                                              - paused_so_far * 1000) / 1000::float8) AS wrong_elapsed,
       bool_and(prev_elapsed IS NULL OR elapsed_ms >= prev_elapsed) AS never_back
FROM (SELECT e.at, e.elapsed_ms, s.started_at,
             sum(e.paused_ms) OVER w AS paused_so_far, lag(e.elapsed_ms) OVER w AS prev_elapsed
      FROM session_clock.session_events e JOIN session_clock.sessions s ON s.id = e.session_id
      WHERE e.session_id = :'s' WINDOW w AS (ORDER BY e.version)) ev;
-- why: and the stopped clock reads where its stop event says.
SELECT g.elapsed_ms = e.elapsed_ms AS reads_as_stopped
FROM session_clock_get(:'s') g
JOIN session_clock.session_events e ON e.session_id = g.session_id AND e.event = 'stop';

------------------------------------------------------------------------------
-- A backwards clock step
------------------------------------------------------------------------------
-- The host clock can't be stepped from a test, so a step is simulated: as
-- if the clock had read one hour ahead when the session was paused and was
-- then stepped back. Both the row and its pause event carry the pause time
-- (and position) they would have had, so the log stays consistent with the
-- row; every later change then reads a time before last_state_change_at.
\set b '33333333-0000-0000-0000-000000000002'
SELECT changed, version FROM session_clock_start(:'b');
SELECT changed, version FROM session_clock_pause(:'b', 'before the step');
UPDATE session_clock.sessions SET last_state_change_at = last_state_change_at + interval '1 hour'
WHERE id = :'b';
UPDATE session_clock.session_events SET at = at + interval '1 hour', elapsed_ms = elapsed_ms + 3600000
WHERE session_id = :'b' AND version = 2;
CREATE TEMP TABLE stepped AS SELECT * FROM session_clock.sessions WHERE id = :'b';
SELECT * FROM pg_temp.audit(:'b');

-- why: resuming is effective at last_state_change_at, not at the (earlier)
-- host time: the pause counts as 0 ms, total_paused_ms is unchanged, and the
-- event says clock_stepped_back. The position does not go back.
INSERT INTO calls SELECT 101, 'resume', 'after the step', r.* FROM session_clock_resume(:'b', 'after the step') r
RETURNING changed, version, is_paused,
          total_paused_ms = (SELECT total_paused_ms FROM stepped) AS total_unchanged,
          last_state_change_at = (SELECT last_state_change_at FROM stepped) AS effective_at_last_change,
          server_now < last_state_change_at AS host_clock_behind,
          elapsed_ms = (SELECT elapsed_ms FROM session_clock.session_events WHERE session_id = :'b' AND version = 2)
              AS position_kept;
SELECT version, event, reason, paused_ms, clock_stepped_back,
       at = (SELECT last_state_change_at FROM stepped) AS at_last_change
FROM session_clock.session_events WHERE session_id = :'b' ORDER BY version;

-- why: while the host clock is behind, a running clock reads as of
-- last_state_change_at (it waits, it does not run backwards).
SELECT pg_sleep(0.01);
SELECT is_paused, elapsed_ms = (SELECT elapsed_ms FROM calls WHERE n = 101) AS waits
FROM session_clock_get(:'b');

-- why: the same for pause and for stop of a paused clock (which closes a
-- 0 ms pause); the log still folds into the row, by replay and by SQL.
SELECT changed, version, is_paused FROM session_clock_pause(:'b');
SELECT changed, version, total_paused_ms = (SELECT total_paused_ms FROM stepped) AS total_unchanged,
       ended_at = (SELECT last_state_change_at FROM stepped) AS ended_at_last_change
FROM session_clock_stop(:'b', 'done');
SELECT version, event, paused_ms, clock_stepped_back FROM session_clock.session_events
WHERE session_id = :'b' AND version > 3 ORDER BY version;
SELECT * FROM pg_temp.audit(:'b');

-- The same step simulated on the row only (the pause event keeps the real
-- pause time) is no longer a clock step but an edit of the row behind the
-- log's back. The RPCs still behave as for a step (they see only the row),
-- but the log now says the pause lasted the hour the row skipped, so the
-- audit must NOT match: replay finds exactly that hour more of pause.
\set t '33333333-0000-0000-0000-000000000003'
SELECT changed, version FROM session_clock_start(:'t');
SELECT changed, version FROM session_clock_pause(:'t');
UPDATE session_clock.sessions SET last_state_change_at = last_state_change_at + interval '1 hour'
WHERE id = :'t';
SELECT changed, version, total_paused_ms FROM session_clock_resume(:'t');
SELECT version, event, paused_ms, clock_stepped_back FROM session_clock.session_events
WHERE session_id = :'t' ORDER BY version;
SELECT * FROM pg_temp.audit(:'t');
SELECT r.total_paused_ms - s.total_paused_ms AS replay_extra_paused_ms,
       (r.is_paused, r.last_state_change_at, r.ended_at, r.version)
           IS NOT DISTINCT FROM (s.is_paused, s.last_state_change_at, s.ended_at, s.version) AS rest_matches
FROM session_clock.sessions s, session_clock.replay(s.id) r WHERE s.id = :'t';

------------------------------------------------------------------------------
-- replay on a damaged log
------------------------------------------------------------------------------
-- why: a log that can't have been written by the RPCs is an error (55000),
-- never a made-up state. Each damage is rolled back.
BEGIN;
DELETE FROM session_clock.session_events WHERE session_id = :'s' AND version = 2;  -- the first pause
SELECT code, message FROM pg_temp.try($$SELECT session_clock.replay('33333333-0000-0000-0000-000000000001')$$);
ROLLBACK;
BEGIN;
UPDATE session_clock.session_events SET event = 'pause' WHERE session_id = :'s' AND version = 3;  -- a resume
SELECT code, message FROM pg_temp.try($$SELECT session_clock.replay('33333333-0000-0000-0000-000000000001')$$);
ROLLBACK;
BEGIN;
UPDATE session_clock.session_events SET event = 'start' WHERE session_id = :'s' AND version = 4;
SELECT code, message FROM pg_temp.try($$SELECT session_clock.replay('33333333-0000-0000-0000-000000000001')$$);
ROLLBACK;
BEGIN;
DELETE FROM session_clock.session_events WHERE session_id = :'s' AND version = 1;  -- the start
SELECT code, message FROM pg_temp.try($$SELECT session_clock.replay('33333333-0000-0000-0000-000000000001')$$);
ROLLBACK;
BEGIN;
DELETE FROM session_clock.session_events WHERE session_id = :'s';  -- everything
SELECT code, message FROM pg_temp.try($$SELECT session_clock.replay('33333333-0000-0000-0000-000000000001')$$);
ROLLBACK;
BEGIN;
UPDATE session_clock.session_events SET at = at - interval '1 day'
WHERE session_id = :'s' AND version = (SELECT max(version) FROM session_clock.session_events WHERE session_id = :'s');
SELECT code, message FROM pg_temp.try($$SELECT session_clock.replay('33333333-0000-0000-0000-000000000001')$$);
ROLLBACK;
BEGIN;
INSERT INTO session_clock.session_events (session_id, event, at, actor, actor_role, elapsed_ms, version)
SELECT id, 'pause', ended_at + interval '1 second', 'nobody', 'nobody', 0, version + 1
FROM session_clock.sessions WHERE id = :'s';  -- a pause after the stop
SELECT code, message FROM pg_temp.try($$SELECT session_clock.replay('33333333-0000-0000-0000-000000000001')$$);
ROLLBACK;
-- why: a log cut short is a valid log of an earlier state: replay answers
-- it, and the comparison with the row is what shows the loss.
BEGIN;
DELETE FROM session_clock.session_events WHERE session_id = :'s' AND event = 'stop';
SELECT * FROM pg_temp.audit(:'s');
ROLLBACK;
-- The intact log still matches.
SELECT * FROM pg_temp.audit(:'s');
