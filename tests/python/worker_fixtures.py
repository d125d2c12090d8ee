"""Real parts for the Python client's tests, as tests/integration/harness.cpp
has them for C++: a throwaway PostgreSQL cluster (scripts/pg-cluster) with
the extension, the real worker binary as a child process, HS256 tokens.

Environment: SESSION_CLOCK_WORKER (default build/session-clock-worker),
SESSION_CLOCK_TEST_PG_PORT (the cluster's port; default: the first free one
pg-cluster finds), SESSION_CLOCK_EDITION (extension, the default, or
portable: portable/session_clock.sql installed by the database's owner, who
is not a superuser and is who the worker and the tests connect as, as
Supabase's postgres role is).
"""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKER = pathlib.Path(os.environ.get("SESSION_CLOCK_WORKER", ROOT / "build" / "session-clock-worker"))
PSQL = "/usr/lib/postgresql/15/bin/psql"
JWT_SECRET = "python-test-secret-with-enough-entropy-0123456789"


def make_token(sub, role="authenticated", ttl_s=600):
    """An HS256 JWT for the workers these fixtures start."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    claims = {"role": role, "exp": int(time.time()) + ttl_s}
    if sub:
        claims["sub"] = sub
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    signature = hmac.new(JWT_SECRET.encode(), head.encode(), hashlib.sha256).digest()
    return head + "." + b64(signature)


class Cluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="session_clock_py.")
        os.chmod(self.dir, 0o755)  # the cluster inside runs as postgres when we are root
        args = [str(ROOT / "scripts" / "pg-cluster"), "start", self.dir + "/pg"]
        if os.environ.get("SESSION_CLOCK_TEST_PG_PORT"):
            args.append(os.environ["SESSION_CLOCK_TEST_PG_PORT"])
        self.url = subprocess.run(args, check=True, capture_output=True, text=True, timeout=120).stdout.strip()
        self.sql("\\i " + str(ROOT / "scripts" / "supabase_roles.sql"))
        if os.environ.get("SESSION_CLOCK_EDITION", "extension") == "portable":
            self.sql("CREATE ROLE app_owner LOGIN; GRANT anon, authenticated, service_role TO app_owner;"
                     "ALTER DATABASE postgres OWNER TO app_owner; ALTER SCHEMA public OWNER TO app_owner")
            self.url = self.url.replace("postgres@", "app_owner@", 1)
            self.sql("\\i " + str(ROOT / "portable" / "session_clock.sql"))
        else:
            self.sql("CREATE EXTENSION session_clock")

    def row(self, statement):
        """Runs SQL as the superuser (the owner, for the portable edition); the
        first row's columns as text ([] if none)."""
        out = subprocess.run([PSQL, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", self.url],
                             input=statement, check=True, capture_output=True, text=True, timeout=60)
        lines = out.stdout.splitlines()
        return lines[0].split("\t") if lines else []

    def sql(self, statement):
        """The first column of the first row ('' if none)."""
        row = self.row(statement)
        return row[0] if row else ""

    def new_session(self):
        return str(uuid.uuid4())

    def stop(self):
        subprocess.run([str(ROOT / "scripts" / "pg-cluster"), "stop", self.dir + "/pg"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


class Worker:
    """The worker binary on 127.0.0.1: port 0 (the kernel picks one, the
    log says which) or a given one (to come back on the same address)."""

    def __init__(self, database_url, port=0, extra_args=()):
        self.database_url = database_url
        self.extra_args = list(extra_args)
        self.log_path = tempfile.mkstemp(prefix="session_clock_py_worker.", suffix=".log")[1]
        self.process = None
        self.port = None
        self.start(port)

    def start(self, port=0):
        marker = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
        # Until it has read the database's clock the worker serves its own
        # host's, with no bound (docs/protocol.md, "One clock"): wait for both.
        measured = "serving the database's clock"
        before = len(marker.findall(self.log()))  # a restart appends to the same log
        measured_before = self.log().count(measured)
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [str(WORKER), "--database-url", self.database_url, "--listen", f"127.0.0.1:{port}",
                 "--jwt-secret", JWT_SECRET, "--log-level", "debug", "--threads", "2", *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            ports = marker.findall(self.log())
            if len(ports) > before and self.log().count(measured) > measured_before:
                self.port = int(ports[-1])
                return
            if self.process.poll() is not None:
                raise RuntimeError("the worker exited at start:\n" + self.log())
            time.sleep(0.02)
        raise RuntimeError("the worker did not report its port:\n" + self.log())

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/ws"

    def log(self):
        try:
            return pathlib.Path(self.log_path).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout=10):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def restart(self):
        """Stops it and starts it again on the same port."""
        self.stop()
        self.start(self.port)

    def close(self):
        self.stop()
        try:
            os.unlink(self.log_path)
        except FileNotFoundError:
            pass


@pytest.fixture(scope="session")
def cluster():
    if not WORKER.exists():
        pytest.fail(f"{WORKER} is missing: cmake --build build --target session-clock-worker")
    c = Cluster()
    yield c
    c.stop()


@pytest.fixture
def worker(cluster, request):
    w = Worker(cluster.url)
    yield w
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        print("--- worker log (tail)\n" + "\n".join(w.log().splitlines()[-40:]))
    w.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
