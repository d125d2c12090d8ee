-- settings: the database-wide defaults live in session_clock.settings, one
-- row both editions read and only the owner and service_role may change
-- (1.3). A NULL column is unset: the extension then reads its
-- superuser-only setting of the same name (what 1.2 read), else the
-- built-in value; the portable edition, where such a setting would be a
-- placeholder anyone may SET, goes straight to the built-in value
-- (tests/portable/expected/settings.diff). The row wins over the setting.
-- Runs as the regression superuser (an admin of every session).

\set s '5e771295-0000-4000-8000-000000000001'
\i sql/include/try_text.sql

-- why: one row, everything unset.
SELECT * FROM session_clock.settings;

-- why: only the owner and service_role change it; end users and anon
-- cannot even read it (the functions read it for them).
SELECT r.label,
       pg_temp.try_text(format('SET LOCAL ROLE %I; UPDATE session_clock.settings SET grace_ms = 1000', r.role)) AS update,
       pg_temp.try_text(format('SET LOCAL ROLE %I; SELECT * FROM session_clock.settings', r.role)) AS "select"
FROM (VALUES ('anon', 'anon'), ('authenticated', 'authenticated'), ('authenticator', 'authenticator'),
             ('service_role', 'service_role'),
             ('owner', (SELECT c.relowner::regrole::text FROM pg_class c WHERE c.oid = 'session_clock.settings'::regclass)))
     AS r(label, role);
SELECT grace_ms FROM session_clock.settings;

-- why: within the limits session_clock_configure has; one row only.
SELECT v.statement, pg_temp.try_text(v.statement) AS outcome
FROM (VALUES ($$UPDATE session_clock.settings SET grace_ms = -1$$),
             ($$UPDATE session_clock.settings SET grace_ms = 90000000$$),
             ($$UPDATE session_clock.settings SET min_participants = -1$$),
             ($$UPDATE session_clock.settings SET min_participants = 10001$$),
             ($$UPDATE session_clock.settings SET server_label = ''$$),
             ($$UPDATE session_clock.settings SET server_label = E'clock\n'$$),
             ($$INSERT INTO session_clock.settings (singleton) VALUES (false)$$)) AS v(statement);

-- why: the row's values are the defaults of sessions without their own: a
-- tracked session below the minimum (3) gets a deadline 45 s ahead, the
-- stranded view and server_time_status() follow, and a change reaches the
-- session at its next event.
UPDATE session_clock.settings SET grace_ms = 45000, min_participants = 3, server_label = 'time.example.com';
SELECT changed FROM session_clock_start(:'s');
SELECT participants, min_participants, grace_ms, grace_deadline_at - server_now = interval '45 s' AS deadline_45s_ahead
FROM session_clock_presence(:'s', 'a', true);
SELECT session_clock.server_time_status() ->> 'server' AS server;
UPDATE session_clock.settings SET min_participants = 2;
SELECT participants, min_participants, grace_deadline_at IS NULL AS deadline_cancelled
FROM session_clock_presence(:'s', 'b', true);
UPDATE session_clock.settings SET min_participants = 3;
SELECT problem, participants, min_participants FROM session_clock.stranded_sessions WHERE session_id = :'s';

-- why: the row wins over the extension's settings (the superuser's SET
-- here; postgresql.conf or ALTER DATABASE alike).
SET session_clock.grace_ms = 1;
SET session_clock.min_participants = 5;
SET session_clock.server_label = 'from.the.setting';
SELECT min_participants, grace_ms FROM session_clock_get(:'s');
SELECT session_clock.server_time_status() ->> 'server' AS server;
SELECT min_participants FROM session_clock.stranded_sessions WHERE session_id = :'s';

-- why: unset, a value comes from the setting (the extension) or the
-- built-in default (the portable edition), each column on its own.
UPDATE session_clock.settings SET grace_ms = NULL, server_label = NULL;
SELECT min_participants, grace_ms FROM session_clock_get(:'s');
SELECT session_clock.server_time_status() ->> 'server' AS server;
UPDATE session_clock.settings SET min_participants = NULL;
SELECT min_participants, grace_ms FROM session_clock_get(:'s');
RESET session_clock.grace_ms;
RESET session_clock.min_participants;
RESET session_clock.server_label;
SELECT min_participants, grace_ms FROM session_clock_get(:'s');
SELECT session_clock.server_time_status() ->> 'server' AS server;
SELECT changed FROM session_clock_stop(:'s');

-- why: pg_dump keeps a changed row, and its restore inserts it after CREATE
-- EXTENSION wrote the unset one: the insert updates that row instead.
INSERT INTO session_clock.settings VALUES (true, 4, 20000, 'restored');
SELECT * FROM session_clock.settings;
UPDATE session_clock.settings SET min_participants = NULL, grace_ms = NULL, server_label = NULL;
SELECT * FROM session_clock.settings;
