"""session_clock: the Python client of session_clock's worker.

SessionClock (asyncio) keeps the server's time and follows session timers;
BackgroundSessionClock runs it on a thread for code that is not async.
The estimator (time_estimator.py) is client/time-estimator.js's algorithm,
held to it by shared test vectors. See docs/python.md.
"""

from .background import BackgroundSessionClock, BackgroundTimer
from .client import DEFAULT_OPTIONS, SessionClock
from .connection import socket_url
from .errors import RequestError
from .local_clock import clock_resolution_ms, local_now_ms
from .session_timer import SessionTimer, elapsed_at
from .time_estimator import DEFAULT_ESTIMATOR_OPTIONS, ClockJumpDetector, Estimate, TimeEstimator, compute_sample
from .time_sync import SyncState

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_ESTIMATOR_OPTIONS",
    "DEFAULT_OPTIONS",
    "BackgroundSessionClock",
    "BackgroundTimer",
    "ClockJumpDetector",
    "Estimate",
    "RequestError",
    "SessionClock",
    "SessionTimer",
    "SyncState",
    "TimeEstimator",
    "clock_resolution_ms",
    "compute_sample",
    "elapsed_at",
    "local_now_ms",
    "socket_url",
]
