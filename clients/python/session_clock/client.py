"""SessionClock: the asyncio client of session_clock's worker, the
Python twin of client/session-clock.js.

    async with SessionClock("ws://127.0.0.1:8080/ws", token=jwt) as sc:
        await sc.wait_synced(timeout=5)
        sc.now_ms()                    # server epoch ms
        timer = sc.clock(session_id)
        await timer.wait_state(timeout=5)
        timer.elapsed_ms()             # from the server's parameters and now_ms()

One WebSocket carries everything (connection.py). Time sync runs without a
token (time_sync.py); clocks and presence need one (AUTH is sent first on
every connection): session_timer.py, clock_commands.py. Playback rooms are
not in the Python client.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import urllib.parse
from typing import Any, Optional

from .clock_commands import ClockCommands
from .connection import Connection, socket_url
from .events import Emitter
from .local_clock import clock_resolution_ms, wall_ms
from .session_timer import SessionTimer
from .time_sync import SyncState, TimeSync

__all__ = ["DEFAULT_OPTIONS", "SessionClock"]

# client/session-clock.js's DEFAULT_OPTIONS, in Python's spelling.
DEFAULT_OPTIONS = {
    "burst_size": 32,  # pings on connect, one every burst_spacing_ms without awaiting answers
    "burst_spacing_ms": 30,  # closer pings queue behind each other and share their delay: no gain
    "burst_max_in_flight": 8,
    "sharpen_interval_ms": 100,  # after the burst, while jitter still leaves more than residual_target_ms
    "sharpen_ms": 15_000,  # of likely error, a ping this often, for at most this long
    "residual_target_ms": 0.1,
    "rough_poll_interval_ms": 1_000,  # a path still that jittery afterwards is polled this often,
    "poll_interval_ms": 10_000,  # a quiet one this often
    "min_burst_gap_ms": 2_000,  # resync() starts at most one burst this often
    "pong_timeout_ms": 8_000,  # no answer this long: the connection is dead
    "min_backoff_ms": 250,  # reconnect delay range: full jitter in [0, min(max, min * 2^n)]
    "max_backoff_ms": 10_000,
    "resubscribe_delay_ms": 2_000,  # after an `unavailable` answer (the database is down)
    "request_timeout_ms": 10_000,  # a clock command unanswered this long raises RequestError('timeout')
    "jump_check_interval_ms": 1_000,
    "jump_threshold_ms": 100,
    # Python only: the browser bounds the opening handshake itself.
    "open_timeout_ms": 10_000,
}


class SessionClock(Emitter):
    """Events (on(event, fn)): 'status' ({'status': 'live' | 'offline'}),
    'sync' (a SyncState), 'clock' ({'session_id', 'state'}), 'error'
    ({'code', 'message', 'ref'})."""

    def __init__(self, url: str, token: Optional[str] = None, *, estimator: Optional[dict] = None, **options: Any):
        super().__init__()
        unknown = set(options) - set(DEFAULT_OPTIONS)
        if unknown:
            raise TypeError(f"unknown options: {', '.join(sorted(unknown))}")
        self._options = {**DEFAULT_OPTIONS, **options}
        self._token = token or None
        self._connection = Connection(socket_url(url), self._options, _ConnectionHandlers(self))
        self._sync = TimeSync(self._options, {"resolution_ms": clock_resolution_ms(), **(estimator or {})},
                              self._connection, lambda state: self._fire("sync", state))
        self._commands = ClockCommands(self._connection, self._options)
        self._timers: dict[str, SessionTimer] = {}
        self._identity: Optional[dict] = None
        self._last_error: Optional[dict] = None
        self._started = False

    # --- lifecycle ---

    def start(self) -> "SessionClock":
        """Connects (and keeps reconnecting) on the running event loop.
        `async with` calls it."""
        if not self._started:
            self._started = True
            self._sync.start()
            self._connection.start()
        return self

    async def __aenter__(self) -> "SessionClock":
        return self.start()

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the connection for good: no reconnects, timers stop following."""
        if self._connection.closed:
            return
        self._sync.close()
        await self._connection.close()
        self._commands.fail_all("closed", "the client was closed")

    # --- time ---

    def now_ms(self) -> float:
        """Server epoch milliseconds now (fractional). Before the first sample
        this is the local clock (check sync.synced, or await wait_synced())."""
        return self._sync.now()

    def now(self) -> _dt.datetime:
        """now_ms() as an aware UTC datetime (microsecond precision)."""
        return _to_datetime(self.now_ms())

    @property
    def sync(self) -> SyncState:
        """The time-sync estimate now."""
        return self._sync.state

    async def wait_synced(self, timeout: Optional[float] = None) -> SyncState:
        """The estimate once there is one; asyncio.TimeoutError after `timeout` s."""
        if self._sync.synced:
            return self.sync
        future = asyncio.get_running_loop().create_future()

        def on_sync(state: SyncState) -> None:
            if state.synced and not future.done():
                future.set_result(state)

        stop = self.on("sync", on_sync)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            stop()

    def now_iso(self) -> Optional[str]:
        """The server's clock now in ISO 8601 (UTC, microseconds), None before
        the first sync: seed 001's ntp_clock.now_iso()."""
        return self.now().isoformat() if self._sync.synced else None

    def get_status(self) -> dict:
        """The seeds' NTP helper's status (shared/seeds 001): {'server',
        'offset_ms', 'last_sync', 'is_synced'}. server is the worker's host
        (as the JS client's getStatus() says it). offset_ms is the server's clock
        minus this host's wall clock (time.time()), as the helper's is (None
        before the first sample); last_sync is when the last usable pong was
        sent, by the server's clock, in ISO 8601 (None before)."""
        synced = self._sync.synced
        last = self._sync.last_sample_server_ms
        offset = None
        if synced:
            offset = self.now_ms() - wall_ms()
        return {
            "server": urllib.parse.urlsplit(self._connection.url).netloc,
            "offset_ms": offset,
            "last_sync": _to_datetime(last).isoformat() if last is not None else None,
            "is_synced": synced,
        }

    def resync(self) -> None:
        """A burst of pings now (done by itself on connect and on clock jumps);
        at most one per min_burst_gap_ms."""
        if self._connection.live:
            self._sync.burst(force=False)

    # --- state ---

    @property
    def status(self) -> str:
        """'live' while the WebSocket is open, 'offline' otherwise."""
        return self._connection.status

    @property
    def url(self) -> str:
        return self._connection.url

    @property
    def options(self) -> dict:
        return dict(self._options)

    @property
    def identity(self) -> Optional[dict]:
        """What AUTH_OK said about the token: {'sub', 'role', 'expires_at_ms'}, or None."""
        return self._identity

    @property
    def last_error(self) -> Optional[dict]:
        return self._last_error

    def set_token(self, token: Optional[str]) -> None:
        """Replaces the token (sent at once when live; the server re-checks followed clocks)."""
        self._token = token or None
        self._identity = None
        if self._token and self._connection.live:
            self._connection.send({"t": "AUTH", "token": self._token})

    # --- clocks ---

    def clock(self, session_id: str) -> SessionTimer:
        """Follows a session timer; the same object for the same id until closed."""
        if not isinstance(session_id, str) or session_id == "":
            raise TypeError("session_id must be a non-empty string")
        timer = self._timers.get(session_id)
        if timer is None:
            timer = SessionTimer(self, session_id)
            self._timers[session_id] = timer
            if self._connection.live:
                timer._resume()
        return timer

    async def start_clock(self, session_id: str) -> dict:
        """START_CLOCK (creates the session with the token's user as host if
        it does not exist): {'changed', 'version'}; raises RequestError."""
        return await self._commands.send("START_CLOCK", session_id, None)

    # What a timer may do through its owner.
    def _send(self, message: dict) -> bool:
        return self._connection.send(message)

    async def _command(self, kind: str, session_id: str, reason: Optional[str]) -> dict:
        return await self._commands.send(kind, session_id, reason)

    def _forget(self, session_id: str, timer: SessionTimer) -> None:
        if self._timers.get(session_id) is timer:
            del self._timers[session_id]

    # --- the connection's handlers (through _ConnectionHandlers) ---

    def _opened(self) -> None:
        self._sync.connected()
        if self._token:
            self._connection.send({"t": "AUTH", "token": self._token})
        for timer in list(self._timers.values()):
            timer._resume()

    def _dropped(self) -> None:
        self._sync.disconnected()
        # A command sent on this socket may or may not have been applied: the
        # caller re-reads the state (the timer gets it again on reconnect).
        self._commands.fail_all("disconnected", "the connection closed before the answer")
        for timer in list(self._timers.values()):
            timer._disconnected()

    # Each frame to whom it concerns.
    def _route(self, m: dict) -> None:
        kind = m.get("t")
        if kind == "TIME_PONG":
            self._sync.pong(m)
        elif kind == "AUTH_OK":
            self._identity = {"sub": m.get("sub"), "role": m.get("role"), "expires_at_ms": m.get("expiresAtMs")}
        elif kind in ("CLOCK_STATE", "JOINED", "LEFT", "UNSUBSCRIBED"):
            timer = self._timers.get(m.get("sessionId"))
            if timer is not None:
                timer._message(m)
                if kind == "CLOCK_STATE":
                    self._fire("clock", {"session_id": m.get("sessionId"), "state": timer.state})
        elif kind == "CLOCK_CHANGED":
            self._on_clock_changed(m)
        elif kind == "ERROR":
            self._on_server_error(m)
        # time ticks, rooms and future messages: not ours to handle

    def _on_clock_changed(self, m: dict) -> None:
        if not self._commands.changed(m):
            return
        # A start may have created the session a timer failed to follow: follow again.
        timer = self._timers.get(m.get("sessionId")) if m.get("action") == "start" else None
        if timer is not None and not timer.ready:
            timer._resume()

    def _on_server_error(self, m: dict) -> None:
        code, message = m.get("code"), m.get("message")
        if code == "rate_limited":
            self._sync.slow_down()
        ref = m.get("ref") if isinstance(m.get("ref"), dict) else None
        if ref is not None and ref.get("t") == "AUTH":
            self._identity = None
        self._commands.refused(code, message, ref)
        timer = self._timers.get(ref.get("sessionId")) if ref is not None and isinstance(ref.get("sessionId"), str) else None
        if timer is not None:
            timer._server_error(code, message, ref)
        self._error(code, message, ref)

    def _error(self, code, message, ref) -> None:
        self._last_error = {"code": code, "message": message, "ref": ref}
        self._fire("error", {"code": code, "message": message, "ref": ref})


class _ConnectionHandlers:
    """What the connection tells its SessionClock."""

    def __init__(self, owner: SessionClock):
        self._owner = owner

    def opened(self) -> None:
        self._owner._opened()

    def message(self, m: dict) -> None:
        self._owner._route(m)

    def dropped(self) -> None:
        self._owner._dropped()

    def status(self, status: str) -> None:
        self._owner._fire("status", {"status": status})

    def failed(self, message: str) -> None:
        self._owner._error("connect_failed", message, None)


def _to_datetime(ms: float) -> _dt.datetime:
    return _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(microseconds=round(ms * 1000))
