"""The database: schema, Alembic migrations and the ``Store`` class (all SQL lives here)."""

from .db import DUPLICATE, NEAR_DUPLICATE, NEW, NEW_VERSION, Store

__all__ = ["DUPLICATE", "NEAR_DUPLICATE", "NEW", "NEW_VERSION", "Store"]
