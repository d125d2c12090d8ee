"""One session timer as a SessionClock follows it (client/session-timer.js).
Its state always comes from the server; its position is derived from that
state and the server time, never counted up locally."""

from __future__ import annotations

import asyncio
import math
from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional

from .clock_commands import is_clock_command
from .events import Emitter

__all__ = ["SessionTimer", "elapsed_at"]


def elapsed_at(state: Optional[Mapping[str, Any]], at_server_ms: float) -> Optional[float]:
    """Position of a session timer at server time at_server_ms, from the
    parameters the server sent (the extension's elapsed_ms: running, now -
    started - paused; frozen at the last change while paused; at the end once
    stopped)."""
    if not state:
        return None
    started = state.get("startedAtMs")
    if not isinstance(started, (int, float)) or isinstance(started, bool) or not math.isfinite(started):
        return None
    if state.get("endedAtMs") is not None:
        end = state["endedAtMs"]
    elif state.get("isPaused"):
        end = state["lastStateChangeAtMs"]
    else:
        end = max(at_server_ms, state["lastStateChangeAtMs"])
    elapsed = end - started - (state.get("totalPausedMs") or 0)
    return elapsed if elapsed > 0 else 0


class SessionTimer(Emitter):
    """One session timer, followed through a SessionClock; made by
    SessionClock.clock(session_id). Events (on(event, fn)): 'change'
    ({'state'}), 'joined' ({'session_id'}), 'left' ({'session_id', 'reason'}:
    'left', 'disconnected', 'removed' or 'superseded'), 'error' ({'code', 'message', 'ref'})."""

    def __init__(self, owner, session_id: str):
        super().__init__()
        self._owner = owner  # the SessionClock
        self._session_id = session_id
        self._state: Optional[Mapping[str, Any]] = None
        self._want_joined = False
        self._joined = False
        self._closed = False
        self._retry_timer: Optional[asyncio.TimerHandle] = None
        self._waiters: list[tuple[Callable[[Mapping[str, Any]], bool], asyncio.Future]] = []

    @property
    def session_id(self) -> str:
        return self._session_id

    @property
    def state(self) -> Optional[Mapping[str, Any]]:
        """The last CLOCK_STATE's fields (without 't', read-only), or None before the first."""
        return self._state

    @property
    def ready(self) -> bool:
        return self._state is not None

    def _field(self, name: str, convert=lambda v: v):
        return convert(self._state.get(name)) if self._state is not None else None

    @property
    def is_paused(self) -> Optional[bool]:
        return self._field("isPaused")

    @property
    def is_ended(self) -> Optional[bool]:
        return self._field("endedAtMs", lambda v: v is not None)

    @property
    def participants(self) -> Optional[int]:
        return self._field("participants")

    @property
    def grace_deadline_ms(self) -> Optional[float]:
        return self._field("graceDeadlineMs")

    @property
    def auto_paused(self) -> Optional[bool]:
        return self._field("autoPaused", bool)

    @property
    def presence_tracked(self) -> Optional[bool]:
        return self._field("presenceTracked", bool)

    @property
    def version(self) -> Optional[int]:
        return self._field("version")

    @property
    def joined(self) -> bool:
        """True while the server counts this connection's user as present."""
        return self._joined

    @property
    def closed(self) -> bool:
        return self._closed

    def elapsed_ms(self, at_server_ms: Optional[float] = None) -> Optional[float]:
        """Position in ms at server time at_server_ms (default: the owner's
        now_ms()); None before the first state."""
        return elapsed_at(self._state, self._owner.now_ms() if at_server_ms is None else at_server_ms)

    async def wait_state(self, timeout: Optional[float] = None,
                         predicate: Optional[Callable[[Mapping[str, Any]], bool]] = None) -> Mapping[str, Any]:
        """The state once there is one (and predicate(state) holds, if given):
        at once if the current one does, else the first later one that does.
        Raises asyncio.TimeoutError after `timeout` seconds."""
        check = predicate or (lambda s: True)
        if self._state is not None and check(self._state):
            return self._state
        if self._closed:
            raise RuntimeError(f"timer {self._session_id} is closed")
        future = asyncio.get_running_loop().create_future()
        entry = (check, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def join(self) -> None:
        """Counts the token's user as present (JOIN_SESSION); kept across reconnects."""
        self._check_open()
        self._want_joined = True
        self._owner._send({"t": "JOIN_SESSION", "sessionId": self._session_id})

    def leave(self) -> None:
        """No longer present (LEAVE_SESSION); the timer keeps following the clock."""
        self._check_open()
        self._want_joined = False
        if self._owner._send({"t": "LEAVE_SESSION", "sessionId": self._session_id}):
            # LEAVE_SESSION also stops the server's pushes: follow again.
            self._owner._send({"t": "SUBSCRIBE_CLOCK", "sessionId": self._session_id})

    async def pause(self, reason: Optional[str] = None) -> dict:
        """PAUSE_CLOCK: returns {'changed', 'version'}; raises RequestError."""
        return await self._drive("PAUSE_CLOCK", reason)

    async def resume(self, reason: Optional[str] = None) -> dict:
        """RESUME_CLOCK."""
        return await self._drive("RESUME_CLOCK", reason)

    async def stop(self, reason: Optional[str] = None) -> dict:
        """STOP_CLOCK: stops the clock for good (the host only)."""
        return await self._drive("STOP_CLOCK", reason)

    async def _drive(self, kind: str, reason: Optional[str]) -> dict:
        if self._closed:
            raise RuntimeError(f"timer {self._session_id} is closed")
        return await self._owner._command(kind, self._session_id, reason)

    def close(self) -> None:
        """Stops following (leaving first if joined)."""
        if self._closed:
            return
        self._closed = True
        self._cancel_retry()
        self._owner._send({"t": "LEAVE_SESSION", "sessionId": self._session_id} if self._want_joined or self._joined
                          else {"t": "UNSUBSCRIBE_CLOCK", "sessionId": self._session_id})
        self._want_joined = self._joined = False
        self._owner._forget(self._session_id, self)
        for _, future in self._waiters:
            if not future.done():
                future.set_exception(RuntimeError(f"timer {self._session_id} is closed"))

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"timer {self._session_id} is closed")

    def _cancel_retry(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.cancel()
            self._retry_timer = None

    # --- called by SessionClock ---

    # A (re)connected socket: follow again, and join again if we were joined.
    # The server answers with the current state, so nothing is lost while away.
    def _resume(self) -> None:
        if self._closed:
            return
        self._cancel_retry()
        self._owner._send({"t": "JOIN_SESSION" if self._want_joined else "SUBSCRIBE_CLOCK",
                           "sessionId": self._session_id})

    def _disconnected(self) -> None:
        self._cancel_retry()
        if self._joined:
            self._joined = False  # the server's view: a closed connection leaves
            self._fire("left", {"session_id": self._session_id, "reason": "disconnected"})

    def _message(self, m: dict) -> None:
        if self._closed:
            return
        kind = m.get("t")
        if kind == "CLOCK_STATE":
            # Versions only increase; an equal one (a re-subscription) may carry newer presence.
            version = m.get("version")
            if self._state is not None and isinstance(version, (int, float)) and version < self._state.get("version", 0):
                return
            self._state = MappingProxyType({k: v for k, v in m.items() if k != "t"})
            for check, future in list(self._waiters):
                if not future.done():
                    try:
                        if check(self._state):
                            future.set_result(self._state)
                    except Exception as e:  # a predicate's bug is its waiter's
                        future.set_exception(e)
            self._fire("change", {"state": self._state})
        elif kind == "JOINED":
            if not self._want_joined:
                return  # a leave() crossed it
            self._joined = True
            self._fire("joined", {"session_id": self._session_id})
        elif kind == "LEFT":
            if self._want_joined:
                return  # a join() crossed it
            was = self._joined
            self._joined = False
            if was:
                self._fire("left", {"session_id": self._session_id, "reason": "left"})

    def _left_by(self, reason: str) -> None:
        """The server ended this connection's presence on its own: not joined
        again after a reconnect unless the app asks."""
        self._want_joined = False
        if self._joined:
            self._joined = False
            self._fire("left", {"session_id": self._session_id, "reason": reason})

    def _server_error(self, code: str, message: str, ref) -> None:
        if self._closed:
            return
        ref_type = ref.get("t") if isinstance(ref, dict) else None
        if ref_type == "JOIN_SESSION":
            self._want_joined = False
        # Unasked (no request type): the user was removed from the session.
        # The server has ended its presence and stopped its pushes.
        if code == "forbidden" and isinstance(ref, dict) and "t" not in ref:
            self._left_by("removed")
        # The user joined a single-device session from another connection:
        # presence ended here, the clock stays followed; join() takes it back.
        if code == "superseded":
            self._left_by("superseded")
        # A refused command is its future's business; only a refused subscription is retried.
        subscription = not ref or not is_clock_command(ref_type)
        if code == "unavailable" and subscription and self._retry_timer is None:
            def retry():
                self._retry_timer = None
                if self._owner.status == "live":
                    self._resume()

            self._retry_timer = asyncio.get_running_loop().call_later(
                self._owner.options["resubscribe_delay_ms"] / 1000, retry)
        self._fire("error", {"code": code, "message": message, "ref": ref})
