-- grace: the grace-period rule (extension 1.1) end to end from SQL. A
-- session whose presence is tracked and whose running clock has fewer than
-- min_participants present gets a deadline grace_ms ahead; still below at
-- the deadline, the clock pauses as of the deadline, exactly once, and
-- resumes when enough participants are back (unless it was paused by hand).
--
-- Short grace periods (300 ms) and pg_sleep make deadlines due. No worker
-- runs against the regression database: a due deadline is applied only by
-- this file's calls (apply_due_deadlines, or any RPC on the session).
--
-- Output must not vary between runs: only booleans, counts, differences and
-- values the semantics fix are printed, never a timestamp or a duration.
-- Runs as the regression superuser (an admin of every session).

\set u '55555555-0000-0000-0000-000000000001'
\set t '55555555-0000-0000-0000-000000000002'
\set g '55555555-0000-0000-0000-000000000003'
\set m '55555555-0000-0000-0000-000000000004'
\set p '55555555-0000-0000-0000-000000000005'
\set x '55555555-0000-0000-0000-000000000006'
\set z '55555555-0000-0000-0000-000000000007'
\set o '55555555-0000-0000-0000-000000000008'
\set d '55555555-0000-0000-0000-000000000009'
\set e '55555555-0000-0000-0000-00000000000a'

------------------------------------------------------------------------------
-- The settings are the superuser's
------------------------------------------------------------------------------
-- why: this backend has not loaded the library yet, so SET only makes a
-- placeholder, which any role may do; when the library loads and defines
-- the settings as superuser-only, PostgreSQL drops what a non-superuser put
-- there (the WARNINGs), so an end user cannot lengthen the grace for its
-- own sessions this way either.
SET ROLE authenticated;
SET session_clock.grace_ms = 1;
SET session_clock.min_participants = 0;
RESET ROLE;
-- why: the first call loads the library. Nothing is pending either (earlier
-- tests never track presence): nothing to apply, and no next deadline.
SELECT applied, next_due_in_ms IS NULL AS nothing_pending FROM session_clock.apply_due_deadlines();
SHOW session_clock.grace_ms;
SHOW session_clock.min_participants;

\i sql/include/clock_calls.sql

\i sql/include/session_log.sql

-- why: a session's grace state as stored (not as get would show it).
CREATE FUNCTION pg_temp.stored(p_id uuid, OUT version bigint, OUT is_paused boolean, OUT presence_tracked boolean,
        OUT participants integer, OUT has_deadline boolean, OUT auto_paused boolean)
    LANGUAGE sql AS $$
        SELECT s.version, s.is_paused, s.presence_tracked, s.participants, s.grace_deadline_at IS NOT NULL,
               s.auto_paused
        FROM session_clock.sessions s WHERE s.id = p_id
    $$;

-- try(): SQLSTATE, message, detail of one statement, and whether the
-- extension's tables (the sessions and their events among them) are
-- unchanged afterwards.
\i sql/include/try.sql

------------------------------------------------------------------------------
-- An untracked session never gets a deadline
------------------------------------------------------------------------------
-- why: nobody reported presence for it or configured it, so the rule does
-- not apply, although 0 participants is below the default minimum of 2:
-- running, pausing and resuming leave no deadline and no grace events.
SELECT changed, participants, min_participants, grace_ms, grace_deadline_at IS NULL AS no_deadline, auto_paused
FROM session_clock_start(:'u');
SELECT changed, grace_deadline_at IS NULL AS no_deadline FROM session_clock_pause(:'u');
SELECT changed, grace_deadline_at IS NULL AS no_deadline FROM session_clock_resume(:'u');
SELECT pg_sleep(0.05);
SELECT is_paused, grace_deadline_at IS NULL AS no_deadline FROM session_clock_get(:'u');
SELECT * FROM pg_temp.stored(:'u');
SELECT * FROM pg_temp.events(:'u');

------------------------------------------------------------------------------
-- configure tracks a session; stopping drops its deadline
------------------------------------------------------------------------------
-- why: configure turns the rule on even before anyone reports presence,
-- and with no values of its own the settings apply (2 participants,
-- 30000 ms): 0 present is below 2, so a deadline starts at once, 30 s
-- after the answer, logged with the deadline it set.
SELECT changed FROM session_clock_start(:'t');
INSERT INTO calls SELECT 'configure t', r.* FROM session_clock_configure(:'t') r
RETURNING label, changed, version, is_paused, participants, min_participants, grace_ms,
          grace_deadline_at - server_now = interval '30 s' AS deadline_30s_ahead;
SELECT * FROM pg_temp.stored(:'t');
SELECT min_participants IS NULL AS own_min_unset, grace_ms IS NULL AS own_grace_unset
FROM session_clock.sessions WHERE id = :'t';
SELECT e.version, e.event, e.reason, e.deadline_at = c.grace_deadline_at AS logs_the_deadline,
       e.at = c.server_now AS at_the_answer
FROM session_clock.session_events e JOIN calls c ON c.label = 'configure t'
WHERE e.session_id = :'t' AND e.version > 1 ORDER BY e.version;
-- why: a pending deadline is what apply_due_deadlines waits for: nothing to
-- apply yet, and the next one is at most 30 s away.
SELECT applied, next_due_in_ms > 0 AND next_due_in_ms <= 30000 AS next_within_30s
FROM session_clock.apply_due_deadlines();

-- why: stop ends the clock for good, so the deadline goes with it (in the
-- same change: no grace_cancel event); presence still changes and is
-- logged on a stopped clock, but no deadline starts again.
SELECT changed, ended_at IS NOT NULL AS ended, grace_deadline_at IS NULL AS no_deadline
FROM session_clock_stop(:'t', 'done');
SELECT changed, participants, grace_deadline_at IS NULL AS no_deadline FROM session_clock_presence(:'t', 'a', true);
SELECT changed, participants, grace_deadline_at IS NULL AS no_deadline FROM session_clock_presence(:'t', 'a', false);
SELECT * FROM pg_temp.stored(:'t');
SELECT * FROM pg_temp.events(:'t', 3);
SELECT applied, next_due_in_ms IS NULL AS nothing_pending FROM session_clock.apply_due_deadlines();

------------------------------------------------------------------------------
-- Below the minimum, back in time, and staying away
------------------------------------------------------------------------------
-- why: the first report tracks the session (settings: 2 participants, 30 s):
-- alone, a starts a deadline; b's arrival cancels it. Configuring 2 and
-- 300 ms then changes nothing else: 2 are present.
SELECT changed FROM session_clock_start(:'g');
SELECT changed, participants, grace_deadline_at IS NOT NULL AS has_deadline FROM session_clock_presence(:'g', 'a', true);
SELECT changed, participants, grace_deadline_at IS NOT NULL AS has_deadline FROM session_clock_presence(:'g', 'b', true);
SELECT changed, participants, min_participants, grace_ms, grace_deadline_at IS NOT NULL AS has_deadline
FROM session_clock_configure(:'g', 2, 300);
SELECT * FROM pg_temp.events(:'g');

-- why: b leaves: 1 of 2, so the deadline is set exactly 300 ms after the
-- answer (the leave's own time), and the clock keeps running...
INSERT INTO calls SELECT 'b leaves', r.* FROM session_clock_presence(:'g', 'b', false) r
RETURNING label, changed, participants, is_paused,
          grace_deadline_at - server_now = interval '300 ms' AS deadline_300ms_ahead;
-- ...and b is back in time: the deadline is cancelled, the clock never paused.
INSERT INTO calls SELECT 'b back in time', r.* FROM session_clock_presence(:'g', 'b', true) r
RETURNING label, changed, participants, is_paused, grace_deadline_at IS NULL AS no_deadline, total_paused_ms;
SELECT * FROM pg_temp.events(:'g', 6);

-- why: b leaves again and stays away past the deadline.
INSERT INTO calls SELECT 'b stays away', r.* FROM session_clock_presence(:'g', 'b', false) r
RETURNING label, changed, participants, is_paused,
          grace_deadline_at - server_now = interval '300 ms' AS deadline_300ms_ahead;
SELECT applied, next_due_in_ms > 0 AND next_due_in_ms <= 300 AS next_within_300ms
FROM session_clock.apply_due_deadlines();
SELECT pg_sleep(0.4);

-- why: nobody has applied the deadline yet: the row still runs, with it...
CREATE TEMP TABLE before_apply AS SELECT * FROM session_clock.sessions WHERE id = :'g';
SELECT is_paused, grace_deadline_at < clock_timestamp() AS deadline_passed, auto_paused, version
FROM before_apply;
-- ...but get already answers the pause it stands for: paused as of the
-- deadline (last_state_change_at = the deadline), frozen at the position
-- the clock had then, at the version the pause will have, no deadline left.
INSERT INTO calls SELECT (pg_temp.reading_call('get overdue', r)).* FROM session_clock_get(:'g') r
RETURNING label, is_paused, auto_paused, grace_deadline_at IS NULL AS no_deadline,
          last_state_change_at = (SELECT grace_deadline_at FROM before_apply) AS paused_as_of_deadline,
          version - (SELECT version FROM before_apply) AS versions_ahead_of_row,
          elapsed_ms = (extract(epoch FROM last_state_change_at - started_at) * 1000 - total_paused_ms)::float8
              AS frozen_at_deadline;
-- why: reading wrote nothing.
SELECT s.version = b.version AS same_version, s.is_paused, s.grace_deadline_at = b.grace_deadline_at AS same_deadline
FROM session_clock.sessions s JOIN before_apply b USING (id);

-- why: the worker's call applies it, exactly once: the second call finds
-- nothing, and nothing else is pending.
SELECT applied, next_due_in_ms IS NULL AS nothing_pending FROM session_clock.apply_due_deadlines();
SELECT applied, next_due_in_ms IS NULL AS nothing_pending FROM session_clock.apply_due_deadlines();
-- why: the row now is what get showed before it was written.
SELECT (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.version, s.grace_deadline_at, s.auto_paused)
           IS NOT DISTINCT FROM
       (c.is_paused, c.total_paused_ms, c.last_state_change_at, c.version, c.grace_deadline_at, c.auto_paused)
           AS row_is_what_get_showed
FROM session_clock.sessions s JOIN calls c ON c.label = 'get overdue' WHERE s.id = :'g';
-- why: one pause event, at the deadline, for participant_disconnected, by
-- whoever applied it (here the calling role), at the position get showed.
SELECT e.version, e.event, e.reason, e.at = b.grace_deadline_at AS at_deadline,
       e.elapsed_ms = c.elapsed_ms AS position_as_get_showed, e.paused_ms,
       e.actor = current_user AS actor_is_caller
FROM session_clock.session_events e
JOIN before_apply b ON b.id = e.session_id JOIN calls c ON c.label = 'get overdue'
WHERE e.session_id = :'g' AND e.event = 'pause';
SELECT s.deadline_at = b.grace_deadline_at AS grace_start_logged_this_deadline
FROM session_clock.session_events s JOIN before_apply b ON b.id = s.session_id
WHERE s.session_id = :'g' AND s.event = 'grace_start' AND s.version = b.version;

-- why: b comes back: 2 of 2 after an automatic pause resumes the clock at
-- once, and the pause counted is the whole ms from the deadline to now (at
-- least the 100 ms slept past the deadline), not from b's leave.
INSERT INTO calls SELECT 'b reconnects', r.* FROM session_clock_presence(:'g', 'b', true) r
RETURNING label, changed, participants, is_paused, auto_paused, grace_deadline_at IS NULL AS no_deadline,
          total_paused_ms = floor(extract(epoch FROM last_state_change_at
                                  - (SELECT grace_deadline_at FROM before_apply)) * 1000) AS paused_since_deadline,
          total_paused_ms >= 100 AS counted_the_sleep,
          elapsed_ms - (SELECT elapsed_ms FROM calls WHERE label = 'get overdue') >= 0 AS not_back,
          elapsed_ms - (SELECT elapsed_ms FROM calls WHERE label = 'get overdue') < 1 AS within_a_ms;
SELECT * FROM pg_temp.events(:'g', 10);
SELECT e.paused_ms = c.total_paused_ms AS resume_closed_the_pause
FROM session_clock.session_events e JOIN calls c ON c.label = 'b reconnects'
WHERE e.session_id = :'g' AND e.event = 'resume';

------------------------------------------------------------------------------
-- A pause by hand is never resumed automatically
------------------------------------------------------------------------------
-- why: a and b present, then someone pauses by hand: a manual pause.
SELECT changed FROM session_clock_start(:'m');
SELECT changed, participants FROM session_clock_presence(:'m', 'a', true);
SELECT changed, participants FROM session_clock_presence(:'m', 'b', true);
SELECT changed, grace_deadline_at IS NULL AS no_deadline FROM session_clock_configure(:'m', 2, 300);
SELECT changed, is_paused, auto_paused FROM session_clock_pause(:'m', 'by hand');
-- why: b leaves: a paused clock needs no deadline; after what would have
-- been the grace there is nothing to apply.
SELECT changed, participants, is_paused, grace_deadline_at IS NULL AS no_deadline
FROM session_clock_presence(:'m', 'b', false);
SELECT pg_sleep(0.4);
SELECT applied FROM session_clock.apply_due_deadlines();
-- why: b is back, 2 of 2: the clock stays paused; only a person resumes it.
SELECT changed, participants, is_paused, auto_paused FROM session_clock_presence(:'m', 'b', true);
SELECT * FROM pg_temp.events(:'m', 6);

------------------------------------------------------------------------------
-- A manual resume below the minimum starts a new deadline
------------------------------------------------------------------------------
-- why: b leaves the paused clock (no deadline), then a resumes it by hand
-- with 1 of 2 present: running below the minimum, it gets a fresh deadline
-- 300 ms ahead; b's return cancels it.
SELECT changed, participants, grace_deadline_at IS NULL AS no_deadline FROM session_clock_presence(:'m', 'b', false);
SELECT changed, is_paused, auto_paused, grace_deadline_at - server_now = interval '300 ms' AS deadline_300ms_ahead
FROM session_clock_resume(:'m', 'by hand');
SELECT changed, participants, is_paused, grace_deadline_at IS NULL AS no_deadline FROM session_clock_presence(:'m', 'b', true);
SELECT * FROM pg_temp.events(:'m', 9);

------------------------------------------------------------------------------
-- A manual pause after the deadline, before any worker applied it
------------------------------------------------------------------------------
-- why: the deadline passed while nobody applied it; a person's pause first
-- writes that pause (reason participant_disconnected, at the deadline), as a
-- worker would have, and then takes it over (event hold, with the person's
-- reason; changed = t): a clock a person paused is never resumed by the
-- rule, so b's return leaves it paused.
SELECT changed FROM session_clock_start(:'p');
SELECT changed, participants FROM session_clock_presence(:'p', 'a', true);
SELECT changed, participants FROM session_clock_presence(:'p', 'b', true);
SELECT changed, grace_deadline_at IS NULL AS no_deadline FROM session_clock_configure(:'p', 2, 300);
SELECT changed, participants, grace_deadline_at IS NOT NULL AS has_deadline FROM session_clock_presence(:'p', 'b', false);
CREATE TEMP TABLE p_before AS SELECT * FROM session_clock.sessions WHERE id = :'p';
SELECT pg_sleep(0.4);
SELECT changed, is_paused, auto_paused, grace_deadline_at IS NULL AS no_deadline,
       last_state_change_at = (SELECT grace_deadline_at FROM p_before) AS paused_as_of_deadline,
       version - (SELECT version FROM p_before) AS new_versions
FROM session_clock_pause(:'p', 'too late');
SELECT e.version, e.event, e.reason, e.at = b.grace_deadline_at AS at_deadline
FROM session_clock.session_events e JOIN p_before b ON b.id = e.session_id
WHERE e.session_id = :'p' AND e.version > b.version ORDER BY e.version;
SELECT applied FROM session_clock.apply_due_deadlines();
SELECT changed, participants, is_paused, auto_paused FROM session_clock_presence(:'p', 'b', true);
SELECT * FROM pg_temp.events(:'p', 9);

------------------------------------------------------------------------------
-- Stopping after the deadline passed
------------------------------------------------------------------------------
-- why: the stop applies the overdue deadline first: the clock paused at
-- the deadline, and the stop closes that pause (whole ms since the deadline).
SELECT changed FROM session_clock_start(:'x');
SELECT changed, participants, grace_deadline_at - server_now = interval '200 ms' AS deadline_200ms_ahead
FROM session_clock_configure(:'x', 2, 200);
CREATE TEMP TABLE x_before AS SELECT * FROM session_clock.sessions WHERE id = :'x';
SELECT pg_sleep(0.3);
SELECT changed, is_paused, auto_paused, ended_at IS NOT NULL AS ended, grace_deadline_at IS NULL AS no_deadline,
       total_paused_ms = floor(extract(epoch FROM ended_at - (SELECT grace_deadline_at FROM x_before)) * 1000)
           AS paused_since_deadline
FROM session_clock_stop(:'x', 'done');
SELECT e.version, e.event, e.reason, e.at = b.grace_deadline_at AS at_deadline
FROM session_clock.session_events e JOIN x_before b ON b.id = e.session_id
WHERE e.session_id = :'x' AND e.version > b.version ORDER BY e.version;
SELECT e.paused_ms = s.total_paused_ms AS stop_closed_the_pause
FROM session_clock.session_events e JOIN session_clock.sessions s ON s.id = e.session_id
WHERE e.session_id = :'x' AND e.event = 'stop';

------------------------------------------------------------------------------
-- Zero grace pauses at once
------------------------------------------------------------------------------
-- why: grace 0 with nobody present: the clock pauses in the same call, at
-- the answer's time, as an automatic pause with no deadline; enough
-- participants back resume it, and going below again pauses it at once.
SELECT changed FROM session_clock_start(:'z');
SELECT changed, is_paused, auto_paused, grace_deadline_at IS NULL AS no_deadline,
       last_state_change_at = server_now AS paused_now
FROM session_clock_configure(:'z', 2, 0);
SELECT changed, participants, is_paused FROM session_clock_presence(:'z', 'a', true);
SELECT changed, participants, is_paused, auto_paused FROM session_clock_presence(:'z', 'b', true);
SELECT changed, participants, is_paused, auto_paused, last_state_change_at = server_now AS paused_now
FROM session_clock_presence(:'z', 'a', false);
SELECT * FROM pg_temp.events(:'z');

------------------------------------------------------------------------------
-- min_participants 0 switches the rule off
------------------------------------------------------------------------------
-- why: a pending deadline is cancelled by configuring 0, and later leaves
-- start none: 0 present is not below 0.
SELECT changed FROM session_clock_start(:'o');
SELECT changed, participants FROM session_clock_presence(:'o', 'a', true);
SELECT changed, min_participants, grace_deadline_at IS NULL AS no_deadline FROM session_clock_configure(:'o', 0, 300);
SELECT changed, participants, is_paused, grace_deadline_at IS NULL AS no_deadline FROM session_clock_presence(:'o', 'a', false);
SELECT pg_sleep(0.4);
SELECT is_paused, grace_deadline_at IS NULL AS no_deadline FROM session_clock_get(:'o');
SELECT * FROM pg_temp.events(:'o');
-- why: switched off while automatically paused (z: 1 of 2, grace 0), the
-- clock is no longer below its minimum, so the pause is released.
SELECT changed, min_participants, is_paused, auto_paused FROM session_clock_configure(:'z', 0);
SELECT * FROM pg_temp.events(:'z', 8);

------------------------------------------------------------------------------
-- The settings are the defaults for sessions without their own values
------------------------------------------------------------------------------
-- why: the superuser changes the defaults for this backend; a session
-- configured without a grace of its own takes the setting's (45 s), one
-- without any values takes the minimum too (3: 2 present is below it); a
-- session with its own values keeps them (g: 2 and 300 ms).
SET session_clock.grace_ms = '45s';
SET session_clock.min_participants = 3;
SELECT changed FROM session_clock_start(:'d');
SELECT changed, min_participants, grace_ms, grace_deadline_at - server_now = interval '45 s' AS deadline_45s_ahead
FROM session_clock_configure(:'d', 2);
SELECT changed FROM session_clock_start(:'e');
SELECT changed, participants, min_participants, grace_ms,
       grace_deadline_at - server_now = interval '45 s' AS deadline_45s_ahead
FROM session_clock_presence(:'e', 'a', true);
SELECT changed, participants, grace_deadline_at IS NOT NULL AS still_has_deadline
FROM session_clock_presence(:'e', 'b', true);
SELECT min_participants, grace_ms FROM session_clock_get(:'g');
-- why: back to the defaults, the effective values read back as 2 and 30 s;
-- a deadline already set keeps the time it was given.
RESET session_clock.grace_ms;
RESET session_clock.min_participants;
SELECT min_participants, grace_ms, grace_deadline_at - server_now > interval '30 s' AS deadline_kept
FROM session_clock_get(:'e');
-- why: with its own min 2 set by hand, d is no longer below: cancelled.
SELECT changed, participants FROM session_clock_presence(:'d', 'a', true);
SELECT changed, participants, grace_deadline_at IS NULL AS no_deadline FROM session_clock_presence(:'d', 'b', true);
SELECT changed, ended_at IS NOT NULL AS ended, grace_deadline_at IS NULL AS no_deadline FROM session_clock_stop(:'e');

-- why: a non-superuser may not set them, SET or set_config, session or local.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT t.* FROM (VALUES
    ($$SET session_clock.grace_ms = 1$$),
    ($$SET LOCAL session_clock.grace_ms = 1$$),
    ($$SET session_clock.min_participants = 0$$),
    ($$SELECT set_config('session_clock.grace_ms', '86400000', false)$$),
    ($$SELECT set_config('session_clock.min_participants', '0', true)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;
SHOW session_clock.grace_ms;
SHOW session_clock.min_participants;
-- why: and the superuser only within the limits configure has too.
SELECT t.* FROM (VALUES
    ($$SET session_clock.grace_ms = -1$$),
    ($$SET session_clock.grace_ms = '25h'$$),
    ($$SET session_clock.min_participants = 10001$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

------------------------------------------------------------------------------
-- After all that
------------------------------------------------------------------------------
-- why: every session's event log still folds into its row, its versions
-- are 1..n, and the automatic pauses are exactly the ones above (one each
-- for g, p and x, two for z); nothing is pending anywhere, so there is no
-- next deadline.
SELECT s.id, (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.ended_at, r.version)
             IS NOT DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version)
             AS replay_matches,
       (SELECT count(*) = s.version AND bool_and(e.version BETWEEN 1 AND s.version)
        FROM session_clock.session_events e WHERE e.session_id = s.id) AS versions_1_to_n,
       (SELECT count(*) FROM session_clock.session_events e
        WHERE e.session_id = s.id AND e.event = 'pause' AND e.reason = 'participant_disconnected') AS auto_pauses
FROM session_clock.sessions s, LATERAL session_clock.replay(s.id) r
WHERE s.id::text LIKE '55555555-%' ORDER BY s.id;
SELECT applied, next_due_in_ms IS NULL AS nothing_pending FROM session_clock.apply_due_deadlines();

-- Leave no sessions behind for the tests that run later.
DELETE FROM session_clock.sessions WHERE id::text LIKE '55555555-%';
