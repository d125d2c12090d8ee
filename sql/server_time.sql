-- server_time: what time it is on the database server, and how well the
-- host's clock is disciplined. Values vary by machine and moment, so only
-- comparisons, key names and JSON types are printed.

------------------------------------------------------------------------------
-- session_clock.server_now()
------------------------------------------------------------------------------
-- why: it is the time now, i.e. clock_timestamp(), to the microsecond:
-- it falls between two clock_timestamp() readings taken around it.
CREATE FUNCTION pg_temp.bracket_server_now(OUT in_order boolean, OUT within_1s boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    before timestamptz := clock_timestamp();
    t timestamptz := session_clock.server_now();
    after timestamptz := clock_timestamp();
BEGIN
    in_order := before <= t AND t <= after;
    within_1s := abs(extract(epoch FROM t - clock_timestamp())) < 1;
END
$$;
SELECT bool_and((r).in_order) AS in_order, bool_and((r).within_1s) AS within_1s
FROM (SELECT pg_temp.bracket_server_now() AS r FROM generate_series(1, 200) OFFSET 0) readings;

-- why: not the transaction's start (now()): inside one transaction it moves on.
BEGIN;
CREATE TEMP TABLE readings AS SELECT 1 AS n, now() AS tx_now, session_clock.server_now() AS t;
SELECT pg_sleep(0.01);
INSERT INTO readings SELECT 2, now(), session_clock.server_now();
SELECT a.tx_now = b.tx_now AS now_stands_still, a.t >= a.tx_now AS not_before_tx_start,
       b.t - a.t >= interval '10 ms' AS moved_on
FROM readings a JOIN readings b ON a.n = 1 AND b.n = 2;
COMMIT;

------------------------------------------------------------------------------
-- session_clock.server_now_ms()
------------------------------------------------------------------------------
-- why: Unix epoch milliseconds: within a second of clock_timestamp()'s, and
-- to the microsecond between two readings around it (0.001 ms of slack for
-- float8 rounding at ~1.8e12).
CREATE FUNCTION pg_temp.bracket_server_now_ms(OUT within_1000_ms boolean, OUT in_order boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    before numeric := extract(epoch FROM clock_timestamp()) * 1000;
    ms float8 := session_clock.server_now_ms();
    after numeric := extract(epoch FROM clock_timestamp()) * 1000;
BEGIN
    within_1000_ms := abs(ms - (extract(epoch FROM clock_timestamp()) * 1000)::float8) < 1000;
    -- compared as float8: float8::numeric keeps only 15 significant digits
    in_order := (before - 0.001)::float8 <= ms AND ms <= (after + 0.001)::float8;
END
$$;
SELECT bool_and((r).within_1000_ms) AS within_1000_ms, bool_and((r).in_order) AS in_order
FROM (SELECT pg_temp.bracket_server_now_ms() AS r FROM generate_series(1, 200) OFFSET 0) readings;

-- why: it has sub-millisecond precision: of a few hundred readings some are
-- not whole ms, and some are not even multiples of 10 microseconds (float8
-- rounding at ~1.8e12 is ~0.0002 ms, far below that). It never goes back
-- between successive readings.
SELECT bool_or(ms <> floor(ms)) AS has_fractions,
       bool_or(abs(ms * 100 - round(ms * 100)) > 0.05) AS finer_than_10us,
       bool_and(ms >= prev) AS never_back
FROM (SELECT ms, lag(ms) OVER (ORDER BY n) AS prev
      FROM (SELECT n, session_clock.server_now_ms() AS ms FROM generate_series(1, 300) AS n) r) r;

------------------------------------------------------------------------------
-- session_clock.server_time_status()
------------------------------------------------------------------------------
-- why: the keys a client can rely on, with their JSON types (the values
-- depend on the host; see below for what is checked about them).
SELECT k.key, jsonb_typeof(s.status -> k.key) AS type
FROM (SELECT session_clock.server_time_status() AS status) s,
     unnest(ARRAY['source', 'server', 'is_synced', 'clock_state', 'offset_ms', 'maxerror_ms', 'esterror_ms',
                  'frequency_ppm', 'tai_offset_s', 'flags']) WITH ORDINALITY AS k(key, n)
ORDER BY k.n;
-- why: and no others (e.g. no "error": ntp_adjtime was readable).
SELECT array_agg(key ORDER BY key) AS keys
FROM jsonb_object_keys(session_clock.server_time_status()) AS key;

-- why: seed 001's clock helper reports its server, a neutral label unless
-- the operator names one (anon may call this: never the host's name), and
-- last_sync: when systemd-timesyncd last synchronised the host (the time of
-- the file it touches then), null where nothing records it (chrony, ntpd, a
-- container), never invented.
SELECT status ->> 'server' AS server,
       CASE WHEN (SELECT size FROM pg_stat_file('/run/systemd/timesync/synchronized', true)) IS NULL
            THEN jsonb_typeof(status -> 'last_sync') = 'null'
            ELSE date_trunc('second', (status ->> 'last_sync')::timestamptz)
                 = (SELECT modification FROM pg_stat_file('/run/systemd/timesync/synchronized', true))
       END AS last_sync_as_recorded
FROM (SELECT session_clock.server_time_status() AS status) s;
SET session_clock.server_label = 'time.example.com';
SELECT session_clock.server_time_status() ->> 'server' AS server;
RESET session_clock.server_label;
-- why: the label is an operator's setting, printable ASCII, 1 to 64 characters.
SET session_clock.server_label = '';
SET session_clock.server_label = E'clock\n';
SET ROLE anon;
SET session_clock.server_label = 'spoofed';
RESET ROLE;

-- why: the values are consistent with each other and with ntp_adjtime's
-- meaning: source is the kernel, clock_state one of its TIME_* states,
-- flags a list of STA_* names, is_synced false exactly when the state is
-- TIME_ERROR or UNSYNC is flagged, errors non-negative, TAI offset whole.
SELECT status ->> 'source' AS source,
       status ->> 'clock_state' IN ('TIME_OK', 'TIME_INS', 'TIME_DEL', 'TIME_OOP', 'TIME_WAIT', 'TIME_ERROR')
           AS known_state,
       (SELECT bool_and(f #>> '{}' IN ('PLL', 'PPSFREQ', 'PPSTIME', 'FLL', 'INS', 'DEL', 'UNSYNC', 'FREQHOLD',
                                       'PPSSIGNAL', 'PPSJITTER', 'PPSWANDER', 'PPSERROR', 'CLOCKERR', 'NANO',
                                       'MODE', 'CLK'))
        FROM jsonb_array_elements(status -> 'flags') AS f) IS NOT FALSE AS known_flags,
       (status -> 'is_synced')::boolean
           = (status ->> 'clock_state' <> 'TIME_ERROR' AND NOT (status -> 'flags') ? 'UNSYNC') AS synced_consistent,
       (status ->> 'maxerror_ms')::numeric >= 0 AND (status ->> 'esterror_ms')::numeric >= 0 AS errors_non_negative,
       (status ->> 'tai_offset_s')::numeric = trunc((status ->> 'tai_offset_s')::numeric) AS tai_whole_seconds
FROM (SELECT session_clock.server_time_status() AS status) s;

------------------------------------------------------------------------------
-- session_clock_server_time(): one reading, for PostgREST
------------------------------------------------------------------------------
-- why: server_now and server_now_ms are the same instant (server_now_ms is
-- exactly server_now as epoch ms), close to clock_timestamp(), and status
-- has the same shape as server_time_status().
SELECT server_now_ms = (extract(epoch FROM server_now) * 1000)::float8 AS same_instant,
       abs(extract(epoch FROM server_now - clock_timestamp())) < 1 AS within_1s,
       (SELECT array_agg(key ORDER BY key) FROM jsonb_object_keys(status) AS key)
           = (SELECT array_agg(key ORDER BY key) FROM jsonb_object_keys(session_clock.server_time_status()) AS key)
           AS same_status_keys
FROM session_clock_server_time();
-- why: and its server_now_ms agrees with session_clock.server_now_ms()'s
-- arithmetic (a different formula, C float8 vs. SQL numeric) to 0.001 ms:
-- both are taken between the same two clock_timestamp() readings.
CREATE FUNCTION pg_temp.both_ms_formulas(OUT in_order boolean) LANGUAGE plpgsql AS $$
DECLARE
    before numeric := extract(epoch FROM clock_timestamp()) * 1000;
    c_ms float8 := session_clock.server_now_ms();
    sql_ms float8 := (SELECT server_now_ms FROM session_clock_server_time());
    after numeric := extract(epoch FROM clock_timestamp()) * 1000;
BEGIN
    -- compared as float8: float8::numeric keeps only 15 significant digits
    in_order := (before - 0.001)::float8 <= c_ms AND c_ms <= sql_ms + 0.001
                AND sql_ms <= (after + 0.001)::float8;
END
$$;
SELECT bool_and(pg_temp.both_ms_formulas()) AS in_order FROM generate_series(1, 200);

------------------------------------------------------------------------------
-- Anyone may ask, anon included
------------------------------------------------------------------------------
-- why: the server-time functions are for every client, signed in or not
-- (the roles come from install.sql).
SET ROLE anon;
SELECT abs(extract(epoch FROM session_clock.server_now() - clock_timestamp())) < 1 AS server_now,
       abs(session_clock.server_now_ms() - extract(epoch FROM clock_timestamp())::float8 * 1000) < 1000 AS server_now_ms,
       session_clock.server_time_status() ? 'is_synced' AS server_time_status,
       (SELECT server_now_ms = (extract(epoch FROM server_now) * 1000)::float8 AND status ? 'is_synced'
        FROM session_clock_server_time()) AS session_clock_server_time;
RESET ROLE;
SET ROLE authenticated;
SELECT session_clock.server_now() IS NOT NULL AS server_now, session_clock.server_now_ms() > 0 AS server_now_ms,
       session_clock.server_time_status() ? 'is_synced' AS server_time_status,
       (SELECT status ? 'is_synced' FROM session_clock_server_time()) AS session_clock_server_time;
RESET ROLE;
SET ROLE service_role;
SELECT session_clock.server_now() IS NOT NULL AS server_now, session_clock.server_now_ms() > 0 AS server_now_ms,
       session_clock.server_time_status() ? 'is_synced' AS server_time_status,
       (SELECT status ? 'is_synced' FROM session_clock_server_time()) AS session_clock_server_time;
RESET ROLE;
-- why: they are callable by PUBLIC, not by a grant to each role.
SELECT p.oid::regprocedure AS function, has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_execute
FROM pg_proc p
WHERE p.oid IN ('session_clock.server_now()'::regprocedure, 'session_clock.server_now_ms()'::regprocedure,
                'session_clock.server_time_status()'::regprocedure, 'session_clock_server_time()'::regprocedure)
ORDER BY 1::text;
