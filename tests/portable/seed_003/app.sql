-- Seed 003's app as its document describes it (docs/seeds: "Server-Authoritative
-- Timer Implementation", migration 20251105000007_server_authoritative_timer.sql):
-- its own sessions table (a customer and a mechanic, started_at set when both
-- joined) gains is_paused, total_paused_ms and last_state_change_at; pause and
-- resume log to its own session_events; three RPCs in public named like ours,
-- with other result shapes. Reconstructed for tests/portable/seed_003/run.sh.
CREATE TABLE public.sessions (
    id          uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    mechanic_id uuid NOT NULL,
    status      text NOT NULL DEFAULT 'pending',
    started_at  timestamptz,
    ended_at    timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE public.session_events (
    id         bigserial PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES public.sessions (id),
    event_type text NOT NULL,
    reason     text,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- 20251105000007_server_authoritative_timer.sql
ALTER TABLE public.sessions
    ADD COLUMN is_paused boolean NOT NULL DEFAULT false,
    ADD COLUMN total_paused_ms bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_state_change_at timestamptz;

CREATE FUNCTION public.session_clock_get(p_session_id uuid)
    RETURNS TABLE (started_at timestamptz, is_paused boolean, total_paused_ms bigint,
                   last_state_change_at timestamptz, server_now timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at, now()
        FROM public.sessions s WHERE s.id = p_session_id
    $$;

CREATE FUNCTION public.session_clock_pause(p_session_id uuid, p_reason text DEFAULT 'manual')
    RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE s public.sessions;
    BEGIN
        SELECT * INTO s FROM public.sessions WHERE id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN RETURN jsonb_build_object('success', false, 'error', 'not found'); END IF;
        IF NOT s.is_paused THEN
            UPDATE public.sessions SET is_paused = true, last_state_change_at = now() WHERE id = p_session_id;
            INSERT INTO public.session_events (session_id, event_type, reason) VALUES (p_session_id, 'timer_paused', p_reason);
        END IF;
        RETURN jsonb_build_object('success', true, 'is_paused', true);
    END $$;

CREATE FUNCTION public.session_clock_resume(p_session_id uuid, p_reason text DEFAULT 'manual')
    RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE s public.sessions;
    BEGIN
        SELECT * INTO s FROM public.sessions WHERE id = p_session_id FOR UPDATE;
        IF NOT FOUND THEN RETURN jsonb_build_object('success', false, 'error', 'not found'); END IF;
        IF s.is_paused THEN
            UPDATE public.sessions
               SET is_paused = false, last_state_change_at = now(),
                   total_paused_ms = total_paused_ms
                                     + (extract(epoch FROM now() - s.last_state_change_at) * 1000)::bigint
             WHERE id = p_session_id;
            INSERT INTO public.session_events (session_id, event_type, reason) VALUES (p_session_id, 'timer_resumed', p_reason);
        END IF;
        RETURN jsonb_build_object('success', true, 'is_paused', false);
    END $$;
