"""Replays tests/vectors/time_estimator.json (generated from the JS estimator,
client/time-estimator.js) through the Python port.

Equality is exact: both languages compute in IEEE-754 binary64 and the port
evaluates each expression in the JS order, so one ulp of difference is a
divergence. JSON round-trips doubles exactly. The same file is replayed
through the JS estimator by tests/browser/time_estimator_vectors.test.mjs.
"""

import json
import math
import pathlib
import re

import pytest

from session_clock.time_estimator import TimeEstimator

VECTORS = json.loads((pathlib.Path(__file__).parent.parent / "vectors" / "time_estimator.json").read_text())

# The JS names of the vectors, as the Python API spells them.
SNAPSHOT_FIELDS = {
    "offsetMs": "offset_ms", "targetOffsetMs": "target_offset_ms", "maxErrorMs": "max_error_ms",
    "rttMs": "rtt_ms", "delayMs": "delay_ms", "synced": "synced", "samples": "samples", "steps": "steps",
    "lastSampleAgeMs": "last_sample_age_ms",
}
SAMPLE_FIELDS = {"offset": "offset", "delay": "delay", "up": "up", "down": "down", "roundTrip": "round_trip", "at": "at"}


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def decode(x):
    return {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}.get(x, x) if isinstance(x, str) else x


def same(actual, expected, where):
    expected = decode(expected)
    if isinstance(expected, bool) or isinstance(actual, bool):
        assert actual is expected, f"{where}: got {actual!r}, the vectors say {expected!r}"
    elif isinstance(expected, float) and math.isnan(expected):
        assert isinstance(actual, float) and math.isnan(actual), f"{where}: got {actual!r}, the vectors say NaN"
    else:
        assert actual == expected, f"{where}: got {actual!r}, the vectors say {expected!r} (diff {actual - expected!r})"


def test_the_vectors_cover_what_they_must():
    names = {c["name"] for c in VECTORS["cases"]}
    for n in ["quiet path", "uniform jitter", "asymmetric delays", "clock step", "aging samples", "resolution",
              "window size limit", "window age limit"]:
        assert n in names


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_vectors(case):
    e = TimeEstimator(**{snake(k): v for k, v in case["options"].items()})
    for i, step in enumerate(case["steps"]):
        where = f"{case['name']}, step {i} ({step['op']})"
        returned = None
        if step["op"] == "sample":
            returned = e.add_sample(*(decode(step[k]) for k in ("t1", "t2", "t3", "t4")))
        elif step["op"] == "clearWindow":
            e.clear_window()
        elif step["op"] == "invalidate":
            e.invalidate()
        x = step["expect"]
        if x["returned"] is None:
            assert returned is None, f"{where}: a sample was accepted"
        else:
            assert returned is not None, f"{where}: the sample was refused"
            for k, py in SAMPLE_FIELDS.items():
                same(getattr(returned, py), x["returned"][k], f"{where} returned.{k}")
        assert e.synced is x["synced"], where
        assert e.sample_count == x["sampleCount"], where
        assert e.steps == x["steps"], where
        assert e.restarts == x["restarts"], where
        same(e.residual_ms, x["residualMs"], f"{where} residualMs")
        for s in x["snapshots"]:
            got = e.snapshot(s["at"])
            for k, py in SNAPSHOT_FIELDS.items():
                same(getattr(got, py), s[k], f"{where} at {s['at']}: {k}")
            same(e.server_time(s["at"]), s["serverTime"], f"{where} at {s['at']}: serverTime")
