"""The local clock every time in the client is read from.

The JS client's base is performance.timeOrigin + performance.now(): epoch-like
milliseconds that never step. Here it is the same thing built from the
kernel's monotonic clock (time.monotonic_ns(), CLOCK_MONOTONIC on Linux; its
reading granularity is a nanosecond, where a browser's is 5 us to 1 ms) and
an origin taken from the wall clock once, at import. Server time is this plus
the estimated offset. The wall clock (time.time_ns()) is read only to notice
jumps (ClockJumpDetector), as the JS client reads Date.now().
"""

import time

__all__ = ["local_now_ms", "mono_ms", "wall_ms", "clock_resolution_ms"]


def _origin_ns() -> int:
    # The wall clock between two monotonic readings, the closest pair of a few:
    # the origin only makes the base epoch-like (the estimator absorbs any
    # error in it), but a good one keeps offsets near zero on a synced host.
    best = None
    for _ in range(5):
        a = time.monotonic_ns()
        w = time.time_ns()
        b = time.monotonic_ns()
        if best is None or b - a < best[0]:
            best = (b - a, w - (a + b) // 2)
    return best[1]


# Module state, not a constant: bench/accuracy/runner.py shifts it to give
# the client a clock that is wrong by a known amount.
origin_ns = _origin_ns()


def local_now_ms() -> float:
    """The monotonic local base in epoch-like ms (fractional)."""
    return (origin_ns + time.monotonic_ns()) / 1e6


def mono_ms() -> float:
    """The monotonic clock alone, in ms (the jump detector's second clock)."""
    return time.monotonic_ns() / 1e6


def wall_ms() -> float:
    """The wall clock in epoch ms: only for noticing jumps."""
    return time.time_ns() / 1e6


def clock_resolution_ms(now=mono_ms) -> float:
    """The local clock's reading granularity (ms), as the JS client measures
    performance.now()'s: the smallest step seen in a few readings, spinning at
    most ~3 ms. On Linux it is tens of nanoseconds (the cost of a reading)."""
    start = now()
    last = start
    step = float("inf")
    changes = reads = 0
    while changes < 4 and reads < 200_000:
        reads += 1
        t = now()
        if t != last:
            step = min(step, t - last)
            last = t
            changes += 1
        if t - start > 3:
            break
    return step if step != float("inf") else 1.0
