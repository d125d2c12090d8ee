-- clock_errors: every error path of the clock functions, with its SQLSTATE,
-- and proof that an error changes nothing.
--
--   22004  a required argument is NULL
--   22023  an invalid argument (reason: blank, > 200 characters, control characters)
--   P0002  no session with that id
--   55000  the clock is stopped (pause, resume, start)
--
-- (42501, access, is for roles.sql and security.sql; membership functions are
-- membership.sql's.) Runs as the regression superuser.

\set running      '44444444-0000-0000-0000-000000000001'
\set paused       '44444444-0000-0000-0000-000000000002'
\set stopped      '44444444-0000-0000-0000-000000000003'
\set stopped_paused '44444444-0000-0000-0000-000000000004'
\set unknown      '44444444-0000-0000-0000-0000000000ff'

-- why: one clock in each state the errors depend on.
SELECT changed FROM session_clock_start(:'running');
SELECT changed FROM session_clock_start(:'paused');
SELECT changed FROM session_clock_pause(:'paused', 'set up');
SELECT changed FROM session_clock_start(:'stopped');
SELECT changed FROM session_clock_stop(:'stopped', 'set up');
SELECT changed FROM session_clock_start(:'stopped_paused');
SELECT changed FROM session_clock_pause(:'stopped_paused', 'set up');
SELECT changed FROM session_clock_stop(:'stopped_paused', 'set up');

-- What an error must leave as it was: every row of every table of the
-- extension, and the event id sequence (which a rollback does not rewind,
-- so an event INSERT that ran before the error would still show there).
\i sql/include/try.sql

-- The state before any error, to compare with at the end.
CREATE TEMP TABLE before_errors AS
    SELECT s.*, (SELECT count(*) FROM session_clock.session_events e WHERE e.session_id = s.id) AS events
    FROM session_clock.sessions s WHERE s.id::text LIKE '44444444-%';

------------------------------------------------------------------------------
-- 22004: NULL where an argument is required
------------------------------------------------------------------------------
-- why: every clock RPC needs a session id; a NULL one is rejected before
-- anything else (even before an invalid reason), not read as "no session".
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_start(NULL)$$),
    ($$SELECT session_clock_get(NULL)$$),
    ($$SELECT session_clock_pause(NULL)$$),
    ($$SELECT session_clock_pause(NULL, NULL)$$),
    ($$SELECT session_clock_pause(NULL, 'why')$$),
    ($$SELECT session_clock_pause(NULL, '')$$),
    ($$SELECT session_clock_resume(NULL)$$),
    ($$SELECT session_clock_resume(NULL, NULL)$$),
    ($$SELECT session_clock_resume(NULL, 'why')$$),
    ($$SELECT session_clock_stop(NULL)$$),
    ($$SELECT session_clock_stop(NULL, NULL)$$),
    ($$SELECT session_clock_stop(NULL, 'why')$$),
    ($$SELECT session_clock.replay(NULL)$$),
    ($$SELECT session_clock_pause(p_session_id => NULL, p_reason => 'named')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: a row handed to session_clock.elapsed_ms with NULL clock columns is
-- an error, not a made-up position (a NULL version or ended_at is fine: the
-- arithmetic does not use version, and ended_at NULL means not stopped).
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.elapsed_ms(ROW(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, 0, NULL, false, false)::session_clock.sessions, now())$$),
    ($$SELECT session_clock.elapsed_ms(ROW(gen_random_uuid(), NULL, false, 0, now(), NULL, 1, now(), NULL, NULL, false, 0, NULL, false, false)::session_clock.sessions, now())$$),
    ($$SELECT session_clock.elapsed_ms(ROW(gen_random_uuid(), now(), NULL, 0, now(), NULL, 1, now(), NULL, NULL, false, 0, NULL, false, false)::session_clock.sessions, now())$$),
    ($$SELECT session_clock.elapsed_ms(ROW(gen_random_uuid(), now(), false, NULL, now(), NULL, 1, now(), NULL, NULL, false, 0, NULL, false, false)::session_clock.sessions, now())$$),
    ($$SELECT session_clock.elapsed_ms(ROW(gen_random_uuid(), now(), false, 0, NULL, NULL, 1, now(), NULL, NULL, false, 0, NULL, false, false)::session_clock.sessions, now())$$),
    ($$SELECT session_clock.elapsed_ms(ROW(gen_random_uuid(), now(), false, 0, now(), NULL, NULL, NULL, NULL, NULL, false, 0, NULL, false, false)::session_clock.sessions, now())$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: a row edited by hand into values whose microseconds leave int64 is
-- an error (22003), not a wrapped-around or infinite position: both
-- editions do this arithmetic, and each must refuse what the other does.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.elapsed_ms(ROW(gen_random_uuid(), now(), false, 9223372036854775807, now(), NULL, 1, now(), NULL, NULL, false, 0, NULL, false, false)::session_clock.sessions, now())$$),
    ($$SELECT session_clock.elapsed_ms(ROW(gen_random_uuid(), '-infinity', false, 0, now(), NULL, 1, now(), NULL, NULL, false, 0, NULL, false, false)::session_clock.sessions, now())$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: elapsed_ms is STRICT: a NULL row or a NULL time answers NULL.
-- p_reason is optional everywhere: NULL is no reason, not an error (shown
-- on no-op calls, so nothing changes).
SELECT session_clock.elapsed_ms(NULL, now()) IS NULL AS null_row,
       session_clock.elapsed_ms(s, NULL) IS NULL AS null_at
FROM session_clock.sessions s WHERE s.id = :'running';
SELECT changed, is_paused FROM session_clock_pause(:'paused', NULL);
SELECT changed, is_paused FROM session_clock_resume(:'running', NULL);
SELECT changed, ended_at IS NOT NULL AS ended FROM session_clock_stop(:'stopped', NULL);

------------------------------------------------------------------------------
-- 22023: invalid arguments
------------------------------------------------------------------------------
-- why: elapsed_ms needs a finite time.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.elapsed_ms(s, 'infinity') FROM session_clock.sessions s WHERE s.id = '44444444-0000-0000-0000-000000000001'$$),
    ($$SELECT session_clock.elapsed_ms(s, '-infinity') FROM session_clock.sessions s WHERE s.id = '44444444-0000-0000-0000-000000000001'$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: a reason is free text for the audit log: at most 200 characters, not
-- blank, no control characters. Each case runs on a clock where the call
-- would otherwise be a real change (running for pause and stop, paused for
-- resume), so only the reason can be what stops it.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', '')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', ' ')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', '     ')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', E'\t')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', E' \t ')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', repeat('x', 201))$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', repeat('é', 201))$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', repeat('x', 1000000))$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', E'line\nbreak')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', E'carriage\rreturn')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', E'inner\ttab')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', E'escape \x1b[31m red')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', E'delete \x7f')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000001', E'trailing newline\n')$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-000000000002', '')$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-000000000002', repeat('y', 201))$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-000000000002', E'a\nb')$$),
    ($$SELECT session_clock_stop('44444444-0000-0000-0000-000000000001', '  ')$$),
    ($$SELECT session_clock_stop('44444444-0000-0000-0000-000000000001', repeat('z', 201))$$),
    ($$SELECT session_clock_stop('44444444-0000-0000-0000-000000000001', E'a\nb')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: "control characters" are Unicode's (category Cc), not only ASCII's:
-- the C1 controls U+0080..U+009F too (U+0085 is a line break to many log
-- readers, U+009B a terminal escape). Each probe gets a running clock of its
-- own, so if one were wrongly accepted (a real pause) it would not change
-- what the other cases see.
SELECT changed FROM session_clock_start('44444444-0000-0000-0000-000000000005');
SELECT changed FROM session_clock_start('44444444-0000-0000-0000-000000000006');
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000005', E'C1 next line \u0085 control')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000006', E'C1 CSI \u009b31m control')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: arguments are checked before the session is looked at: an invalid
-- reason is 22023 even when the call would otherwise be a no-op, a stopped
-- clock, or an unknown session.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000002', '')$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-000000000001', E'\n')$$),
    ($$SELECT session_clock_stop('44444444-0000-0000-0000-000000000003', repeat('x', 201))$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000003', '')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-0000000000ff', '')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: the limits are inclusive and count characters, not bytes: 200
-- characters of 1, 2, 3 or 4 bytes each are fine, and so are inner and
-- surrounding spaces. These are real changes; the reason is kept as given.
SELECT changed, version FROM session_clock_pause(:'running', repeat('x', 200));
SELECT changed, version FROM session_clock_resume(:'running', repeat('é', 200));
SELECT changed, version FROM session_clock_pause(:'running', repeat('€', 200));
SELECT changed, version FROM session_clock_resume(:'running', repeat('😀', 200));
SELECT changed, version FROM session_clock_pause(:'running', '  spaced  out  ');
SELECT changed, version FROM session_clock_resume(:'running', 'x');
SELECT version, event, length(reason) AS characters, octet_length(reason) AS bytes,
       reason = '  spaced  out  ' AS spaces_kept
FROM session_clock.session_events WHERE session_id = :'running' AND version > 1 ORDER BY version;
-- The new state is the baseline for the rest of the file.
DELETE FROM before_errors;
INSERT INTO before_errors
    SELECT s.*, (SELECT count(*) FROM session_clock.session_events e WHERE e.session_id = s.id)
    FROM session_clock.sessions s WHERE s.id::text LIKE '44444444-%';

------------------------------------------------------------------------------
-- P0002: no such session
------------------------------------------------------------------------------
-- why: every function that acts on an existing session says so, with the
-- id. (start is the exception: it creates the session; see clock_basics.)
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_get('44444444-0000-0000-0000-0000000000ff')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-0000000000ff')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-0000000000ff', 'why')$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-0000000000ff')$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-0000000000ff', 'why')$$),
    ($$SELECT session_clock_stop('44444444-0000-0000-0000-0000000000ff')$$),
    ($$SELECT session_clock_stop('44444444-0000-0000-0000-0000000000ff', 'why')$$),
    ($$SELECT session_clock.replay('44444444-0000-0000-0000-0000000000ff')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
SELECT count(*) AS unknown_rows FROM session_clock.sessions WHERE id = :'unknown';

------------------------------------------------------------------------------
-- 55000: the clock is stopped
------------------------------------------------------------------------------
-- why: a stopped clock can't be paused, resumed or restarted, whether it
-- was stopped running or paused; start says what to do instead.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000003')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000003', 'why')$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-000000000003')$$),
    ($$SELECT session_clock_start('44444444-0000-0000-0000-000000000003')$$),
    ($$SELECT session_clock_pause('44444444-0000-0000-0000-000000000004')$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-000000000004')$$),
    ($$SELECT session_clock_resume('44444444-0000-0000-0000-000000000004', 'why')$$),
    ($$SELECT session_clock_start('44444444-0000-0000-0000-000000000004')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why: but reading, replaying and stopping again are fine (stop: a no-op).
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_get('44444444-0000-0000-0000-000000000003')$$),
    ($$SELECT session_clock_get('44444444-0000-0000-0000-000000000004')$$),
    ($$SELECT session_clock.replay('44444444-0000-0000-0000-000000000004')$$),
    ($$SELECT session_clock_stop('44444444-0000-0000-0000-000000000003', 'again')$$),
    ($$SELECT session_clock_stop('44444444-0000-0000-0000-000000000004')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

------------------------------------------------------------------------------
-- What a client sees
------------------------------------------------------------------------------
-- why: the errors as psql (or PostgREST) shows them: message and detail,
-- and the transaction they happen in is aborted as a whole.
\set VERBOSITY default
SELECT session_clock_start(:'stopped');
SELECT session_clock_pause(:'unknown');
SELECT session_clock_pause(:'running', E'bad\nreason');
BEGIN;
SELECT changed FROM session_clock_pause(:'running', 'inside a transaction');
SELECT session_clock_resume(:'stopped');
COMMIT;

------------------------------------------------------------------------------
-- Nothing changed
------------------------------------------------------------------------------
-- why: after every error above, each clock row and its event count are what
-- they were (the pause in the aborted transaction included).
SELECT b.id, s.id IS NOT NULL AS still_there,
       (s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version)
           IS NOT DISTINCT FROM
       (b.started_at, b.is_paused, b.total_paused_ms, b.last_state_change_at, b.ended_at, b.version) AS same_row,
       (SELECT count(*) FROM session_clock.session_events e WHERE e.session_id = b.id) = b.events AS same_events
FROM before_errors b LEFT JOIN session_clock.sessions s ON s.id = b.id ORDER BY b.id;
SELECT count(*) AS clocks FROM session_clock.sessions WHERE id::text LIKE '44444444-%';
-- why: and the log still folds into each row.
SELECT s.id, (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.ended_at, r.version)
             IS NOT DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version)
             AS replay_matches
FROM session_clock.sessions s, LATERAL session_clock.replay(s.id) r
WHERE s.id::text LIKE '44444444-%' ORDER BY s.id;
