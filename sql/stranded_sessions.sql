-- stranded_sessions: the two states a billing team must never see, as a
-- view (1.3) the worker exports to /metrics: an open, tracked session
-- running with fewer present than its minimum and no deadline pending
-- (billed with nobody there, forever), and one paused automatically while
-- enough are present (not billed while they talk). The grace rule never
-- leaves a session so; a database-wide setting changed under running
-- sessions, or a row edited by hand, can. Each state is made here on
-- purpose to see it listed. Runs as the regression superuser.
\set run 'c6000000-0000-4000-8000-000000000001'
\set paused 'c6000000-0000-4000-8000-000000000002'

-- why: nothing is stranded after every other test of the suite.
SELECT count(*) AS stranded FROM session_clock.stranded_sessions;

-- why: two present with the default minimum of 2: running, no deadline,
-- fine. Then the database-wide minimum goes up to 3 (the rule does not
-- revisit pending states): the session runs below it with no deadline
-- (as would every other such session in the database).
SELECT changed FROM session_clock_start(:'run');
SELECT changed FROM session_clock_presence(:'run', 'alice', true);
SELECT participants, grace_deadline_at IS NULL AS no_deadline FROM session_clock_presence(:'run', 'bob', true);
SELECT count(*) AS stranded FROM session_clock.stranded_sessions WHERE session_id IN (:'run', :'paused');
SET session_clock.min_participants = 3;
SELECT problem, participants, min_participants FROM session_clock.stranded_sessions WHERE session_id = :'run';
-- why: the next change to the session lets the rule act: a grace period.
SELECT grace_deadline_at IS NOT NULL AS deadline FROM session_clock_presence(:'run', 'carol', false);
SELECT count(*) AS stranded FROM session_clock.stranded_sessions WHERE session_id IN (:'run', :'paused');
RESET session_clock.min_participants;
SELECT changed FROM session_clock_stop(:'run');

-- why: one present, auto-paused at once (grace 0). The minimum drops to 1
-- by hand, without a change that would let the rule resume it: paused
-- automatically while enough are present.
SELECT changed FROM session_clock_start(:'paused');
SELECT min_participants FROM session_clock_configure(:'paused', NULL, 0);
SELECT is_paused, auto_paused FROM session_clock_presence(:'paused', 'alice', true);
SELECT count(*) AS stranded FROM session_clock.stranded_sessions WHERE session_id IN (:'run', :'paused');
UPDATE session_clock.sessions SET min_participants = 1 WHERE id = :'paused';
SELECT problem, participants, min_participants FROM session_clock.stranded_sessions WHERE session_id = :'paused';
-- why: a person pausing makes the pause theirs: no longer automatic.
SELECT changed FROM session_clock_pause(:'paused', 'lunch');
SELECT count(*) AS stranded FROM session_clock.stranded_sessions WHERE session_id IN (:'run', :'paused');
SELECT changed FROM session_clock_stop(:'paused');

-- why: service_role (the worker) may read the view; end users may not.
SELECT has_table_privilege('service_role', 'session_clock.stranded_sessions', 'SELECT') AS service_role,
       has_table_privilege('authenticated', 'session_clock.stranded_sessions', 'SELECT') AS authenticated,
       has_table_privilege('anon', 'session_clock.stranded_sessions', 'SELECT') AS anon;
