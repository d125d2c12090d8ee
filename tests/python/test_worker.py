"""The Python client against the real worker and a throwaway cluster.

One host: the worker serves the database's clock, which is this host's
realtime clock, so the client's server time can be checked against
time.time_ns() directly. Every wait is
bounded (asyncio.wait_for / the client's own timeouts); bounds are generous
because other builds and tests share the machine.
"""

import asyncio
import datetime as dt
import json
import sys
import threading
import time
import urllib.parse

import pytest
import websockets

from session_clock import BackgroundSessionClock, RequestError, SessionClock

from worker_fixtures import ROOT, make_token

# Quick reconnects, so a restarted worker is found again within a second.
FAST_RECONNECT = {"min_backoff_ms": 50, "max_backoff_ms": 400}


def run(coroutine, timeout=60):
    """Runs one test's coroutine on a fresh loop, bounded as a whole."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def eventually(check, timeout=5.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(interval)
    return check()


def true_now_ms():
    return time.time_ns() / 1e6


def sql_clock(cluster, session_id):
    """session_clock_get's position and the server time it was read at."""
    elapsed, at, paused = cluster.row(f"SELECT elapsed_ms, extract(epoch FROM server_now) * 1000, is_paused "
                                      f"FROM session_clock_get('{session_id}')")
    return float(elapsed), float(at), paused == "t"


def test_sync_converges_on_loopback(worker):
    async def main():
        async with SessionClock(worker.url) as sc:
            state = await sc.wait_synced(timeout=5)
            assert state.synced
            # The burst: 32 pings 30 ms apart, a sample from each.
            assert await eventually(lambda: sc.sync.samples >= 24, timeout=5), sc.sync
            s = sc.sync
            assert s.max_error_ms < 2, s  # loopback: the round trip is ~0.1-0.5 ms
            assert s.rtt_ms < 20, s
            # One host: the truth is this host's realtime clock, and the claimed bound holds.
            for _ in range(20):
                a = true_now_ms()
                estimate = sc.now_ms()
                b = true_now_ms()
                assert abs(estimate - (a + b) / 2) <= sc.sync.max_error_ms + (b - a) / 2 + 0.05
                await asyncio.sleep(0.01)
            assert sc.status == "live"

    run(main())


def test_now_agrees_with_the_workers_server_now(worker):
    async def main():
        async with SessionClock(worker.url) as sc:
            await sc.wait_synced(timeout=5)
            assert await eventually(lambda: sc.sync.samples >= 16, timeout=5)
            async with websockets.connect(worker.url, ping_interval=None, compression=None) as raw:
                for i in range(10):
                    before = sc.now_ms()
                    await raw.send(json.dumps({"t": "TIME_PING", "clientNowMs": 1.0, "pingId": i}))
                    pong = json.loads(await asyncio.wait_for(raw.recv(), 5))
                    after = sc.now_ms()
                    bound = sc.sync.max_error_ms
                    assert pong["t"] == "TIME_PONG"
                    assert before - bound <= pong["serverNowMs"] <= after + bound, (before, pong, after, bound)
            now = sc.now()
            assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
            assert abs(now.timestamp() * 1000 - sc.now_ms()) < 5

    run(main())


def test_get_status_before_and_after_sync(worker):
    async def main():
        sc = SessionClock(worker.url)
        host = urllib.parse.urlsplit(worker.url).netloc
        assert sc.get_status() == {"server": host, "offset_ms": None, "last_sync": None, "is_synced": False}
        assert sc.now_iso() is None
        async with sc:
            await sc.wait_synced(timeout=5)
            status = sc.get_status()
            assert set(status) == {"server", "offset_ms", "last_sync", "is_synced"}
            assert status["server"] == host
            now = dt.datetime.fromisoformat(sc.now_iso())
            assert now.utcoffset() == dt.timedelta(0) and abs(now.timestamp() - time.time()) < 0.1
            assert status["is_synced"] is True
            # The server's clock minus this host's: one host, so ~0.
            assert isinstance(status["offset_ms"], float) and abs(status["offset_ms"]) < 2, status
            last = dt.datetime.fromisoformat(status["last_sync"])
            assert last.utcoffset() == dt.timedelta(0)
            assert abs(last.timestamp() - time.time()) < 5
        assert sc.get_status()["is_synced"] is True  # the estimate outlives the connection

    run(main())


def test_a_clock_started_in_sql_is_followed(worker, cluster):
    session = cluster.new_session()
    cluster.sql(f"SELECT session_clock_start('{session}')")
    time.sleep(0.05)

    async def main():
        async with SessionClock(worker.url, token=make_token(None, "service_role")) as sc:
            await sc.wait_synced(timeout=5)
            timer = sc.clock(session)
            assert sc.clock(session) is timer
            state = await timer.wait_state(timeout=5)
            assert state["sessionId"] == session and state["isPaused"] is False
            assert timer.is_paused is False and timer.is_ended is False and timer.version == 1
            assert await eventually(lambda: sc.sync.samples >= 16, timeout=5)
            # The same position as the database's, at the same server instant.
            elapsed, at, paused = sql_clock(cluster, session)
            assert abs(timer.elapsed_ms(at) - elapsed) < 1, (timer.elapsed_ms(at), elapsed)
            # And at now(): the database's reading lies between two of ours.
            before = timer.elapsed_ms()
            elapsed, _, _ = sql_clock(cluster, session)
            after = timer.elapsed_ms()
            assert before - 3 <= elapsed <= after + 3, (before, elapsed, after)
            assert elapsed > 40

    run(main())


def test_pause_and_resume_through_the_client(worker, cluster):
    session = cluster.new_session()

    async def main():
        async with SessionClock(worker.url, token=make_token("hana")) as sc:
            await sc.wait_synced(timeout=5)
            assert await eventually(lambda: sc.status == "live")
            started = await sc.start_clock(session)  # creates it: hana hosts it
            assert started == {"changed": True, "version": 1}
            timer = sc.clock(session)
            changes = []
            timer.on("change", lambda detail: changes.append(detail["state"]["version"]))
            await timer.wait_state(timeout=5)
            assert await timer.pause("coffee") == {"changed": True, "version": 2}
            state = await timer.wait_state(timeout=5, predicate=lambda s: s["isPaused"])
            assert state["version"] == 2 and timer.is_paused
            assert cluster.sql(f"SELECT actor || '/' || reason FROM session_clock.session_events "
                               f"WHERE session_id = '{session}' AND version = 2") == "hana/coffee"
            frozen = timer.elapsed_ms()
            await asyncio.sleep(0.1)
            assert timer.elapsed_ms() == frozen
            assert await timer.pause() == {"changed": False, "version": 2}  # already paused
            assert await timer.resume() == {"changed": True, "version": 3}
            await timer.wait_state(timeout=5, predicate=lambda s: not s["isPaused"])
            await asyncio.sleep(0.1)
            assert timer.elapsed_ms() > frozen + 50
            assert await timer.stop() == {"changed": True, "version": 4}
            await timer.wait_state(timeout=5, predicate=lambda s: s["endedAtMs"] is not None)
            assert timer.is_ended
            assert changes[0] == 1 and changes[-1] == 4
            with pytest.raises(RequestError) as refused:
                await timer.resume()
            assert refused.value.code == "invalid_state"

        # Someone else's clock: the database's rule refuses it.
        async with SessionClock(worker.url, token=make_token("mallory")) as sc:
            await eventually(lambda: sc.status == "live")
            with pytest.raises(RequestError) as refused:
                await sc.clock(session).pause()
            assert refused.value.code == "forbidden"
            assert refused.value.ref == {"t": "PAUSE_CLOCK", "sessionId": session}

    run(main())


def test_a_removed_member_is_told_and_hears_nothing_more(worker, cluster):
    session = cluster.new_session()
    cluster.sql(f"SELECT session_clock_start('{session}')")
    cluster.sql(f"SELECT session_clock_add_member('{session}', 'bob', 'participant')")

    async def main():
        async with SessionClock(worker.url, token=make_token("bob")) as sc:
            assert await eventually(lambda: sc.status == "live")
            timer = sc.clock(session)
            left, errors, changes = [], [], []
            timer.on("left", left.append)
            timer.on("error", errors.append)
            timer.on("change", lambda d: changes.append(d["state"]["version"]))
            timer.join()
            await timer.wait_state(timeout=5)
            assert await eventually(lambda: timer.joined)
            cluster.sql(f"SELECT session_clock_remove_member('{session}', 'bob')")
            assert await eventually(lambda: left, timeout=5), "bob was not told"
            # States of changes made before the removal (bob's join started a
            # grace period) may still arrive just ahead of it; none after it.
            heard = len(changes)
            assert left == [{"session_id": session, "reason": "removed"}]
            assert errors[0]["code"] == "forbidden" and errors[0]["ref"] == {"sessionId": session}
            assert not timer.joined
            cluster.sql(f"SELECT session_clock_pause('{session}')")
            await asyncio.sleep(0.5)
            assert len(changes) == heard, f"a removed member still hears the clock: {changes}"

    run(main())


def test_a_second_device_supersedes_the_first_in_a_single_device_session(worker, cluster):
    session = cluster.new_session()
    cluster.sql(f"SELECT session_clock_start('{session}')")
    cluster.sql(f"SELECT session_clock_add_member('{session}', 'bob', 'participant')")
    cluster.sql(f"SELECT session_clock_configure('{session}', p_single_device => true)")

    async def main():
        async with SessionClock(worker.url, token=make_token("bob")) as first, \
                SessionClock(worker.url, token=make_token("bob")) as second:
            a = first.clock(session)
            left = []
            a.on("left", left.append)
            a.join()
            assert await eventually(lambda: a.joined, timeout=5)
            b = second.clock(session)
            b.join()
            assert await eventually(lambda: b.joined, timeout=5)
            assert await eventually(lambda: left, timeout=5), "the first device was not told"
            assert left == [{"session_id": session, "reason": "superseded"}]
            assert not a.joined and b.joined
            # Still following: a change reaches the superseded device too.
            version = a.state["version"]
            cluster.sql(f"SELECT session_clock_pause('{session}')")
            assert await eventually(lambda: a.state["version"] > version, timeout=5)

    run(main())


def test_reconnects_after_the_worker_restarts(worker, cluster):
    session = cluster.new_session()
    cluster.sql(f"SELECT session_clock_start('{session}')")

    async def main():
        async with SessionClock(worker.url, token=make_token(None, "service_role"), **FAST_RECONNECT) as sc:
            statuses = []
            sc.on("status", lambda detail: statuses.append(detail["status"]))
            timer = sc.clock(session)
            await timer.wait_state(timeout=5)
            await sc.wait_synced(timeout=5)
            assert await eventually(lambda: sc.sync.samples >= 16, timeout=5)
            await asyncio.get_running_loop().run_in_executor(None, worker.stop)
            assert await eventually(lambda: sc.status == "offline", timeout=5)
            # A change while nobody listens: the re-subscription must bring it.
            cluster.sql(f"SELECT session_clock_pause('{session}', 'while away')")
            await asyncio.get_running_loop().run_in_executor(None, lambda: worker.start(worker.port))
            assert await eventually(lambda: sc.status == "live", timeout=10), statuses
            state = await timer.wait_state(timeout=5, predicate=lambda s: s["isPaused"])
            assert state["version"] == 2
            assert sc.identity is None or sc.identity["role"] == "service_role"
            # A new burst on the new connection: the window was cleared and refilled.
            assert await eventually(lambda: sc.sync.samples >= 16, timeout=5), sc.sync
            assert statuses[-2:] == ["offline", "live"], statuses
            elapsed, at, _ = sql_clock(cluster, session)
            assert abs(timer.elapsed_ms(at) - elapsed) < 1

    run(main())


def test_rate_limited_ends_the_burst_without_losing_the_connection(cluster):
    from worker_fixtures import Worker

    w = Worker(cluster.url, extra_args=["--rate", "5", "--rate-burst", "8", "--flood-strikes", "5"])
    try:
        async def main():
            async with SessionClock(w.url) as sc:
                errors, statuses = [], []
                sc.on("error", lambda d: errors.append(d["code"]))
                sc.on("status", lambda d: statuses.append(d["status"]))
                await sc.wait_synced(timeout=5)
                assert await eventually(lambda: "rate_limited" in errors, timeout=5)
                await asyncio.sleep(2)
                # The burst ended at the first refusal: far fewer than 5 strikes, no 1008.
                assert sc.status == "live" and statuses == ["live"], statuses
                assert errors.count("rate_limited") < 5, errors
                assert sc.sync.synced

        run(main())
    finally:
        w.close()


def test_the_background_clock_from_a_plain_thread(worker, cluster):
    session = cluster.new_session()
    cluster.sql(f"SELECT session_clock_start('{session}')")
    cluster.sql(f"SELECT session_clock_add_member('{session}', 'ivo', 'participant')")
    result = {}

    def thread_body():
        try:
            with BackgroundSessionClock(worker.url, token=make_token("ivo")) as clock:
                state = clock.wait_synced(timeout=5)
                result["synced"] = state.synced
                a = true_now_ms()
                now = clock.now_ms()
                b = true_now_ms()
                result["error"] = now - (a + b) / 2
                result["bound"] = clock.sync.max_error_ms
                result["status"] = clock.get_status()
                timer = clock.clock(session)
                timer.wait_state(timeout=5)
                result["paused"] = timer.pause("from a thread")
                result["state"] = dict(timer.wait_state(timeout=5, predicate=lambda s: s["isPaused"]))
                result["elapsed"] = timer.elapsed_ms()
        except BaseException as e:  # reported to the test below
            result["exception"] = e

    t = threading.Thread(target=thread_body)
    t.start()
    t.join(30)
    assert not t.is_alive(), "the background clock hung"
    assert "exception" not in result, result.get("exception")
    assert result["synced"] is True
    assert abs(result["error"]) <= result["bound"] + 0.1, result
    assert result["status"]["is_synced"] is True
    assert result["paused"] == {"changed": True, "version": 2}
    assert result["state"]["isPaused"] is True and result["elapsed"] > 0
    assert threading.active_count() < 10  # the client's thread ended with it


def test_the_django_example_stamps_with_server_time(worker):
    sys.path.insert(0, str(ROOT / "clients" / "python" / "examples"))
    try:
        import django_stamp as example
    finally:
        sys.path.pop(0)
    example.configure(worker.url)
    stamp_event = example.stamp_event
    try:
        a = true_now_ms()
        stamped = stamp_event({"kind": "checkout", "order": 42})
        b = true_now_ms()
        assert stamped["kind"] == "checkout" and stamped["order"] == 42
        # Stamped right after the first pong: the bound is that pong's, up to
        # half its round trip (milliseconds on a busy host), and it holds.
        bound = stamped["max_error_ms"]
        assert bound < 50, stamped
        assert a - bound - 0.1 <= stamped["server_time_ms"] <= b + bound + 0.1, (a, stamped, b)
        at = dt.datetime.fromisoformat(stamped["server_time"])
        assert abs(at.timestamp() * 1000 - stamped["server_time_ms"]) < 5, stamped  # two readings
    finally:
        example.shutdown()
