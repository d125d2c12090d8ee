"""The server-time estimator: a line-for-line port of client/time-estimator.js.

Pure arithmetic, no I/O, no timers, no clock reads: every local time is
passed in by the caller, on one monotonic base (time_sync.py uses
local_clock.local_now_ms(), never time.time()).

The method is NTP's (RFC 5905) for one server, with its clock filter taken
one step further (the JS file explains it in full):

- a sample uses all four timestamps (t1 local send, t2 server receive, t3
  server send, t4 local receive): its uplink says the offset (server - local)
  is at most up = t2 - t1, its downlink that it is at least -(t4 - t3);
- every sample of the window must hold at once, so the offset lies in the
  intersection [max(-down), min(up)]; the estimate is its middle;
- an old sample's interval widens with its age at drift_ppm; samples that do
  not meet even widened mean a clock stepped: the window restarts from the
  newest sample;
- the applied offset steps to the first samples, then slews at slew_rate and
  steps only beyond step_threshold_ms; the error bound includes any gap still
  being slewed.

The JS estimator is the reference. tests/vectors/time_estimator.json is
generated from it (tests/vectors/generate_time_estimator.mjs) and replayed
through both (tests/browser/time_estimator_vectors.test.mjs and
tests/python/test_time_estimator_vectors.py), which require bit-identical
results: keep every arithmetic expression in the JS file's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

INF = math.inf

__all__ = [
    "DEFAULT_ESTIMATOR_OPTIONS",
    "ClockJumpDetector",
    "Estimate",
    "Sample",
    "TimeEstimator",
    "compute_sample",
]


def compute_sample(t1: float, t2: float, t3: float, t4: float) -> tuple[float, float]:
    """Offset and round-trip delay of one exchange (ms): (offset, delay)."""
    offset = ((t2 - t1) + (t3 - t4)) / 2
    # A clock tick between stamps can make this a hair negative: that is zero.
    delay = max(0.0, (t4 - t1) - (t3 - t2))
    return offset, delay


DEFAULT_ESTIMATOR_OPTIONS = {
    "window_size": 256,  # most samples kept: 64 s of the fastest polling
    "window_ms": 64_000,  # oldest sample kept: by then drift has widened its interval ~1 ms
    "step_threshold_ms": 50,  # a synced clock steps only for a larger correction
    "slew_rate": 0.05,  # slews at most 50 ms per second (the clock runs at 0.95-1.05)
    "step_samples": 4,  # the first samples of a fresh estimate step freely (chrony's makestep)
    "drift_ppm": 15,  # how fast an old sample's interval widens (NTP's PHI)
    "resolution_ms": 0,  # how coarse the local clock's readings are
}


@dataclass(frozen=True)
class Sample:
    """One usable exchange, as the estimator keeps it."""

    offset: float
    delay: float
    up: float
    down: float
    round_trip: float
    at: float  # t4, local ms


@dataclass(frozen=True)
class Estimate:
    """TimeEstimator.snapshot(): the estimate at one local time."""

    offset_ms: float
    target_offset_ms: float
    max_error_ms: float
    rtt_ms: float
    delay_ms: float
    synced: bool
    samples: int
    steps: int
    last_sample_age_ms: float


@dataclass(frozen=True)
class _Fix:
    offset: float
    error_ms: float
    at: float
    delay: float


def _is_finite_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _is_integer(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _sign(x: float) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


class TimeEstimator:
    """See the module's docstring. Options as DEFAULT_ESTIMATOR_OPTIONS."""

    def __init__(self, **options):
        unknown = set(options) - set(DEFAULT_ESTIMATOR_OPTIONS)
        if unknown:
            raise TypeError(f"unknown estimator options: {', '.join(sorted(unknown))}")
        o = {**DEFAULT_ESTIMATOR_OPTIONS, **options}
        if not (_is_integer(o["window_size"]) and o["window_size"] >= 1):
            raise ValueError("window_size must be an integer >= 1")
        if not (o["window_ms"] > 0):
            raise ValueError("window_ms must be > 0")
        if not (0 < o["slew_rate"] < 1):
            raise ValueError("slew_rate must be in (0, 1)")
        if not (o["step_threshold_ms"] >= 0):
            raise ValueError("step_threshold_ms must be >= 0")
        if not (o["drift_ppm"] >= 0):
            raise ValueError("drift_ppm must be >= 0")
        if not (o["resolution_ms"] >= 0):
            raise ValueError("resolution_ms must be >= 0")
        if not (_is_integer(o["step_samples"]) and o["step_samples"] >= 1):
            raise ValueError("step_samples must be an integer >= 1")
        self._options = dict(o)
        self._window: list[Sample] = []  # recent samples, oldest first
        self._fix: Optional[_Fix] = None  # the last estimate (kept when the window is cleared)
        self._last: Optional[Sample] = None  # the most recent sample
        self._target = 0.0  # the estimated offset
        self._applied = 0.0  # applied offset at _applied_at (local ms)
        self._applied_at = 0.0
        self._synced = False
        self._accepted = 0  # samples since the estimate was (re)started
        self._steps = 0
        self._restarts = 0

    @property
    def options(self) -> dict:
        return dict(self._options)

    @property
    def synced(self) -> bool:
        """True once a sample has been taken (and no local clock jump has voided it since)."""
        return self._synced

    @property
    def sample_count(self) -> int:
        return len(self._window)

    @property
    def steps(self) -> int:
        """How often the applied offset has stepped instead of slewing."""
        return self._steps

    @property
    def restarts(self) -> int:
        """How often samples contradicted each other and the window restarted."""
        return self._restarts

    @property
    def residual_ms(self) -> float:
        """The mean gap between the lowest and second-lowest delay of each
        direction: how much error jitter likely still leaves (inf with fewer
        than two samples)."""
        if len(self._window) < 2:
            return INF
        up1 = up2 = down1 = down2 = INF
        for s in self._window:
            if s.up < up1:
                up2 = up1
                up1 = s.up
            elif s.up < up2:
                up2 = s.up
            if s.down < down1:
                down2 = down1
                down1 = s.down
            elif s.down < down2:
                down2 = s.down
        return ((up2 - up1) + (down2 - down1)) / 2

    def add_sample(self, t1, t2, t3, t4) -> Optional[Sample]:
        """Adds one exchange; the sample, or None when it is unusable (missing
        or non-finite stamps, a reply received before it was sent)."""
        if not all(_is_finite_number(t) for t in (t1, t2, t3, t4)) or t4 < t1 or t3 < t2:
            return None
        t1, t2, t3, t4 = float(t1), float(t2), float(t3), float(t4)
        offset, delay = compute_sample(t1, t2, t3, t4)
        sample = Sample(offset=offset, delay=delay, up=t2 - t1, down=t4 - t3, round_trip=t4 - t1, at=t4)
        self._window.append(sample)
        self._trim(t4)
        self._last = sample
        fix = self._intersect(t4)
        if fix is None:
            # The newest sample contradicts older ones beyond any drift: a
            # clock stepped. The server's clock is the reference.
            self._window = [sample]
            self._restarts += 1
            fix = self._intersect(t4)
        self._fix = fix
        self._adopt(fix.offset, t4)
        return sample

    def _trim(self, now_local: float) -> None:
        window_size = self._options["window_size"]
        window_ms = self._options["window_ms"]
        drop = max(0, len(self._window) - window_size)
        while drop < len(self._window) - 1 and now_local - self._window[drop].at > window_ms:
            drop += 1
        if drop > 0:
            del self._window[:drop]

    # The estimate from every sample in the window, or None when their
    # intervals do not meet even widened by drift and resolution.
    def _intersect(self, now_local: float) -> Optional[_Fix]:
        phi = self._options["drift_ppm"] * 1e-6
        r = self._options["resolution_ms"]
        up = down = hi = delay = INF
        lo = -INF
        for s in self._window:
            slack = r + phi * max(0, now_local - s.at)
            up = min(up, s.up)
            down = min(down, s.down)
            hi = min(hi, s.up + slack)
            lo = max(lo, -s.down - slack)
            delay = min(delay, s.delay)
        if lo > hi:
            return None
        # The middle at zero drift, unless only drift reconciles the samples.
        offset = (up - down) / 2
        if offset > hi or offset < lo:
            offset = (lo + hi) / 2
        return _Fix(offset=offset, error_ms=max(hi - offset, offset - lo), at=now_local, delay=delay)

    def _adopt(self, target: float, now_local: float) -> None:
        current = self.offset_at(now_local)
        self._accepted += 1
        free = not self._synced or self._accepted <= self._options["step_samples"]
        if free or abs(target - current) > self._options["step_threshold_ms"]:
            if self._synced and current != target:
                self._steps += 1
            self._applied = target
        else:
            self._applied = current
        self._applied_at = now_local
        self._target = target
        self._synced = True

    def offset_at(self, local_ms: float) -> float:
        """The offset (server - local, ms) in force at local time local_ms, slewing included."""
        gap = self._target - self._applied
        if gap == 0:
            return self._applied
        room = self._options["slew_rate"] * max(0, local_ms - self._applied_at)
        return self._applied + _sign(gap) * min(abs(gap), room)

    def server_time(self, local_ms: float) -> float:
        """Server epoch ms at local time local_ms."""
        return local_ms + self.offset_at(local_ms)

    def snapshot(self, local_ms: float) -> Estimate:
        """The estimate at local time local_ms. max_error_ms bounds
        |server_time(local_ms) - the server's clock|; inf before the first sample."""
        offset_ms = self.offset_at(local_ms)
        if self._fix is None:
            return Estimate(offset_ms=offset_ms, target_offset_ms=offset_ms, max_error_ms=INF, rtt_ms=math.nan,
                            delay_ms=math.nan, synced=False, samples=0, steps=self._steps, last_sample_age_ms=INF)
        fix = self._fix
        drift = max(0, local_ms - fix.at) * self._options["drift_ppm"] * 1e-6
        max_error_ms = fix.error_ms + drift + abs(self._target - offset_ms)
        return Estimate(
            offset_ms=offset_ms,
            target_offset_ms=self._target,
            max_error_ms=max_error_ms if self._synced else INF,
            rtt_ms=self._last.round_trip,
            delay_ms=fix.delay,
            synced=self._synced,
            samples=len(self._window),
            steps=self._steps,
            last_sample_age_ms=max(0, local_ms - self._last.at),
        )

    def clear_window(self) -> None:
        """Forgets the samples but keeps the estimate (and its slewing): after
        a reconnect the path, or even the server, may differ."""
        self._window = []

    def invalidate(self) -> None:
        """The local base itself may have jumped (a suspend): forget the
        samples and let the next one step."""
        self._window = []
        self._synced = False
        self._accepted = 0


class ClockJumpDetector:
    """Notices the local clocks disagreeing: the wall clock (time.time_ns())
    and the monotonic one advance together unless one of them jumped (a
    wall-clock step, or a suspend the monotonic clock did not count)."""

    def __init__(self, threshold_ms: float = 100):
        self._threshold_ms = threshold_ms
        self._wall = math.nan
        self._mono = math.nan

    def check(self, wall_ms: float, mono_ms: float) -> tuple[bool, float]:
        """Call with both clocks read together: (jumped, drift_ms), the
        disagreement since the previous call. The first call only records."""
        first = math.isnan(self._wall)
        drift_ms = 0 if first else (wall_ms - self._wall) - (mono_ms - self._mono)
        self._wall = wall_ms
        self._mono = mono_ms
        return abs(drift_ms) > self._threshold_ms, drift_ms
