"""Opening a database: engines, transactions, and atomic, serialised migrations.

Set-up is one transaction under a lock, so a kill at any point leaves either the database
as it was or a complete schema, and two first runs at once both succeed (the second waits,
then finds the schema at its newest revision):

- SQLite: the driver's implicit transactions are turned off and aidtrace emits ``BEGIN``
  itself (SQLite's DDL is transactional once it is inside a real transaction); set-up and
  every write use ``BEGIN IMMEDIATE``, which takes the database's write lock at once.
- PostgreSQL: DDL is transactional; set-up takes a transaction-level advisory lock.

A database that holds other tables and no aidtrace revision belongs to another application
and is refused unless the caller forces it (``--force-db``); read-only opening never writes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError, UsageError
from . import schema as t

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# SQLite header field identifying the file as aidtrace's ("AIDT"); 0 in files made before it.
APPLICATION_ID = 0x41494454
# PostgreSQL advisory lock keys (any fixed 64-bit numbers unlikely to clash with other apps).
PG_SETUP_LOCK = 0x41494454_0001
PG_DOCUMENT_LOCK = 0x41494454_0002
# Execution option naming the SQLite BEGIN mode of a connection's transactions.
BEGIN_MODE = "aidtrace_sqlite_begin"


def short_error(err: SQLAlchemyError) -> str:
    """The first line of the driver's message (no SQL, no parameters)."""
    orig = getattr(err, "orig", None)
    return str(orig if orig is not None else err).splitlines()[0]


# ---------------------------------------------------------------------- URLs and engines


def database_url(url_or_path: str, create: bool = True) -> str:
    """An SQLAlchemy URL for a path or URL; a plain path becomes an absolute ``sqlite:///`` URL.

    Raises:
        UsageError: the path's directory is missing, or (``create=False``) the file is.
    """
    if "://" in url_or_path:
        return url_or_path
    path = Path(url_or_path).expanduser().resolve()
    if not path.parent.is_dir():
        raise UsageError(f"{url_or_path}: directory {path.parent} does not exist — "
                         "create it first or choose another database path (--db / AIDTRACE_DB)")
    if not create and not path.exists():
        raise UsageError(f"{url_or_path}: no aidtrace database there — ingest something first "
                         f"(aidtrace ingest PATH --db {url_or_path}) or point --db / AIDTRACE_DB at one")
    if path.exists() and not path.is_file():
        raise UsageError(f"{url_or_path}: not a regular file — point --db / AIDTRACE_DB at a database file")
    return f"sqlite:///{path}"


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class JsonText(str):
    """A value already serialised by ``dump_json``: stored as it is (a value repeated in many rows,
    such as a mention's sectors, is serialised once)."""

    __slots__ = ()


def dump_json(value: Any) -> str:
    """The one JSON serialiser of both backends: standard JSON, NaN and infinities as null."""
    if type(value) is JsonText:
        return str.__str__(value)
    try:  # almost every value has no such number: serialised as it is, without a copy
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, allow_nan=False)


def make_engine(url: str, readonly: bool = False, immutable: bool = False) -> Engine:
    """An engine for ``url`` with aidtrace's connection settings; read-only engines never write.

    Raises:
        StoreError: the URL names no usable driver.
    """
    kwargs: dict[str, Any] = {"json_serializer": dump_json}
    is_sqlite = url.startswith("sqlite")
    if is_sqlite and readonly and url.startswith("sqlite:///") and url != "sqlite://":
        url = f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro{'&immutable=1' if immutable else ''}&uri=true"
    if url.startswith("postgresql") and readonly:
        kwargs["connect_args"] = {"options": "-c default_transaction_read_only=on"}
    try:
        engine = create_engine(url, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as err:
        raise StoreError(f"{url}: cannot use this database URL ({err}) — "
                         "pass a file path or a URL like postgresql+psycopg://user@host/db") from err
    if engine.dialect.name == "sqlite":
        _sqlite_transactions(engine, readonly)
    return engine


def _sqlite_transactions(engine: Engine, readonly: bool) -> None:
    """Explicit BEGINs (so DDL is transactional) and the pragmas aidtrace relies on."""

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not BEGIN or COMMIT on its own
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=60000")  # first: the pragmas below may wait for a lock
        if not readonly:
            # WAL lets readers work while an ingest writes; NORMAL sync is safe with WAL
            # (a crash loses no committed transaction; a power cut at most the last ones).
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    def on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_MODE, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the write lock from its first statement (SQLite) or a plain one."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
        with conn.begin():
            yield conn


# ---------------------------------------------------------------------- revisions


def _alembic_config(conn: Connection | None = None) -> Any:
    from alembic.config import Config  # Alembic is imported only when a database is opened

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def known_revisions() -> tuple[list[str], str]:
    """All revisions of aidtrace's migration chain and the newest (head)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    if head is None:
        raise StoreError("aidtrace ships no migrations — reinstall aidtrace")
    return [rev.revision for rev in script.walk_revisions()], head


def current_revision(conn: Connection) -> str | None:
    """The revision recorded in ``alembic_version``, or None when the table is missing or empty."""
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _application_id(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA application_id").scalar() or 0)


# ---------------------------------------------------------------------- set-up


def migrate(engine: Engine, display: str, force: bool = False) -> None:
    """Bring the schema to the newest revision in one locked transaction.

    Args:
        engine: a writable engine.
        display: the database as shown in messages (no password).
        force: add aidtrace's tables to a database that holds another application's tables.
    Raises:
        StoreError: the database belongs to another application, comes from a newer aidtrace,
            or cannot be written.
    """
    from alembic import command

    try:
        with write_transaction(engine) as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_SETUP_LOCK})
            _check_owner(conn, display, force)
            command.upgrade(_alembic_config(conn), "head")
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    except SQLAlchemyError as err:
        raise StoreError(f"{display}: cannot open or set up the database ({short_error(err)}) — "
                         "check the path or URL and that you may write there") from err


def _check_owner(conn: Connection, display: str, force: bool) -> None:
    """Refuse another application's database; clear what an interrupted old set-up left behind."""
    revisions, _ = known_revisions()
    revision = current_revision(conn)
    if revision is not None:
        if revision not in revisions:
            raise StoreError(f"{display}: the database schema is at revision {revision!r}, which this "
                             "aidtrace does not know — it was made by a newer aidtrace or another "
                             "application; upgrade aidtrace or choose another --db")
        return
    tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
    app_id = _application_id(conn) if conn.dialect.name == "sqlite" else 0
    ours = set(t.TABLES)
    if tables and tables <= ours and app_id in (0, APPLICATION_ID) and _all_empty(conn, tables):
        _drop_leftovers(conn, tables)  # an aidtrace < 0.2 set-up killed half-way
        return
    if (tables or app_id not in (0, APPLICATION_ID)) and not force:
        names = ", ".join(sorted(tables)[:5]) or f"application id {app_id:#x}"
        raise StoreError(f"{display}: this is not an aidtrace database (it holds {names}) — "
                         "choose another --db, or pass --force-db to add aidtrace's tables to it")


def _all_empty(conn: Connection, tables: set[str]) -> bool:
    quote = conn.dialect.identifier_preparer.quote
    return all(conn.execute(text(f"SELECT 1 FROM {quote(name)} LIMIT 1")).first() is None for name in tables)


def _drop_leftovers(conn: Connection, tables: set[str]) -> None:
    quote = conn.dialect.identifier_preparer.quote
    for name in reversed(t.TABLES):  # children before parents
        if name in tables:
            conn.execute(text(f"DROP TABLE {quote(name)}"))


def check_readable(conn: Connection, display: str) -> str | None:
    """The database's revision after checking it is aidtrace's (read-only opening).

    Raises:
        StoreError: the database is not aidtrace's, or is newer than this aidtrace.
    """
    revisions, _ = known_revisions()
    revision = current_revision(conn)
    if revision is None:
        tables = set(inspect(conn).get_table_names())
        if tables:
            raise StoreError(f"{display}: this is not an aidtrace database (it holds "
                             f"{', '.join(sorted(tables)[:5])}) — point --db / AIDTRACE_DB at an aidtrace database")
        raise StoreError(f"{display}: the database is empty — ingest something first (aidtrace ingest PATH)")
    if revision not in revisions:
        raise StoreError(f"{display}: the database schema is at revision {revision!r}, which this aidtrace "
                         "does not know — upgrade aidtrace")
    return revision
