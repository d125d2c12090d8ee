-- The extension writes a clock change's row and event without SQL
-- (extension/pg/direct_write.hpp), so PostgreSQL does not re-check their
-- CHECK constraints: the C++ core must only ever make rows that pass them.
-- This file, the last of the suite, re-checks every CHECK of every table
-- over every row the suite has left, after writing a few more through each
-- kind of change; and shows that a table with a trigger of its own gets
-- ordinary statements, which its trigger sees. Runs as the superuser.
\set s 'c7000000-0000-4000-8000-000000000001'

-- Each CHECK of each table of schema session_clock, and how many rows of
-- that table fail it.
CREATE FUNCTION pg_temp.violations()
RETURNS TABLE (constraint_name text, failing bigint)
LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT x.conrelid::regclass AS tbl, x.conname, pg_get_expr(x.conbin, x.conrelid) AS expr
             FROM pg_constraint x
             WHERE x.contype = 'c' AND x.connamespace = 'session_clock'::regnamespace
             ORDER BY 1, 2 LOOP
        constraint_name := c.tbl || '.' || c.conname;
        EXECUTE format('SELECT count(*) FROM %s WHERE NOT (%s)', c.tbl, c.expr) INTO failing;
        RETURN NEXT;
    END LOOP;
END
$$;

-- why: every kind of change, written directly: start (SQL), pause, resume,
-- presence with a grace period, an automatic pause at a zero grace,
-- a hold, a stop.
SELECT changed FROM session_clock_start(:'s');
SELECT changed FROM session_clock_pause(:'s', 'lunch');
SELECT changed FROM session_clock_resume(:'s');
SELECT min_participants, grace_ms FROM session_clock_configure(:'s', 2, 0);
SELECT participants, is_paused, auto_paused FROM session_clock_presence(:'s', 'alice', true);
SELECT changed, is_paused FROM session_clock_pause(:'s', 'mine now');
SELECT changed, ended_at IS NOT NULL AS stopped FROM session_clock_stop(:'s');
SELECT version, (SELECT count(*) FROM session_clock.session_events WHERE session_id = :'s') AS events
FROM session_clock.sessions WHERE id = :'s';

-- why: no row anywhere fails a CHECK; the list is every CHECK there is.
SELECT count(*) AS checks, sum(failing) AS failing_rows FROM pg_temp.violations();

-- why: the check above can fail: a constraint no row meets (NOT VALID, so
-- adding it does not check) is reported.
BEGIN;
ALTER TABLE session_clock.sessions ADD CONSTRAINT regress_never CHECK (version < 0) NOT VALID;
SELECT constraint_name, failing > 0 AS fails FROM pg_temp.violations() WHERE constraint_name LIKE '%regress_never';
ROLLBACK;

-- why: a trigger of the user's own on the event log sees every change: the
-- extension writes with statements where a table has one.
CREATE TABLE pg_temp.seen (event text);
-- SECURITY DEFINER: the portable edition's writes run as its owner, who
-- may not write to this superuser's table.
CREATE FUNCTION pg_temp.note_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO pg_temp.seen VALUES (NEW.event);
    RETURN NEW;
END $$;
\set t 'c7000000-0000-4000-8000-000000000002'
SELECT changed FROM session_clock_start(:'t');
CREATE TRIGGER regress_note AFTER INSERT ON session_clock.session_events
    FOR EACH ROW EXECUTE FUNCTION pg_temp.note_event();
SELECT changed FROM session_clock_pause(:'t');
SELECT changed FROM session_clock_resume(:'t');
DROP TRIGGER regress_note ON session_clock.session_events;
SELECT changed FROM session_clock_pause(:'t');
SELECT string_agg(event, ' ') AS seen_by_the_trigger FROM pg_temp.seen;
SELECT version FROM session_clock.sessions WHERE id = :'t';

DELETE FROM session_clock.sessions WHERE id IN (:'s', :'t');
