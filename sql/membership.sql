-- Membership: session_clock_add_member, session_clock_remove_member,
-- session_clock_members. Who may call them is in roles.sql; this file pins
-- what they do, how they validate, and that an error changes nothing.
--
-- pg_temp.try_text() (include/try_text.sql) runs a statement in a
-- subtransaction and answers 'ok (N rows)' or 'ERROR <SQLSTATE>: <message>'
-- (no psql LOCATION lines).
--
-- Sessions: b1000000-...-0001 (the main one), ...0002 (a second, to show
-- members are per session), ...0009 (never exists).

CREATE SCHEMA regress_membership;
GRANT USAGE ON SCHEMA regress_membership TO PUBLIC;
\i sql/include/try_text.sql

-- Everything membership-related about our sessions, as one comparable text.
CREATE FUNCTION regress_membership.snapshot() RETURNS text
    LANGUAGE sql AS $$
    SELECT coalesce(string_agg(m.session_id || '/' || m.participant_id || '/' || m.role || '/' || m.added_at,
                               ',' ORDER BY m.session_id, m.participant_id), '')
        || '|' || (SELECT string_agg(s.id || '/' || s.version, ',' ORDER BY s.id)
                   FROM session_clock.sessions s WHERE s.id::text LIKE 'b1000000-%')
        || '|' || (SELECT count(*) FROM session_clock.session_events e WHERE e.session_id::text LIKE 'b1000000-%')
    FROM session_clock.session_members m
    WHERE m.session_id::text LIKE 'b1000000-%'
$$;

-- Started by the superuser (an admin): no member yet.
SELECT (c).version, (c).changed FROM session_clock_start('b1000000-0000-4000-8000-000000000001') AS c;
SELECT (c).version, (c).changed FROM session_clock_start('b1000000-0000-4000-8000-000000000002') AS c;
SELECT count(*) AS members FROM session_clock_members('b1000000-0000-4000-8000-000000000001');

------------------------------------------------------------------------------
-- add_member: new members, the default role, the returned row.
------------------------------------------------------------------------------
SELECT session_id, participant_id, role, added_at IS NOT NULL AS has_added_at
FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'alice', 'host');
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'bob');
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'carol', 'participant');
-- Ids are exact: 'Alice' is someone else.
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'Alice');
-- Members are per session.
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000002', 'bob', 'host');

-- Listed in the order they were added.
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000001');
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000002');
-- The row add_member returned is what the table holds.
SELECT count(*) AS rows_in_table FROM session_clock.session_members
WHERE session_id = 'b1000000-0000-4000-8000-000000000001';

-- Membership changes are not clock events.
SELECT version FROM session_clock.sessions WHERE id = 'b1000000-0000-4000-8000-000000000001';
SELECT count(*) AS events FROM session_clock.session_events WHERE session_id = 'b1000000-0000-4000-8000-000000000001';

------------------------------------------------------------------------------
-- Adding an existing member changes its role, nothing else: no duplicate,
-- added_at (and so its place in the list) is kept.
------------------------------------------------------------------------------
CREATE TEMP TABLE added_before AS
SELECT participant_id, added_at FROM session_clock.session_members
WHERE session_id = 'b1000000-0000-4000-8000-000000000001';

SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'bob', 'host');
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000001');
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'bob', 'participant');
-- Same role again: still one row, still the same.
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'bob');
SELECT m.participant_id, m.role, m.added_at = b.added_at AS added_at_kept
FROM session_clock.session_members m JOIN added_before b USING (participant_id)
WHERE m.session_id = 'b1000000-0000-4000-8000-000000000001'
ORDER BY m.participant_id;

------------------------------------------------------------------------------
-- Host hand-over, as PostgREST would call it.
------------------------------------------------------------------------------
-- alice, the host, makes dan a host too, then steps down to participant.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT session_clock.caller_access('b1000000-0000-4000-8000-000000000001') AS alice;
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'dan', 'host');
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'alice', 'participant');
SELECT session_clock.caller_access('b1000000-0000-4000-8000-000000000001') AS alice;
-- No longer the host: she manages nobody, herself included.
SELECT pg_temp.try_text($$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'erin')$$) AS add,
       pg_temp.try_text($$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'alice', 'host')$$) AS take_back,
       pg_temp.try_text($$SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000001', 'dan')$$) AS remove_dan;
COMMIT;

-- dan, the new host: manages members; remove answers whether there was one.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"dan","role":"authenticated"}', true) AS claims;
SELECT session_clock.caller_access('b1000000-0000-4000-8000-000000000001') AS dan;
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'erin');
SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000001', 'Alice') AS removed;
SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000001', 'Alice') AS removed_again;
SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000001', 'nobody') AS removed_nobody;
-- bob is a member of session 2 too: removing him here leaves him there.
SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000001', 'bob') AS removed_bob;
-- dan is not in session 2: hosting one session gives nothing on another.
SELECT pg_temp.try_text($$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000002', 'dan', 'host')$$) AS add_to_other,
       pg_temp.try_text($$SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000002', 'bob')$$) AS remove_from_other;
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000001');
COMMIT;
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000002');

-- A removed member has no access left; added again, it goes to the end.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) AS claims;
SELECT session_clock.caller_access('b1000000-0000-4000-8000-000000000001') IS NULL AS bob_gone;
SELECT pg_temp.try_text($$SELECT session_clock_get('b1000000-0000-4000-8000-000000000001')$$) AS get;
COMMIT;
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'bob');
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000001');

-- A host may remove itself; the session then has no host but admins still
-- manage it.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"dan","role":"authenticated"}', true) AS claims;
SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000001', 'dan') AS removed_self;
SELECT session_clock.caller_access('b1000000-0000-4000-8000-000000000001') IS NULL AS dan_gone;
COMMIT;
SELECT count(*) AS hosts FROM session_clock_members('b1000000-0000-4000-8000-000000000001') WHERE role = 'host';
SELECT participant_id, role FROM session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'carol', 'host');

------------------------------------------------------------------------------
-- Listing order: added_at, then participant_id for members added at the
-- same instant (written directly: the RPC always stamps clock_timestamp()).
------------------------------------------------------------------------------
INSERT INTO session_clock.session_members (session_id, participant_id, role, added_at)
VALUES ('b1000000-0000-4000-8000-000000000002', 'zoe', 'participant', '2000-01-01 00:00:00+00'),
       ('b1000000-0000-4000-8000-000000000002', 'amy', 'participant', '2000-01-01 00:00:00+00'),
       ('b1000000-0000-4000-8000-000000000002', 'max', 'participant', '1999-12-31 23:59:59+00');
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000002');

------------------------------------------------------------------------------
-- Validation. Every error below must leave the snapshot unchanged.
------------------------------------------------------------------------------
CREATE TEMP TABLE snapshot_before AS SELECT regress_membership.snapshot() AS s;

SELECT n, call, pg_temp.try_text(q) AS result
FROM (VALUES
    -- NULL arguments: 22004
    (1,  'add: NULL session',          $$SELECT session_clock_add_member(NULL, 'x')$$),
    (2,  'add: NULL participant',      $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', NULL)$$),
    (3,  'add: NULL role',             $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'x', NULL)$$),
    (4,  'remove: NULL session',       $$SELECT session_clock_remove_member(NULL, 'bob')$$),
    (5,  'remove: NULL participant',   $$SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000001', NULL)$$),
    (6,  'members: NULL session',      $$SELECT * FROM session_clock_members(NULL)$$),
    -- bad participant ids: 22023
    (7,  'add: empty id',              $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', '')$$),
    (8,  'add: blank id',              $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', '   ')$$),
    (9,  'add: tab id',                $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', E'\t')$$),
    (10, 'add: 201 chars',             $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', repeat('x', 201))$$),
    (11, 'add: 201 multibyte chars',   $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', repeat('é', 201))$$),
    (12, 'add: control character',     $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', E'a\nb')$$),
    -- bad roles: 22023
    (13, 'add: role admin',            $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'x', 'admin')$$),
    (14, 'add: role HOST',             $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'x', 'HOST')$$),
    (15, 'add: role empty',            $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'x', '')$$),
    (16, 'add: role with space',       $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'bob', 'host ')$$),
    -- unknown session: P0002
    (17, 'add: unknown session',       $$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000009', 'x')$$),
    (18, 'remove: unknown session',    $$SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000009', 'x')$$),
    (19, 'members: unknown session',   $$SELECT * FROM session_clock_members('b1000000-0000-4000-8000-000000000009')$$)
) AS t (n, call, q)
ORDER BY n;

SELECT regress_membership.snapshot() = s AS nothing_changed FROM snapshot_before;
SELECT count(*) AS unknown_session_rows FROM session_clock.sessions WHERE id = 'b1000000-0000-4000-8000-000000000009';

-- The limits themselves are fine: 200 characters, multibyte or not.
SELECT length(participant_id) AS length, role
FROM session_clock_add_member('b1000000-0000-4000-8000-000000000002', repeat('x', 200));
SELECT length(participant_id) AS length, octet_length(participant_id) AS bytes, role
FROM session_clock_add_member('b1000000-0000-4000-8000-000000000002', repeat('é', 200), 'host');
SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000002', repeat('x', 200)) AS removed_long;
SELECT session_clock_remove_member('b1000000-0000-4000-8000-000000000002', repeat('é', 200)) AS removed_multibyte;

-- An end user's invalid call changes nothing either.
CREATE TEMP TABLE snapshot_user AS SELECT regress_membership.snapshot() AS s;
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"authenticated"}', true) AS claims;
SELECT session_clock.caller_access('b1000000-0000-4000-8000-000000000001') AS carol;
SELECT pg_temp.try_text($$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', 'x', 'owner')$$) AS bad_role,
       pg_temp.try_text($$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000001', '')$$) AS empty_id,
       pg_temp.try_text($$SELECT session_clock_add_member('b1000000-0000-4000-8000-000000000009', 'x')$$) AS unknown_session;
COMMIT;
SELECT regress_membership.snapshot() = s AS nothing_changed FROM snapshot_user;

-- Final state.
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000001');
SELECT participant_id, role FROM session_clock_members('b1000000-0000-4000-8000-000000000002');

-- Leave no sessions behind for the tests that run later.
DELETE FROM session_clock.sessions WHERE id::text LIKE 'b1000000-%';
DROP SCHEMA regress_membership CASCADE;
