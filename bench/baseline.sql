-- The write-benchmark baseline: session_clock's pause/resume written by hand
-- in plpgsql, the way a competent user would without the extension.
--
-- Same tables (columns, PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECKs) as
-- session_clock.sessions / session_clock.session_events, in schema
-- bench_baseline, and functions with the same semantics as
-- session_clock_pause / session_clock_resume for an admin caller (the
-- benchmark runs as a superuser, for whom the extension reads no membership
-- row either):
--   * NULL id and invalid reasons are rejected (22004, 22023) by the
--     extension's rules: blank (Unicode spaces only), over 200 characters,
--     or holding a control character (C0, DEL, C1, U+2028/2029, bidi controls);
--   * the row is locked (SELECT ... FOR UPDATE); unknown ids raise P0002,
--     stopped clocks 55000;
--   * the server time is read with clock_timestamp() AFTER the lock, and an
--     effective time never before the last change (clock_stepped_back);
--   * pausing a paused clock / resuming a running one changes nothing and
--     returns changed = false (idempotent);
--   * a change bumps version, UPDATEs the row, INSERTs the event with
--     elapsed_ms and paused_ms (whole ms of the closed pause), and sends
--     pg_notify('session_clock_bench', '{"session_id":..,"event":..,"version":..}');
--   * the result is the clock_change row the extension returns.
-- pause_no_notify / resume_no_notify are the same functions minus pg_notify,
-- to price the NOTIFY alone. SECURITY INVOKER (the default): what users write.
-- The argument checks are repeated in each function rather than put in a
-- helper: a nested plpgsql call would slow the baseline for no reason.

CREATE SCHEMA bench_baseline;

CREATE TABLE bench_baseline.sessions (
    id                   uuid        PRIMARY KEY,
    started_at           timestamptz NOT NULL,
    is_paused            boolean     NOT NULL DEFAULT false,
    total_paused_ms      bigint      NOT NULL DEFAULT 0 CHECK (total_paused_ms >= 0),
    last_state_change_at timestamptz NOT NULL,
    ended_at             timestamptz,
    version              bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (last_state_change_at >= started_at),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);

CREATE TABLE bench_baseline.session_events (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id         uuid        NOT NULL REFERENCES bench_baseline.sessions (id) ON DELETE CASCADE,
    event              text        NOT NULL CHECK (event IN ('start', 'pause', 'resume', 'stop')),
    reason             text,
    at                 timestamptz NOT NULL,
    actor              text        NOT NULL,
    actor_role         text        NOT NULL,
    elapsed_ms         double precision NOT NULL,
    paused_ms          bigint      NOT NULL DEFAULT 0 CHECK (paused_ms >= 0),
    clock_stepped_back boolean     NOT NULL DEFAULT false,
    version            bigint      NOT NULL,
    UNIQUE (session_id, version)
);

CREATE TYPE bench_baseline.clock_change AS (
    session_id           uuid,
    started_at           timestamptz,
    is_paused            boolean,
    total_paused_ms      bigint,
    last_state_change_at timestamptz,
    ended_at             timestamptz,
    version              bigint,
    server_now           timestamptz,
    elapsed_ms           double precision,
    changed              boolean
);

-- Clock position in ms at "at" (as session_clock.elapsed_ms): frozen at the
-- last change while paused, at ended_at once stopped, never below zero.
-- A one-expression SQL function: the planner inlines it into callers.
CREATE FUNCTION bench_baseline.elapsed_ms(s bench_baseline.sessions, at timestamptz)
    RETURNS double precision
    LANGUAGE sql IMMUTABLE
    AS $$
        SELECT greatest(
            (extract(epoch FROM (CASE WHEN s.ended_at IS NOT NULL THEN s.ended_at
                                      WHEN s.is_paused THEN s.last_state_change_at
                                      ELSE greatest(at, s.last_state_change_at) END)
                                - s.started_at) * 1000 - s.total_paused_ms)::double precision,
            0)
    $$;

------------------------------------------------------------------------------
-- pause / resume, with NOTIFY
------------------------------------------------------------------------------
CREATE FUNCTION bench_baseline.pause(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS bench_baseline.clock_change
    LANGUAGE plpgsql VOLATILE
    AS $$
    DECLARE
        s        bench_baseline.sessions;
        now_ts   timestamptz;
        at_ts    timestamptz;
    BEGIN
        IF p_session_id IS NULL THEN
            RAISE EXCEPTION 'p_session_id must not be null' USING ERRCODE = '22004';
        END IF;
        IF p_reason IS NOT NULL THEN
            IF btrim(p_reason, E' \t\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B\u202F\u205F\u3000\uFEFF') = '' THEN
                RAISE EXCEPTION 'p_reason must not be empty' USING ERRCODE = '22023';
            ELSIF length(p_reason) > 200 THEN
                RAISE EXCEPTION 'p_reason is too long (at most 200 characters)' USING ERRCODE = '22023';
            ELSIF p_reason ~ '[\x01-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]' THEN
                RAISE EXCEPTION 'p_reason must not contain control characters' USING ERRCODE = '22023';
            END IF;
        END IF;
        SELECT * INTO s FROM bench_baseline.sessions WHERE id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'session % does not exist', p_session_id USING ERRCODE = 'P0002';
        END IF;
        now_ts := clock_timestamp();  -- after the lock
        IF s.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'cannot pause a stopped session clock' USING ERRCODE = '55000';
        END IF;
        IF s.is_paused THEN
            RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at,
                       s.ended_at, s.version, now_ts, bench_baseline.elapsed_ms(s, now_ts), false);
        END IF;
        at_ts := greatest(now_ts, s.last_state_change_at);
        UPDATE bench_baseline.sessions
           SET is_paused = true, last_state_change_at = at_ts, version = version + 1
         WHERE id = p_session_id
        RETURNING * INTO s;
        INSERT INTO bench_baseline.session_events
               (session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, clock_stepped_back, version)
        VALUES (p_session_id, 'pause', p_reason, at_ts, current_user, current_user,
                bench_baseline.elapsed_ms(s, at_ts), 0, now_ts < at_ts, s.version);
        PERFORM pg_notify('session_clock_bench',
                          json_build_object('session_id', p_session_id, 'event', 'pause', 'version', s.version)::text);
        RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at,
                   s.ended_at, s.version, now_ts, bench_baseline.elapsed_ms(s, now_ts), true);
    END
    $$;

CREATE FUNCTION bench_baseline.resume(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS bench_baseline.clock_change
    LANGUAGE plpgsql VOLATILE
    AS $$
    DECLARE
        s         bench_baseline.sessions;
        now_ts    timestamptz;
        at_ts     timestamptz;
        closed_ms bigint;
    BEGIN
        IF p_session_id IS NULL THEN
            RAISE EXCEPTION 'p_session_id must not be null' USING ERRCODE = '22004';
        END IF;
        IF p_reason IS NOT NULL THEN
            IF btrim(p_reason, E' \t\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B\u202F\u205F\u3000\uFEFF') = '' THEN
                RAISE EXCEPTION 'p_reason must not be empty' USING ERRCODE = '22023';
            ELSIF length(p_reason) > 200 THEN
                RAISE EXCEPTION 'p_reason is too long (at most 200 characters)' USING ERRCODE = '22023';
            ELSIF p_reason ~ '[\x01-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]' THEN
                RAISE EXCEPTION 'p_reason must not contain control characters' USING ERRCODE = '22023';
            END IF;
        END IF;
        SELECT * INTO s FROM bench_baseline.sessions WHERE id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'session % does not exist', p_session_id USING ERRCODE = 'P0002';
        END IF;
        now_ts := clock_timestamp();  -- after the lock
        IF s.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'cannot resume a stopped session clock' USING ERRCODE = '55000';
        END IF;
        IF NOT s.is_paused THEN
            RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at,
                       s.ended_at, s.version, now_ts, bench_baseline.elapsed_ms(s, now_ts), false);
        END IF;
        at_ts := greatest(now_ts, s.last_state_change_at);
        closed_ms := floor(extract(epoch FROM at_ts - s.last_state_change_at) * 1000);
        UPDATE bench_baseline.sessions
           SET is_paused = false, total_paused_ms = total_paused_ms + closed_ms,
               last_state_change_at = at_ts, version = version + 1
         WHERE id = p_session_id
        RETURNING * INTO s;
        INSERT INTO bench_baseline.session_events
               (session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, clock_stepped_back, version)
        VALUES (p_session_id, 'resume', p_reason, at_ts, current_user, current_user,
                bench_baseline.elapsed_ms(s, at_ts), closed_ms, now_ts < at_ts, s.version);
        PERFORM pg_notify('session_clock_bench',
                          json_build_object('session_id', p_session_id, 'event', 'resume', 'version', s.version)::text);
        RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at,
                   s.ended_at, s.version, now_ts, bench_baseline.elapsed_ms(s, now_ts), true);
    END
    $$;

------------------------------------------------------------------------------
-- The same two functions without the pg_notify call (the NOTIFY-cost test).
------------------------------------------------------------------------------
CREATE FUNCTION bench_baseline.pause_no_notify(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS bench_baseline.clock_change
    LANGUAGE plpgsql VOLATILE
    AS $$
    DECLARE
        s        bench_baseline.sessions;
        now_ts   timestamptz;
        at_ts    timestamptz;
    BEGIN
        IF p_session_id IS NULL THEN
            RAISE EXCEPTION 'p_session_id must not be null' USING ERRCODE = '22004';
        END IF;
        IF p_reason IS NOT NULL THEN
            IF btrim(p_reason, E' \t\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B\u202F\u205F\u3000\uFEFF') = '' THEN
                RAISE EXCEPTION 'p_reason must not be empty' USING ERRCODE = '22023';
            ELSIF length(p_reason) > 200 THEN
                RAISE EXCEPTION 'p_reason is too long (at most 200 characters)' USING ERRCODE = '22023';
            ELSIF p_reason ~ '[\x01-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]' THEN
                RAISE EXCEPTION 'p_reason must not contain control characters' USING ERRCODE = '22023';
            END IF;
        END IF;
        SELECT * INTO s FROM bench_baseline.sessions WHERE id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'session % does not exist', p_session_id USING ERRCODE = 'P0002';
        END IF;
        now_ts := clock_timestamp();  -- after the lock
        IF s.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'cannot pause a stopped session clock' USING ERRCODE = '55000';
        END IF;
        IF s.is_paused THEN
            RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at,
                       s.ended_at, s.version, now_ts, bench_baseline.elapsed_ms(s, now_ts), false);
        END IF;
        at_ts := greatest(now_ts, s.last_state_change_at);
        UPDATE bench_baseline.sessions
           SET is_paused = true, last_state_change_at = at_ts, version = version + 1
         WHERE id = p_session_id
        RETURNING * INTO s;
        INSERT INTO bench_baseline.session_events
               (session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, clock_stepped_back, version)
        VALUES (p_session_id, 'pause', p_reason, at_ts, current_user, current_user,
                bench_baseline.elapsed_ms(s, at_ts), 0, now_ts < at_ts, s.version);
        RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at,
                   s.ended_at, s.version, now_ts, bench_baseline.elapsed_ms(s, now_ts), true);
    END
    $$;

CREATE FUNCTION bench_baseline.resume_no_notify(p_session_id uuid, p_reason text DEFAULT NULL)
    RETURNS bench_baseline.clock_change
    LANGUAGE plpgsql VOLATILE
    AS $$
    DECLARE
        s         bench_baseline.sessions;
        now_ts    timestamptz;
        at_ts     timestamptz;
        closed_ms bigint;
    BEGIN
        IF p_session_id IS NULL THEN
            RAISE EXCEPTION 'p_session_id must not be null' USING ERRCODE = '22004';
        END IF;
        IF p_reason IS NOT NULL THEN
            IF btrim(p_reason, E' \t\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B\u202F\u205F\u3000\uFEFF') = '' THEN
                RAISE EXCEPTION 'p_reason must not be empty' USING ERRCODE = '22023';
            ELSIF length(p_reason) > 200 THEN
                RAISE EXCEPTION 'p_reason is too long (at most 200 characters)' USING ERRCODE = '22023';
            ELSIF p_reason ~ '[\x01-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]' THEN
                RAISE EXCEPTION 'p_reason must not contain control characters' USING ERRCODE = '22023';
            END IF;
        END IF;
        SELECT * INTO s FROM bench_baseline.sessions WHERE id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'session % does not exist', p_session_id USING ERRCODE = 'P0002';
        END IF;
        now_ts := clock_timestamp();  -- after the lock
        IF s.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'cannot resume a stopped session clock' USING ERRCODE = '55000';
        END IF;
        IF NOT s.is_paused THEN
            RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at,
                       s.ended_at, s.version, now_ts, bench_baseline.elapsed_ms(s, now_ts), false);
        END IF;
        at_ts := greatest(now_ts, s.last_state_change_at);
        closed_ms := floor(extract(epoch FROM at_ts - s.last_state_change_at) * 1000);
        UPDATE bench_baseline.sessions
           SET is_paused = false, total_paused_ms = total_paused_ms + closed_ms,
               last_state_change_at = at_ts, version = version + 1
         WHERE id = p_session_id
        RETURNING * INTO s;
        INSERT INTO bench_baseline.session_events
               (session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, clock_stepped_back, version)
        VALUES (p_session_id, 'resume', p_reason, at_ts, current_user, current_user,
                bench_baseline.elapsed_ms(s, at_ts), closed_ms, now_ts < at_ts, s.version);
        RETURN ROW(s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at,
                   s.ended_at, s.version, now_ts, bench_baseline.elapsed_ms(s, now_ts), true);
    END
    $$;
