"""Shared fixtures. Seed articles and datasets are read from ../shared at run time, never copied."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from aidtrace.store import Store

# One process unless a test asks for workers: a worker pool per ingest would load spaCy anew for
# every test, where one process loads it once for the whole session (tests/test_jobs.py runs
# the worker pool and checks it stores the same results).
os.environ.setdefault("AIDTRACE_JOBS", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples" / "news"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the shared folder must sit beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared: Path) -> Path:
    return shared / "seeds"


# ---------------------------------------------------------------------- databases

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: str) -> None:
    subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL 15 server, as a URL without database name (skipped where
    PostgreSQL is missing, except in CI, where .ci/run installs it and a missing server is a
    broken build)."""
    missing = not (PG_BIN / "initdb").exists() or os.geteuid() != 0 or not shutil.which("su")
    if missing and os.environ.get("CI"):
        pytest.fail("CI must run the PostgreSQL tests: .ci/run installs postgresql, and runs as root")
    pytest.importorskip("psycopg")
    if missing:
        pytest.skip("PostgreSQL 15 (apt-get install postgresql) and root are needed for these tests")
    home = Path(tempfile.mkdtemp(prefix="aidtrace-pg-"))
    shutil.chown(home, "postgres")
    port = _free_port()
    _as_postgres(f"{PG_BIN}/initdb -D {home}/data -U postgres -A trust -E UTF8 --locale=C.UTF-8")
    _as_postgres(f"{PG_BIN}/pg_ctl -D {home}/data -o '-p {port} -k {home} -c listen_addresses=127.0.0.1' "
                 f"-l {home}/log -w start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        _as_postgres(f"{PG_BIN}/pg_ctl -D {home}/data -m fast stop")
        shutil.rmtree(home, ignore_errors=True)


_databases = itertools.count()


def _admin(server: str) -> str:
    return server.replace("postgresql+psycopg", "postgresql") + "/postgres"


@pytest.fixture
def postgres_db(postgres_server: str) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database (dropped afterwards)."""
    import psycopg

    name = f"aidtrace_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(_admin(postgres_server), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"{postgres_server}/{name}"
    with psycopg.connect(_admin(postgres_server), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new database goes: a SQLite file path, or a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "t.db")
    return str(request.getfixturevalue("postgres_db"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An empty store on a SQLite file, or on a fresh PostgreSQL database."""
    with Store.open(db_url) as opened:
        yield opened
