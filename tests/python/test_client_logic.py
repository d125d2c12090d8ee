"""The client's own logic against a scripted server (websockets.serve in
this process): what the real worker cannot be made to do on cue, such as
never answering a ping. Every wait is bounded."""

import asyncio
import json
import time

import websockets

from session_clock import SessionClock
from session_clock.connection import socket_url

SESSION = "6f1c2d3e-0000-4000-8000-000000000001"


def run(coroutine, timeout=30):
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


class ScriptedServer:
    """Records every connection's frames; answers TIME_PINGs unless mute."""

    def __init__(self, mute=False):
        self.mute = mute
        self.connections = []  # one list of received messages per connection

    async def handler(self, ws, path=None):
        received = []
        self.connections.append(received)
        async for text in ws:
            m = json.loads(text)
            received.append(m)
            if m["t"] == "TIME_PING" and not self.mute:
                now = time.time_ns() / 1e6
                await ws.send(json.dumps({"t": "TIME_PONG", "clientNowMs": m["clientNowMs"], "pingId": m["pingId"],
                                          "serverReceiveMs": now, "serverSendMs": now, "serverNowMs": now}))

    async def __aenter__(self):
        self.server = await websockets.serve(self.handler, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ws"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()


async def eventually(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        await asyncio.sleep(0.01)
    return check()


def test_socket_url():
    assert socket_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/ws"
    assert socket_url("https://clock.example/") == "wss://clock.example/ws"
    assert socket_url("ws://127.0.0.1:8080/ws") == "ws://127.0.0.1:8080/ws"
    assert socket_url("wss://h/custom/path") == "wss://h/custom/path"
    for bad in ("ftp://h/", "nonsense"):
        try:
            socket_url(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was taken")


def test_on_open_a_ping_first_then_auth_before_any_subscription():
    async def main():
        async with ScriptedServer() as server:
            sc = SessionClock(server.url, token="jwt", burst_size=3, burst_spacing_ms=5)
            timer = sc.clock(SESSION)
            timer.join()  # before the connection: sent on open
            async with sc:
                assert await eventually(lambda: server.connections and len(server.connections[0]) >= 5)
                kinds = [m["t"] for m in server.connections[0]]
                assert kinds[:3] == ["TIME_PING", "AUTH", "JOIN_SESSION"], kinds
                assert server.connections[0][1]["token"] == "jwt"
                pings = [m for m in server.connections[0] if m["t"] == "TIME_PING"]
                assert await eventually(lambda: sc.sync.samples == 3)
                assert len({p["pingId"] for p in pings}) == len(pings)
                # The burst does not wait for answers; after it, one poll at a time.
                assert sc.sync.synced and abs(sc.sync.offset_ms) < 5
                later = [m for m in server.connections[0] if m["t"] == "TIME_PING"]
                assert "rttMs" in later[-1] and 0 <= later[-1]["rttMs"] <= 60_000

    run(main())


def test_a_ping_unanswered_for_pong_timeout_ms_means_a_dead_connection():
    async def main():
        async with ScriptedServer(mute=True) as server:
            async with SessionClock(server.url, burst_size=2, pong_timeout_ms=300, min_backoff_ms=10,
                                    max_backoff_ms=50) as sc:
                statuses = []
                sc.on("status", lambda d: statuses.append(d["status"]))
                # Half-open: the client gives up on the socket itself and opens another.
                assert await eventually(lambda: len(server.connections) >= 2, timeout=5), statuses
                assert "offline" in statuses
                assert not sc.sync.synced

    run(main())


def test_a_new_connection_bursts_again_and_keeps_the_estimate():
    async def main():
        async with ScriptedServer() as server:
            async with SessionClock(server.url, burst_size=4, burst_spacing_ms=5, min_backoff_ms=10,
                                    max_backoff_ms=50) as sc:
                assert await eventually(lambda: sc.sync.samples == 4)
                # The server drops every connection: the client comes back and bursts.
                for ws in list(server.server.websockets):
                    await ws.close()
                assert await eventually(lambda: len(server.connections) >= 2)
                assert sc.sync.synced  # kept across the reconnect (clear_window, not invalidate)
                assert await eventually(lambda: sum(m["t"] == "TIME_PING" for m in server.connections[1]) >= 4)

    run(main())
