-- Before measuring: the baseline behaves like the extension on one clock
-- (pause, idempotent pause, resume closing the pause, idempotent resume,
-- event rows), inside a transaction that is rolled back.
\set ON_ERROR_STOP on
BEGIN;
DO $check$
DECLARE
    sid uuid := md5('1')::uuid;
    a record;
    b record;
    ea record;
    eb record;
    bad text;
    -- The two sides act one after the other, so their amounts differ by at
    -- most the time between them (more than a few ms on a busy host).
    t0 timestamptz;
    slack_ms numeric;
BEGIN
    t0 := clock_timestamp();
    a := session_clock_pause(sid, 'check');
    b := bench_baseline.pause(sid, 'check');
    slack_ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    ASSERT a.changed AND b.changed, 'pause changed';
    ASSERT a.is_paused AND b.is_paused AND a.version = 2 AND b.version = 2, 'pause state';
    a := session_clock_pause(sid, 'check');
    b := bench_baseline.pause_no_notify(sid, 'check');
    ASSERT NOT a.changed AND NOT b.changed AND a.version = 2 AND b.version = 2, 'pause is idempotent';
    PERFORM pg_sleep(0.05);
    t0 := clock_timestamp();
    a := session_clock_resume(sid, 'check');
    b := bench_baseline.resume(sid, 'check');
    slack_ms := slack_ms + extract(epoch FROM clock_timestamp() - t0) * 1000 + 1;
    ASSERT a.changed AND b.changed AND NOT a.is_paused AND NOT b.is_paused, 'resume changed';
    ASSERT a.version = 3 AND b.version = 3, 'resume version';
    ASSERT a.total_paused_ms >= 50 AND abs(a.total_paused_ms - b.total_paused_ms) <= slack_ms,
           format('total_paused_ms %s vs %s (slack %s ms)', a.total_paused_ms, b.total_paused_ms, slack_ms);
    ASSERT abs(a.elapsed_ms - b.elapsed_ms) <= slack_ms,
           format('elapsed_ms %s vs %s (slack %s ms)', a.elapsed_ms, b.elapsed_ms, slack_ms);
    b := bench_baseline.resume_no_notify(sid, 'check');
    ASSERT NOT b.changed AND b.version = 3, 'resume is idempotent';
    SELECT event, reason, paused_ms, elapsed_ms, clock_stepped_back, version INTO ea
      FROM session_clock.session_events e WHERE e.session_id = sid ORDER BY e.version DESC LIMIT 1;
    SELECT event, reason, paused_ms, elapsed_ms, clock_stepped_back, version INTO eb
      FROM bench_baseline.session_events e WHERE e.session_id = sid ORDER BY e.version DESC LIMIT 1;
    ASSERT ea.event = 'resume' AND eb.event = 'resume' AND ea.version = 3 AND eb.version = 3, 'resume event';
    ASSERT ea.reason = eb.reason AND NOT ea.clock_stepped_back AND NOT eb.clock_stepped_back, 'event fields';
    ASSERT abs(ea.paused_ms - eb.paused_ms) <= slack_ms AND abs(ea.elapsed_ms - eb.elapsed_ms) <= slack_ms,
           'event amounts';
    -- The reason rules, on both sides.
    FOREACH bad IN ARRAY ARRAY[E'bad\treason', E'\u202Ebidi', E'\u00A0\u3000', '', repeat('x', 201)] LOOP
        BEGIN
            PERFORM session_clock_pause(sid, bad);
            RAISE EXCEPTION 'the extension accepted reason %', quote_literal(bad);
        EXCEPTION WHEN invalid_parameter_value THEN NULL;
        END;
        BEGIN
            PERFORM bench_baseline.pause(sid, bad);
            RAISE EXCEPTION 'the baseline accepted reason %', quote_literal(bad);
        EXCEPTION WHEN invalid_parameter_value THEN NULL;
        END;
    END LOOP;
    PERFORM session_clock_pause(sid, repeat('é', 200));
    PERFORM bench_baseline.pause(sid, repeat('é', 200));
    BEGIN
        PERFORM bench_baseline.pause(md5('no such session')::uuid);
        RAISE EXCEPTION 'baseline accepted an unknown session';
    EXCEPTION WHEN no_data_found THEN NULL;
    END;
END
$check$;
ROLLBACK;
