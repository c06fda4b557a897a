"""Alembic environment for aidtrace.

``Store.open`` runs migrations programmatically and hands over its open connection in
``config.attributes["connection"]``; with no connection (a developer running ``alembic``
by hand with ``-x url=...`` or ``sqlalchemy.url``) an engine is made from the URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from aidtrace.store.schema import metadata

config = context.config
target_metadata = metadata


def _configure(connection: Connection) -> None:
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade head --sql``)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the connection ``Store.open`` passed in, or a fresh engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = create_engine(_url())
    with engine.begin() as conn:
        _configure(conn)
    engine.dispose()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("pass the database with -x url=sqlite:///path/to/aidtrace.db")
    return url


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
