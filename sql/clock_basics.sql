-- clock_basics: the clock RPCs' happy paths and their no-ops, and what a
-- change leaves behind (the row, one event, one NOTIFY).
--
-- Output must not vary between runs: only booleans, counts and values the
-- semantics fix are printed, never a timestamp, a PID or a measured duration.
-- Runs as the regression superuser (an admin of every session).

\set c1 '11111111-0000-0000-0000-000000000001'
\set c2 '11111111-0000-0000-0000-000000000002'
\set c3 '11111111-0000-0000-0000-000000000003'

\i sql/include/clock_calls.sql

\i sql/include/listen.sql
SELECT * FROM pg_temp.received();

------------------------------------------------------------------------------
-- start
------------------------------------------------------------------------------
-- why: a new id creates a running clock at version 1, answered at its start
-- (server_now = started_at, so elapsed_ms is exactly 0).
INSERT INTO calls SELECT 'start', r.* FROM session_clock_start(:'c1') r
RETURNING label, changed, version, is_paused, total_paused_ms, ended_at IS NULL AS running,
          last_state_change_at = started_at AS changed_at_start, server_now = started_at AS answered_at_start,
          elapsed_ms;
-- why: the row is what the answer said.
SELECT s.started_at = c.started_at AS same_start, s.is_paused, s.total_paused_ms, s.version,
       s.last_state_change_at = c.started_at AS same_change, s.ended_at IS NULL AS not_ended
FROM session_clock.sessions s JOIN calls c ON c.session_id = s.id AND c.label = 'start';
-- why: the change wrote one start event (actor: the calling role) and one NOTIFY.
SELECT version, event, reason, actor = current_user AS actor_is_caller, actor_role = current_user AS role_is_caller,
       at = (SELECT started_at FROM calls WHERE label = 'start') AS at_start, elapsed_ms, paused_ms, clock_stepped_back
FROM session_clock.session_events WHERE session_id = :'c1' ORDER BY version;
SELECT * FROM pg_temp.received();

-- why: starting again is a no-op: changed = false, same row, no event, no NOTIFY;
-- the answer is still read now (server_now after the start).
INSERT INTO calls SELECT 'start again', r.* FROM session_clock_start(:'c1') r
RETURNING label, changed, version, is_paused,
          started_at = (SELECT started_at FROM calls WHERE label = 'start') AS same_start,
          server_now > started_at AS read_now;
SELECT count(*) AS events FROM session_clock.session_events WHERE session_id = :'c1';
SELECT * FROM pg_temp.received();

------------------------------------------------------------------------------
-- get
------------------------------------------------------------------------------
-- why: get answers the row plus server_now and elapsed_ms at server_now (a
-- clock_reading: nine columns, no "changed"); elapsed_ms is started_at to
-- server_now, in ms, and the same as the pure session_clock.elapsed_ms.
SELECT pg_sleep(0.02);
INSERT INTO calls SELECT (pg_temp.reading_call('get running', g)).* FROM session_clock_get(:'c1') g
RETURNING label, version, is_paused, total_paused_ms, ended_at IS NULL AS running,
          elapsed_ms >= 20 AS advanced,
          elapsed_ms = (extract(epoch FROM server_now - started_at) * 1000)::float8 AS elapsed_from_start;
SELECT count(*) AS columns FROM pg_attribute
WHERE attrelid = 'session_clock.clock_reading'::regclass AND attnum > 0 AND NOT attisdropped;
SELECT c.elapsed_ms = session_clock.elapsed_ms(s, c.server_now) AS pure_function_agrees
FROM calls c JOIN session_clock.sessions s ON s.id = c.session_id WHERE c.label = 'get running';
-- why: reading changes nothing.
SELECT count(*) AS events FROM session_clock.session_events WHERE session_id = :'c1';
SELECT * FROM pg_temp.received();

------------------------------------------------------------------------------
-- pause
------------------------------------------------------------------------------
-- why: pause freezes the clock at the pause instant, records the reason, and
-- announces version 2.
INSERT INTO calls SELECT 'pause', r.* FROM session_clock_pause(:'c1', 'coffee break') r
RETURNING label, changed, version, is_paused, total_paused_ms, ended_at IS NULL AS not_ended,
          last_state_change_at = server_now AS changed_now,
          elapsed_ms >= (SELECT elapsed_ms FROM calls WHERE label = 'get running') AS not_behind_get;
SELECT e.version, e.event, e.reason, e.at = c.last_state_change_at AS at_change, e.elapsed_ms = c.elapsed_ms AS elapsed_answered,
       e.paused_ms, e.clock_stepped_back
FROM session_clock.session_events e JOIN calls c ON c.label = 'pause'
WHERE e.session_id = :'c1' AND e.version = 2;
SELECT * FROM pg_temp.received();

-- why: pausing a paused clock (with or without a reason, named arguments as
-- PostgREST sends them) is a no-op: no event, no NOTIFY, same answer.
INSERT INTO calls SELECT 'pause again', r.* FROM session_clock_pause(:'c1') r
RETURNING label, changed, version, is_paused,
          elapsed_ms = (SELECT elapsed_ms FROM calls WHERE label = 'pause') AS same_position;
INSERT INTO calls SELECT 'pause again, named', r.*
FROM session_clock_pause(p_session_id => :'c1', p_reason => 'still on break') r
RETURNING label, changed, version, is_paused;
SELECT count(*) AS events FROM session_clock.session_events WHERE session_id = :'c1';
SELECT * FROM pg_temp.received();

-- why: while paused the position is frozen, whenever it is read.
SELECT pg_sleep(0.05);
INSERT INTO calls SELECT (pg_temp.reading_call('get paused', g)).* FROM session_clock_get(:'c1') g
RETURNING label, version, is_paused,
          elapsed_ms = (SELECT elapsed_ms FROM calls WHERE label = 'pause') AS frozen,
          server_now > last_state_change_at AS read_later;
SELECT session_clock.elapsed_ms(s, clock_timestamp() + interval '1 day') = c.elapsed_ms AS frozen_tomorrow,
       session_clock.elapsed_ms(s, s.started_at) = c.elapsed_ms AS earlier_reads_as_last_change
FROM session_clock.sessions s JOIN calls c ON c.session_id = s.id AND c.label = 'pause';

------------------------------------------------------------------------------
-- resume
------------------------------------------------------------------------------
-- why: resume adds the pause, floored to whole ms, to total_paused_ms; the
-- position resumes where it froze (up to the floored-away fraction of a ms,
-- so it never jumps back).
INSERT INTO calls SELECT 'resume', r.* FROM session_clock_resume(:'c1', 'back') r
RETURNING label, changed, version, is_paused, total_paused_ms >= 50 AS counted_the_pause,
          last_state_change_at = server_now AS changed_now,
          elapsed_ms - (SELECT elapsed_ms FROM calls WHERE label = 'pause') >= 0 AS not_back,
          elapsed_ms - (SELECT elapsed_ms FROM calls WHERE label = 'pause') < 1 AS within_a_ms;
SELECT e.version, e.event, e.reason, e.paused_ms = r.total_paused_ms AS paused_ms_is_total,
       e.paused_ms = floor(extract(epoch FROM r.last_state_change_at - p.last_state_change_at) * 1000) AS floored_ms,
       e.elapsed_ms = r.elapsed_ms AS elapsed_answered, e.clock_stepped_back
FROM session_clock.session_events e
JOIN calls r ON r.label = 'resume' JOIN calls p ON p.label = 'pause'
WHERE e.session_id = :'c1' AND e.version = 3;
SELECT * FROM pg_temp.received();

-- why: resuming a running clock is a no-op.
INSERT INTO calls SELECT 'resume again', r.* FROM session_clock_resume(:'c1', 'back again') r
RETURNING label, changed, version, is_paused,
          total_paused_ms = (SELECT total_paused_ms FROM calls WHERE label = 'resume') AS same_total;
SELECT count(*) AS events FROM session_clock.session_events WHERE session_id = :'c1';
SELECT * FROM pg_temp.received();

-- why: running again, the clock advances by the time that passes, minus the pause.
SELECT pg_sleep(0.02);
INSERT INTO calls SELECT (pg_temp.reading_call('get resumed', g)).* FROM session_clock_get(:'c1') g
RETURNING label, is_paused,
          elapsed_ms - (SELECT elapsed_ms FROM calls WHERE label = 'resume') >= 20 AS advanced,
          elapsed_ms = (extract(epoch FROM server_now - started_at) * 1000 - total_paused_ms)::float8 AS minus_pauses;

------------------------------------------------------------------------------
-- stop (running)
------------------------------------------------------------------------------
-- why: stop ends the clock where it is; a running clock closes no pause.
INSERT INTO calls SELECT 'stop', r.* FROM session_clock_stop(:'c1', 'done') r
RETURNING label, changed, version, is_paused, ended_at = server_now AS ended_now,
          ended_at = last_state_change_at AS last_change_is_end,
          total_paused_ms = (SELECT total_paused_ms FROM calls WHERE label = 'resume') AS same_total;
SELECT version, event, reason, paused_ms, clock_stepped_back,
       elapsed_ms = (SELECT elapsed_ms FROM calls WHERE label = 'stop') AS elapsed_answered
FROM session_clock.session_events WHERE session_id = :'c1' AND version = 4;
SELECT * FROM pg_temp.received();

-- why: stopping a stopped clock is a no-op.
INSERT INTO calls SELECT 'stop again', r.* FROM session_clock_stop(:'c1') r
RETURNING label, changed, version, ended_at = (SELECT ended_at FROM calls WHERE label = 'stop') AS same_end;
SELECT count(*) AS events FROM session_clock.session_events WHERE session_id = :'c1';
SELECT * FROM pg_temp.received();

-- why: a stopped clock's position is frozen at ended_at - started_at - total_paused_ms.
SELECT pg_sleep(0.02);
INSERT INTO calls SELECT (pg_temp.reading_call('get stopped', g)).* FROM session_clock_get(:'c1') g
RETURNING label, version, ended_at IS NOT NULL AS ended,
          elapsed_ms = (SELECT elapsed_ms FROM calls WHERE label = 'stop') AS frozen,
          elapsed_ms = (extract(epoch FROM ended_at - started_at) * 1000 - total_paused_ms)::float8 AS end_minus_pauses;
SELECT session_clock.elapsed_ms(s, clock_timestamp() + interval '1 year') = c.elapsed_ms AS frozen_next_year
FROM session_clock.sessions s JOIN calls c ON c.session_id = s.id AND c.label = 'stop';

------------------------------------------------------------------------------
-- stop (paused)
------------------------------------------------------------------------------
-- why: stopping a paused clock folds the open pause (floored to whole ms)
-- into total_paused_ms, so the position stays where the pause froze it
-- (up to the floored-away fraction of a ms). is_paused keeps its value.
SELECT changed, version FROM session_clock_start(:'c2');
INSERT INTO calls SELECT 'c2 pause', r.* FROM session_clock_pause(:'c2') r RETURNING label, changed, version;
SELECT pg_sleep(0.05);
INSERT INTO calls SELECT 'c2 stop', r.* FROM session_clock_stop(:'c2', 'ended during the break') r
RETURNING label, changed, version, is_paused, ended_at IS NOT NULL AS ended,
          total_paused_ms >= 50 AS folded_the_pause,
          total_paused_ms = floor(extract(epoch FROM ended_at - (SELECT last_state_change_at FROM calls WHERE label = 'c2 pause')) * 1000)
              AS floored_ms,
          elapsed_ms - (SELECT elapsed_ms FROM calls WHERE label = 'c2 pause') >= 0 AS not_back,
          elapsed_ms - (SELECT elapsed_ms FROM calls WHERE label = 'c2 pause') < 1 AS within_a_ms;
SELECT e.version, e.event, e.reason, e.paused_ms = c.total_paused_ms AS closed_the_pause, e.clock_stepped_back
FROM session_clock.session_events e JOIN calls c ON c.label = 'c2 stop'
WHERE e.session_id = :'c2' ORDER BY e.version;
SELECT * FROM pg_temp.received();
-- why: the stopped clock stays frozen, paused or not.
SELECT pg_sleep(0.02);
SELECT g.elapsed_ms = c.elapsed_ms AS frozen, g.total_paused_ms = c.total_paused_ms AS same_total
FROM session_clock_get(:'c2') g JOIN calls c ON c.label = 'c2 stop';

------------------------------------------------------------------------------
-- server_now is the time of the answer, not of the transaction
------------------------------------------------------------------------------
-- why: inside one transaction now() stands still but every answer's
-- server_now (and so elapsed_ms) moves on, like clock_timestamp().
SELECT changed FROM session_clock_start(:'c3');
SELECT * FROM pg_temp.received();
BEGIN;
CREATE TEMP TABLE tx_reads AS SELECT 1 AS n, now() AS tx_now, g.* FROM session_clock_get(:'c3') g;
SELECT pg_sleep(0.01);
INSERT INTO tx_reads SELECT 2, now(), g.* FROM session_clock_get(:'c3') g;
SELECT a.tx_now = b.tx_now AS now_stands_still, a.server_now > a.tx_now AS after_tx_start,
       b.server_now > a.server_now AS server_now_moves, b.elapsed_ms > a.elapsed_ms AS elapsed_moves,
       b.server_now <= clock_timestamp() AS not_ahead_of_clock
FROM tx_reads a JOIN tx_reads b ON a.n = 1 AND b.n = 2;
COMMIT;

------------------------------------------------------------------------------
-- changes are transactional, and so is their NOTIFY
------------------------------------------------------------------------------
-- why: a rolled-back change leaves no row change, no event, no NOTIFY.
BEGIN;
SELECT changed, version, is_paused FROM session_clock_pause(:'c3', 'never happened');
ROLLBACK;
SELECT is_paused, version FROM session_clock.sessions WHERE id = :'c3';
SELECT count(*) AS events FROM session_clock.session_events WHERE session_id = :'c3';
SELECT * FROM pg_temp.received();

-- why: the NOTIFY goes out at commit, not before; several changes in one
-- transaction each get their own version, event and NOTIFY, in order.
BEGIN;
SELECT changed, version FROM session_clock_pause(:'c3');
SELECT changed, version FROM session_clock_resume(:'c3');
SELECT changed, version FROM session_clock_pause(:'c3');   -- a second pause: a real change again
SELECT * FROM pg_temp.received();
COMMIT;
SELECT * FROM pg_temp.received();
SELECT version, event, at > lag(at) OVER (ORDER BY version) AS later_than_previous
FROM session_clock.session_events WHERE session_id = :'c3' ORDER BY version;

------------------------------------------------------------------------------
-- Billing: session_clock.elapsed_ms over many rows
------------------------------------------------------------------------------
-- why: billing reads thousands of clocks in one query, without an RPC per
-- row. session_clock.elapsed_ms(row, at) must give exactly what get answers,
-- and what an independent SQL formula over the row gives, for running,
-- paused, resumed, stopped and stopped-while-paused clocks.
CREATE TEMP TABLE bulk AS
    SELECT i, format('22222222-0000-0000-0000-%s', lpad(to_hex(i), 12, '0'))::uuid AS id
    FROM generate_series(1, 1000) AS i;
SELECT count(*) FILTER (WHERE r.changed) AS started FROM bulk b, session_clock_start(b.id) r;
SELECT count(*) FILTER (WHERE r.changed) AS paused
FROM (SELECT id FROM bulk WHERE i % 3 = 0) b, session_clock_pause(b.id) r;
SELECT pg_sleep(0.02);
SELECT count(*) FILTER (WHERE r.changed) AS resumed
FROM (SELECT id FROM bulk WHERE i % 6 = 0) b, session_clock_resume(b.id) r;
SELECT count(*) FILTER (WHERE r.changed) AS stopped
FROM (SELECT id FROM bulk WHERE i % 5 = 0) b, session_clock_stop(b.id) r;
-- why: each change was announced once, each with its own payload.
SELECT count(*) AS notifications, count(DISTINCT payload) AS distinct_payloads,
       bool_and(channel = 'session_clock' AND from_this_backend) AS all_ours
FROM pg_temp.received();
SELECT CASE WHEN ended_at IS NOT NULL THEN 'stopped' WHEN is_paused THEN 'paused' ELSE 'running' END AS state,
       count(*) AS clocks, count(*) FILTER (WHERE total_paused_ms > 0) AS with_pause_time
FROM session_clock.sessions WHERE id IN (SELECT id FROM bulk) GROUP BY 1 ORDER BY 1;

-- The definition in plain SQL, in exact numeric arithmetic: position =
-- (end - started_at) - total_paused_ms, where end is ended_at if stopped,
-- last_state_change_at if paused, else "at" but never before the last change.
CREATE FUNCTION pg_temp.expected_elapsed_ms(s session_clock.sessions, at timestamptz) RETURNS float8
    LANGUAGE sql IMMUTABLE AS $$
    SELECT (greatest((extract(epoch FROM CASE WHEN s.ended_at IS NOT NULL THEN s.ended_at
                                              WHEN s.is_paused THEN s.last_state_change_at
                                              ELSE greatest(at, s.last_state_change_at) END)
                      - extract(epoch FROM s.started_at)) * 1000000 - s.total_paused_ms * 1000, 0) / 1000)::float8
$$;
SELECT count(*) AS clocks,
       count(*) FILTER (WHERE g.elapsed_ms = session_clock.elapsed_ms(s, g.server_now)) AS agrees_with_get,
       count(*) FILTER (WHERE session_clock.elapsed_ms(s, t.now) = pg_temp.expected_elapsed_ms(s, t.now)) AS agrees_now,
       count(*) FILTER (WHERE session_clock.elapsed_ms(s, t.now - interval '1 day')
                              = pg_temp.expected_elapsed_ms(s, t.now - interval '1 day')) AS agrees_yesterday,
       count(*) FILTER (WHERE session_clock.elapsed_ms(s, t.now + interval '1 day')
                              = pg_temp.expected_elapsed_ms(s, t.now + interval '1 day')) AS agrees_tomorrow,
       count(*) FILTER (WHERE s.version = (SELECT count(*) FROM session_clock.session_events e WHERE e.session_id = s.id))
           AS version_counts_events
FROM (SELECT clock_timestamp() AS now) t,
     bulk b JOIN session_clock.sessions s ON s.id = b.id,
     LATERAL session_clock_get(b.id) g;

-- why: STRICT: a NULL row or time gives NULL, not an error.
SELECT session_clock.elapsed_ms(NULL, now()) IS NULL AS null_row,
       session_clock.elapsed_ms(s, NULL) IS NULL AS null_time
FROM session_clock.sessions s WHERE s.id = :'c1';

-- The bulk clocks are not needed by later tests.
DELETE FROM session_clock.sessions WHERE id IN (SELECT id FROM bulk);

\i sql/include/unlisten.sql
