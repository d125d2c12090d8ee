"""A SessionClock's estimate of the server's clock (client/time-sync.js).
Pings over the connection (a burst on connect and on local clock jumps, then
polls paced by what more samples can still gain) feed their pongs to the
estimator (time_estimator.py, pure); a ping unanswered for pong_timeout_ms
means the connection is dead.

Everything runs on the client's event loop; the estimator is read under a
lock so that BackgroundSessionClock can read the time from other threads.
"""

from __future__ import annotations

import asyncio
import math
import threading
from dataclasses import dataclass
from typing import Callable, Optional

from .local_clock import local_now_ms, mono_ms, wall_ms
from .time_estimator import ClockJumpDetector, TimeEstimator

__all__ = ["SyncState", "TimeSync"]


@dataclass(frozen=True)
class SyncState:
    """SessionClock.sync: the estimate now, and what the server says of its own clock."""

    offset_ms: float  # server - local (the monotonic base), slewing included
    max_error_ms: float  # bounds |now_ms() - the database's clock| (the worker's own bound included); inf before the first sample
    rtt_ms: float  # the latest round trip
    synced: bool
    delay_ms: float  # the lowest delay in the window
    samples: int
    steps: int
    last_sample_age_ms: float
    server_sync_warning: bool  # the worker cannot back its time (database clock not read lately enough)
    server_max_error_ms: float  # the worker's bound on |its time - the database's clock|; nan until known


def _server_error(ms: float) -> float:
    # The worker's stamps are the database's clock within the bound its pongs
    # state, so a bound against the database's clock adds it; a server that
    # states none (an older one: nan) adds nothing; None (not yet measured)
    # was recorded as inf: nothing backs the bound.
    return 0.0 if math.isnan(ms) else ms


def _cancel(handle: Optional[asyncio.TimerHandle]) -> None:
    if handle is not None:
        handle.cancel()


class TimeSync:
    def __init__(self, options: dict, estimator_options: dict, connection, on_sync: Callable[[SyncState], None]):
        self._options = options
        self._connection = connection
        self._on_sync = on_sync  # told the new state after each usable sample and each local clock jump
        self._estimator = TimeEstimator(**estimator_options)
        self._lock = threading.Lock()
        self._jumps = ClockJumpDetector(threshold_ms=options["jump_threshold_ms"])
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._jump_timer: Optional[asyncio.TimerHandle] = None
        self._poll_timer: Optional[asyncio.TimerHandle] = None
        self._burst_timer: Optional[asyncio.TimerHandle] = None
        self._timeout_timer: Optional[asyncio.TimerHandle] = None
        self._burst_left = 0
        self._burst_started_at = -math.inf  # local ms
        self._sharpen_until = -math.inf  # local ms: polls are fast until then while the path is jittery
        self._next_ping_id = 1
        self._in_flight: dict[int, float] = {}  # ping_id -> local send time
        self._server_sync_warning = False
        self._server_max_error_ms = math.nan
        self._last_rtt_ms = math.nan  # reported in TIME_PING (rooms size their lead by it)
        self.last_sample_server_ms: Optional[float] = None  # server time of the last usable sample

    def start(self) -> None:
        """Starts watching the local clock for jumps (on the running loop)."""
        self._loop = asyncio.get_running_loop()
        self._jumps.check(wall_ms(), mono_ms())
        self._schedule_jump_check()

    def now(self) -> float:
        """Server epoch milliseconds now (fractional)."""
        with self._lock:
            return self._estimator.server_time(local_now_ms())

    @property
    def synced(self) -> bool:
        with self._lock:
            return self._estimator.synced

    @property
    def state(self) -> SyncState:
        with self._lock:
            s = self._estimator.snapshot(local_now_ms())
        return SyncState(
            offset_ms=s.offset_ms, max_error_ms=s.max_error_ms + _server_error(self._server_max_error_ms),
            rtt_ms=s.rtt_ms, synced=s.synced,
            delay_ms=s.delay_ms, samples=s.samples, steps=s.steps, last_sample_age_ms=s.last_sample_age_ms,
            server_sync_warning=self._server_sync_warning, server_max_error_ms=self._server_max_error_ms,
        )

    def connected(self) -> None:
        """A new socket: a new path, perhaps a new server: new samples, from a burst."""
        with self._lock:
            self._estimator.clear_window()
        self.burst(force=True)

    def disconnected(self) -> None:
        """The socket is gone: no more pings on it, and a late answer is not counted."""
        for h in (self._poll_timer, self._burst_timer, self._timeout_timer):
            _cancel(h)
        self._poll_timer = self._burst_timer = self._timeout_timer = None
        self._burst_left = 0
        self._in_flight.clear()

    def close(self) -> None:
        """No more jump checks (the SessionClock is closed)."""
        _cancel(self._jump_timer)
        self._jump_timer = None
        self.disconnected()

    # A burst: burst_size pings burst_spacing_ms apart, not waiting for
    # answers. Forced after a connect or a clock jump; otherwise (resync())
    # skipped while one runs or began less than min_burst_gap_ms ago, so
    # repeated calls cannot flood the server's rate limit.
    def burst(self, force: bool) -> None:
        now = local_now_ms()
        if not force and (self._burst_left > 0 or now - self._burst_started_at < self._options["min_burst_gap_ms"]):
            return
        _cancel(self._poll_timer)
        _cancel(self._burst_timer)
        self._poll_timer = self._burst_timer = None
        self._burst_started_at = now
        self._sharpen_until = now + self._options["sharpen_ms"]
        self._burst_left = self._options["burst_size"]
        self._burst_ping()

    # The server dropped a message for the rate limit (its ERROR names none;
    # it may have been a ping, whose answer would then never come): end the
    # burst and the sharpening, forget the pings in flight and go on at the
    # steady poll, so the connection is neither declared dead for a missing
    # pong nor flooded into a 1008 close.
    def slow_down(self) -> None:
        _cancel(self._burst_timer)
        _cancel(self._timeout_timer)
        self._burst_timer = self._timeout_timer = None
        self._burst_left = 0
        self._sharpen_until = -math.inf
        self._in_flight.clear()
        if self._connection.live:
            self._schedule_poll()

    def pong(self, m: dict) -> None:
        """A TIME_PONG: a sample for the estimator, if it answers a ping of this socket."""
        arrival = self._connection.arrival_ms
        t4 = arrival if arrival is not None else local_now_ms()
        t1 = self._in_flight.pop(m.get("pingId"), None) if _hashable(m.get("pingId")) else None
        if t1 is None:
            return  # not ours, or from before a reconnect
        self._last_rtt_ms = t4 - t1
        if not self._in_flight:
            _cancel(self._timeout_timer)
            self._timeout_timer = None
        self._connection.healthy()
        if isinstance(m.get("syncWarning"), bool):
            self._server_sync_warning = m["syncWarning"]
        if _is_number(m.get("maxErrorMs")):
            self._server_max_error_ms = m["maxErrorMs"]
        elif "maxErrorMs" in m and m["maxErrorMs"] is None:
            self._server_max_error_ms = math.inf  # the server cannot back its stamps yet
        t2 = m.get("serverReceiveMs", m.get("serverNowMs"))
        t3 = m.get("serverSendMs", m.get("serverNowMs"))
        with self._lock:
            sample = self._estimator.add_sample(t1, t2, t3, t4) if _is_number(t2) and _is_number(t3) else None
        if sample is not None:
            self.last_sample_server_ms = t3
            self._on_sync(self.state)
        if self._burst_left == 0 and not self._in_flight:
            self._schedule_poll()

    def check_jump(self) -> None:
        """A local clock step or a suspend voids the estimate: start again with a burst."""
        jumped, _ = self._jumps.check(wall_ms(), mono_ms())
        if not jumped:
            return
        with self._lock:
            self._estimator.invalidate()
        self._on_sync(self.state)
        if self._connection.live:
            self.burst(force=True)

    def _schedule_jump_check(self) -> None:
        def tick():
            self.check_jump()
            self._schedule_jump_check()

        self._jump_timer = self._loop.call_later(self._options["jump_check_interval_ms"] / 1000, tick)

    def _burst_ping(self) -> None:
        self._burst_timer = None
        if self._burst_left <= 0:
            return
        if len(self._in_flight) < self._options["burst_max_in_flight"]:
            self._burst_left -= 1
            self._ping()
        if self._burst_left > 0:
            self._burst_timer = self._loop.call_later(self._options["burst_spacing_ms"] / 1000, self._burst_ping)

    # After the burst, one ping at a time. More samples sharpen the estimate
    # only while jitter still leaves a residual: sample fast for a while
    # (bounded), then keep a jittery path at a second and a quiet one at ten.
    def _poll_delay(self) -> float:
        o = self._options
        with self._lock:
            residual = self._estimator.residual_ms
        if residual <= o["residual_target_ms"]:
            return o["poll_interval_ms"]
        return o["sharpen_interval_ms"] if local_now_ms() < self._sharpen_until else o["rough_poll_interval_ms"]

    def _schedule_poll(self) -> None:
        if self._poll_timer is not None:
            return

        def fire():
            self._poll_timer = None
            self._ping()

        self._poll_timer = self._loop.call_later(self._poll_delay() / 1000, fire)

    def _ping(self) -> None:
        if not self._connection.writable:
            return
        ping_id = self._next_ping_id
        self._next_ping_id += 1
        t1 = local_now_ms()
        self._in_flight[ping_id] = t1
        ping = {"t": "TIME_PING", "clientNowMs": t1, "pingId": ping_id}
        # The worker accepts [0, 60000]; a room's lead is sized from its members' round trips.
        if math.isfinite(self._last_rtt_ms):
            ping["rttMs"] = min(60_000, math.floor(self._last_rtt_ms * 1000 + 0.5) / 1000)  # Math.round

        # The send time is read again right before the frame reaches the
        # transport (connection.py says why): that is the t1 the sample uses.
        # clientNowMs keeps the first reading; the worker only echoes it.
        def written() -> None:
            if ping_id in self._in_flight:  # not forgotten meanwhile (a reconnect, a rate limit)
                self._in_flight[ping_id] = local_now_ms()

        self._connection.send(ping, written)
        if self._timeout_timer is None:
            self._arm_pong_timeout()

    def _arm_pong_timeout(self) -> None:
        def check():
            self._timeout_timer = None
            if not self._in_flight:
                return
            oldest = min(self._in_flight.values())
            if local_now_ms() - oldest >= self._options["pong_timeout_ms"]:
                self._connection.abandon()  # half-open: close it ourselves and reconnect
            else:
                self._arm_pong_timeout()

        self._timeout_timer = self._loop.call_later(self._options["pong_timeout_ms"] / 1000, check)


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _hashable(x) -> bool:
    return isinstance(x, (int, str)) and not isinstance(x, bool)
