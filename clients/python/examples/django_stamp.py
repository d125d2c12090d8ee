"""Stamping events with the server's time from Django (or any code that is
not async): one BackgroundSessionClock per process, started once, read by
every request. Django itself is not needed to run this file; the view at the
bottom shows where it plugs in.

    SESSION_CLOCK_URL=ws://127.0.0.1:8080/ws python3 django_stamp.py
"""

import os
import threading

from session_clock import BackgroundSessionClock

_clock = None
_lock = threading.Lock()


def configure(url=None, token=None):
    """Starts the process's clock (call it from AppConfig.ready()); a token
    is needed only to follow session clocks, not for the time."""
    global _clock
    with _lock:
        if _clock is None:
            _clock = BackgroundSessionClock(url or os.environ["SESSION_CLOCK_URL"], token=token)
    return _clock


def stamp_event(payload, sync_timeout=2.0):
    """The payload with the server's time: what a view would store or return.
    Raises TimeoutError if the clock has not synced within sync_timeout
    seconds (the first request after start-up waits for the first pong;
    every later one returns at once)."""
    clock = configure()
    clock.wait_synced(timeout=sync_timeout)
    now_ms = clock.now_ms()
    return {
        **payload,
        "server_time_ms": now_ms,                              # epoch ms, fractional
        "server_time": clock.now().isoformat(),                # e.g. 2026-11-23T17:04:05.123456+00:00
        "max_error_ms": clock.sync.max_error_ms,               # how far off it can be
    }


def shutdown():
    """Closes the clock (tests; a server process just exits)."""
    global _clock
    with _lock:
        if _clock is not None:
            _clock.close()
            _clock = None


# In the Django app:
#
#   # apps.py
#   class EventsConfig(AppConfig):
#       name = "events"
#       def ready(self):
#           django_stamp.configure(settings.SESSION_CLOCK_URL)
#
#   # views.py
#   def create_event(request):
#       event = django_stamp.stamp_event(json.loads(request.body))
#       Event.objects.create(**event)
#       return JsonResponse(event, status=201)

if __name__ == "__main__":
    print(stamp_event({"kind": "demo"}))
    print(configure().get_status())
    shutdown()
