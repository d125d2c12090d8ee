"""pytest setup for the Python client's tests: the package from the source
tree (clients/python), and the fixtures of the real worker (worker_fixtures.py)."""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "clients" / "python"))


pytest_plugins = ["worker_fixtures"]
