"""The Python client's measuring run, beside runner.js's three estimators:
the same proxy, the same worker, the same sampling.

    /usr/bin/python3 runner.py --url http://127.0.0.1:PROXYPORT [--shift-ms 1234.5]
                               [--duration-s 60] [--sample-ms 100] --out FILE.json

python   clients/python's SessionClock with its defaults (the same estimator
         and schedule as the JS client)

Truth: the worker runs on this host and stamps with its realtime clock, which
Python reads with nanosecond resolution (time.time_ns()), so no calibration is
needed. The client's local base is shifted by --shift-ms (its origin moved),
so the right offset estimate is -shift and sharing the host's clock proves
nothing. error = estimator's server time - true time, read between two truth
readings (their midpoint); null until the client has its first sample.
"""

import argparse
import asyncio
import json
import pathlib
import resource
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "clients" / "python"))

from session_clock import SessionClock, local_clock  # noqa: E402


def true_now_ms():
    return time.time_ns() / 1e6


async def measure(url, duration_ms, sample_ms):
    samples = []
    syncs = 0

    def on_sync(_state):
        nonlocal syncs
        syncs += 1

    started = true_now_ms()
    async with SessionClock(url) as sc:
        sc.on("sync", on_sync)
        k = 1
        while k * sample_ms <= duration_ms:
            await asyncio.sleep(max(0.0, (started + k * sample_ms - true_now_ms()) / 1000))
            row = {"t": true_now_ms() - started, "python": None}
            if sc.sync.synced:
                a = true_now_ms()
                estimate = sc.now_ms()
                b = true_now_ms()
                row["python"] = estimate - (a + b) / 2
                row["pythonBound"] = sc.sync.max_error_ms
            samples.append(row)
            k += 1
        s = sc.sync
    return samples, syncs, s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--shift-ms", type=float, default=0.0)
    p.add_argument("--duration-s", type=float, default=60)
    p.add_argument("--sample-ms", type=float, default=100)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if not (a.duration_s > 0 and a.sample_ms >= 10):
        p.error("need --duration-s > 0 and --sample-ms >= 10")
    local_clock.origin_ns += round(a.shift_ms * 1e6)  # every local reading is off by the shift
    samples, syncs, s = asyncio.run(measure(a.url, a.duration_s * 1000, a.sample_ms))
    usage = resource.getrusage(resource.RUSAGE_SELF)

    def finite(x):
        return x if x == x and abs(x) != float("inf") else None

    pathlib.Path(a.out).write_text(json.dumps({
        "shiftMs": a.shift_ms, "durationMs": a.duration_s * 1000, "sampleMs": a.sample_ms,
        "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000,
        "python": {"syncEvents": syncs, "samples": s.samples, "steps": s.steps, "offsetMs": finite(s.offset_ms),
                   "maxErrorMs": finite(s.max_error_ms), "delayMs": finite(s.delay_ms), "rttMs": finite(s.rtt_ms)},
        "samples": samples,
    }))


if __name__ == "__main__":
    main()
