"""BackgroundSessionClock: SessionClock for code that is not async (a
Django view, a device script). The client runs on its own event loop in a
daemon thread; the methods here block the caller, each with a timeout.

    clock = BackgroundSessionClock("ws://127.0.0.1:8080/ws")   # once per process
    clock.wait_synced(timeout=5)
    clock.now_ms(); clock.now(); clock.now_iso(); clock.get_status()

now_ms(), now(), sync and get_status() read the estimate directly (under a
lock): no round trip to the thread, so a stamp costs microseconds.
Callbacks registered with on() run on the client's thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as _dt
import threading
from typing import Any, Callable, Mapping, Optional

from .client import SessionClock
from .session_timer import SessionTimer
from .time_sync import SyncState

__all__ = ["BackgroundSessionClock", "BackgroundTimer"]


class BackgroundSessionClock:
    def __init__(self, url: str, token: Optional[str] = None, **options: Any):
        self._loop = asyncio.new_event_loop()
        self._client: Optional[SessionClock] = None
        self._closed = False
        ready = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, args=(url, token, options, ready),
                                        name="session-clock", daemon=True)
        self._thread.start()
        ready.result(timeout=10)  # raises what the constructor raised

    def _run(self, url, token, options, ready) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._client = SessionClock(url, token, **options)
            self._loop.call_soon(self._client.start)
        except BaseException as e:
            ready.set_exception(e)
            return
        ready.set_result(None)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    def _call(self, coroutine, timeout: Optional[float]):
        if self._closed:
            coroutine.close()
            raise RuntimeError("the BackgroundSessionClock is closed")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no result within {timeout} s") from None

    def _on_loop(self, fn: Callable[[], Any], timeout: float = 10) -> Any:
        async def run():
            return fn()

        return self._call(run(), timeout)

    # --- the same API as SessionClock, blocking ---

    @property
    def client(self) -> SessionClock:
        """The SessionClock on the client's thread (use it from there only)."""
        return self._client

    def now_ms(self) -> float:
        return self._client.now_ms()

    def now(self) -> _dt.datetime:
        return self._client.now()

    @property
    def sync(self) -> SyncState:
        return self._client.sync

    @property
    def status(self) -> str:
        return self._client.status

    @property
    def identity(self) -> Optional[dict]:
        return self._client.identity

    def now_iso(self) -> Optional[str]:
        return self._client.now_iso()

    def get_status(self) -> dict:
        return self._client.get_status()

    def wait_synced(self, timeout: Optional[float] = 10) -> SyncState:
        """Blocks until there is an estimate; TimeoutError after `timeout` s."""
        try:
            return self._call(self._client.wait_synced(timeout), None if timeout is None else timeout + 1)
        except asyncio.TimeoutError:
            raise TimeoutError(f"not synced within {timeout} s") from None

    def set_token(self, token: Optional[str]) -> None:
        self._on_loop(lambda: self._client.set_token(token))

    def resync(self) -> None:
        self._on_loop(self._client.resync)

    def start_clock(self, session_id: str, timeout: float = 15) -> dict:
        return self._call(self._client.start_clock(session_id), timeout)

    def clock(self, session_id: str) -> "BackgroundTimer":
        return BackgroundTimer(self, self._on_loop(lambda: self._client.clock(session_id)))

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """fn(detail) on the client's thread; returns the function that stops it."""
        stop = self._on_loop(lambda: self._client.on(event, fn))
        return lambda: self._on_loop(stop)

    def close(self, timeout: float = 5) -> None:
        """Closes the client and ends its thread."""
        if self._closed:
            return
        try:
            self._call(self._client.aclose(), timeout)
        except Exception:
            pass
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)

    def __enter__(self) -> "BackgroundSessionClock":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class BackgroundTimer:
    """A SessionTimer seen from another thread: BackgroundSessionClock.clock()."""

    def __init__(self, owner: BackgroundSessionClock, timer: SessionTimer):
        self._owner = owner
        self._timer = timer

    @property
    def session_id(self) -> str:
        return self._timer.session_id

    # The state is replaced whole (a read-only mapping) by each CLOCK_STATE:
    # reading it from another thread sees one state or the next, never a mix.
    @property
    def state(self) -> Optional[Mapping[str, Any]]:
        return self._timer.state

    @property
    def is_paused(self) -> Optional[bool]:
        return self._timer.is_paused

    @property
    def is_ended(self) -> Optional[bool]:
        return self._timer.is_ended

    @property
    def version(self) -> Optional[int]:
        return self._timer.version

    @property
    def participants(self) -> Optional[int]:
        return self._timer.participants

    @property
    def joined(self) -> bool:
        return self._timer.joined

    def elapsed_ms(self, at_server_ms: Optional[float] = None) -> Optional[float]:
        return self._timer.elapsed_ms(at_server_ms)

    def wait_state(self, timeout: Optional[float] = 10,
                   predicate: Optional[Callable[[Mapping[str, Any]], bool]] = None) -> Mapping[str, Any]:
        """Blocks until there is a state (satisfying predicate); TimeoutError after `timeout` s."""
        try:
            return self._owner._call(self._timer.wait_state(timeout, predicate),
                                     None if timeout is None else timeout + 1)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no state for {self.session_id} within {timeout} s") from None

    def pause(self, reason: Optional[str] = None, timeout: float = 15) -> dict:
        return self._owner._call(self._timer.pause(reason), timeout)

    def resume(self, reason: Optional[str] = None, timeout: float = 15) -> dict:
        return self._owner._call(self._timer.resume(reason), timeout)

    def stop(self, reason: Optional[str] = None, timeout: float = 15) -> dict:
        return self._owner._call(self._timer.stop(reason), timeout)

    def join(self) -> None:
        self._owner._on_loop(self._timer.join)

    def leave(self) -> None:
        self._owner._on_loop(self._timer.leave)

    def close(self) -> None:
        self._owner._on_loop(self._timer.close)

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """fn(detail) on the client's thread; returns the function that stops it."""
        stop = self._owner._on_loop(lambda: self._timer.on(event, fn))
        return lambda: self._owner._on_loop(stop)
