"""SQL of the ledger tables, reached as ``Store.ledger`` (all SQL stays in ``store/``).

The ledger library (``aidtrace.ledger``) decides what the ledger holds; this class only
reads its inputs (current per-report events), finds what a change touches (queued
documents, neighbouring blocking keys), swaps whole components in one transaction, and
answers the queries of the faces.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, insert, select

from . import schema as t

if TYPE_CHECKING:
    from .db import Store

CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits

_le = t.ledger_events.c
# The sort keys of ledger lists (the dashboard's table columns): a column each.
ORDERS = {"date": _le.date_start, "type": _le.type, "donor": _le.actor_codes, "recipient": _le.recipient_codes,
          "status": _le.status, "value": func.coalesce(_le.value_eur, -1.0), "reports": _le.reports,
          "category": _le.category}


def _chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def enqueue(conn: Connection, document_ids: Sequence[str]) -> None:
    """Note documents whose events changed; the next ledger update re-merges what they touch."""
    if document_ids:
        conn.execute(insert(t.ledger_queue), [{"document_id": d} for d in document_ids])


class LedgerTables:
    """Reads and writes of the ledger tables through one ``Store``."""

    def __init__(self, store: Store):
        self.store = store

    # ------------------------------------------------------------------ inputs of a merge

    def _eligible(self) -> Any:
        """Current, non-negated events of live original documents, as CONTRACT.md records."""
        e, d = t.events.c, t.documents.c
        return (select(e.record).join(t.documents, d.id == e.document_id)
                .where(e.superseded.is_(False), e.negated.is_(False), d.superseded_by.is_(None),
                       d.duplicate_of.is_(None)))

    def all_records(self) -> list[dict[str, Any]]:
        """Every event a full rebuild merges."""
        with self.store._read() as conn:
            return [r.record for r in conn.execute(self._eligible())]

    def records_of_documents(self, document_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The eligible events of some documents."""
        found: list[dict[str, Any]] = []
        with self.store._read() as conn:
            for chunk in _chunks(document_ids):
                query = self._eligible().where(t.events.c.document_id.in_(chunk))
                found.extend(r.record for r in conn.execute(query))
        return found

    def records_of_components(self, components: Iterable[str]) -> list[dict[str, Any]]:
        """The eligible events that are members of some components."""
        found: list[dict[str, Any]] = []
        m = t.ledger_members.c
        with self.store._read() as conn:
            for chunk in _chunks(components):
                query = self._eligible().join(t.ledger_members, m.event_id == t.events.c.id).where(
                    m.component.in_(chunk))
                found.extend(r.record for r in conn.execute(query))
        return found

    def queue(self) -> tuple[int, list[str]]:
        """(newest queue entry, distinct queued document ids)."""
        q = t.ledger_queue.c
        with self.store._read() as conn:
            rows = conn.execute(select(q.id, q.document_id).order_by(q.id)).all()
        if not rows:
            return 0, []
        return int(rows[-1].id), list(dict.fromkeys(r.document_id for r in rows))

    def components_of_documents(self, document_ids: Iterable[str]) -> set[str]:
        """Components that hold an (earlier) event of some documents."""
        m = t.ledger_members.c
        found: set[str] = set()
        with self.store._read() as conn:
            for chunk in _chunks(document_ids):
                found.update(conn.execute(select(m.component).where(m.document_id.in_(chunk)).distinct()).scalars())
        return found

    def neighbour_components(self, keys: Iterable[tuple[str, int, int]]) -> set[str]:
        """Components with a member sharing one of ``keys`` (key, lo, hi) within the key's window."""
        wanted: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for key, lo, hi in keys:
            wanted[key].append((lo, hi))
        k = t.ledger_keys.c
        found: set[str] = set()
        with self.store._read() as conn:
            for chunk in _chunks(sorted(wanted)):
                spans = [span for key in chunk for span in wanted[key]]
                low, high = min(lo for lo, _ in spans), max(hi for _, hi in spans)
                reach = conn.execute(select(func.max(k.reach)).where(k.key.in_(chunk))).scalar()
                if reach is None:
                    continue
                rows = conn.execute(select(k.key, k.lo, k.hi, k.reach, k.component).where(
                    k.key.in_(chunk), k.lo <= high + reach, k.hi >= low - reach)).all()
                found.update(row.component for row in rows
                             if row.component not in found and any(
                                 row.lo - hi <= row.reach and lo - row.hi <= row.reach
                                 for lo, hi in wanted[row.key]))
        return found

    # ------------------------------------------------------------------ writes

    def replace(self, components: set[str] | None, events: list[dict[str, Any]], members: list[dict[str, Any]],
                keys: list[dict[str, Any]], queue_upto: int) -> None:
        """Swap the ledger rows of ``components`` (None: all of them) for new ones, in one transaction,
        and clear the queue up to ``queue_upto``."""
        tables = (t.ledger_keys, t.ledger_members, t.ledger_events)
        with self.store._tx() as conn:
            if components is None:
                for table in tables:
                    conn.execute(delete(table))
            else:
                for chunk in _chunks(sorted(components)):
                    for table in tables:
                        conn.execute(delete(table).where(table.c.component.in_(chunk)))
            for table, rows in ((t.ledger_events, events), (t.ledger_members, members), (t.ledger_keys, keys)):
                for chunk in _chunks(rows, 2000):
                    conn.execute(insert(table), chunk)
            conn.execute(delete(t.ledger_queue).where(t.ledger_queue.c.id <= queue_upto))

    # ------------------------------------------------------------------ queries

    def _filtered(self, columns: Sequence[Any], type: str | None, actor: str | None, recipient: str | None,
                  statuses: Sequence[str], since: str | None, until: str | None, family: str | None,
                  category: str | None = None, q: str | None = None) -> Any:
        from .db import _category, _code, _iso_date, _plover_type, _status
        from .search import matching_ids

        le = t.ledger_events.c
        query = select(*columns)
        if family:
            query = query.where(le.family == family)
        if type:
            query = query.where(le.types.like(f"% {_plover_type(type)} %"))
        if actor:
            query = query.where(le.actor_codes.like(f"% {_code(actor, 'actor')} %"))
        if recipient:
            query = query.where(le.recipient_codes.like(f"% {_code(recipient, 'recipient')} %"))
        if statuses:
            query = query.where(le.status.in_([_status(s) for s in statuses]))
        if since:
            query = query.where(func.coalesce(le.date_end, le.date_start) >= _iso_date(since, "since"))
        if until:
            query = query.where(le.date_start <= _iso_date(until, "until"))
        if category:
            query = query.where(le.category == _category(category))
        if q:  # reported by a document matching the full-text query (checked for the rows the other
            m = t.ledger_members.c  # filters leave, through the members' ledger_id index)
            query = query.where(select(m.ledger_id).where(
                m.ledger_id == le.id, m.document_id.in_(matching_ids(self.store, q))).exists())
        return query

    def records(self, type: str | None = None, actor: str | None = None, recipient: str | None = None,
                statuses: Sequence[str] = (), since: str | None = None, until: str | None = None,
                family: str | None = None, category: str | None = None, q: str | None = None,
                limit: int | None = None, offset: int = 0, newest_first: bool = False,
                order: str | None = None) -> list[dict[str, Any]]:
        """Ledger records matching all filters, in ``order`` (one of ``ORDERS``, "-" first for
        descending; default: by date, undated last, then id), ``offset`` rows skipped.

        The database sorts and pages: only the records of the page are read.
        """
        le = t.ledger_events.c
        keys = self._order(order, newest_first)
        args = (type, actor, recipient, statuses, since, until, family, category, q)
        with self.store._read() as conn:
            if limit is None and not offset:
                return [r.record for r in conn.execute(self._filtered([le.record], *args).order_by(*keys))]
            ids = list(conn.execute(self._filtered([le.id], *args).order_by(*keys).limit(limit)
                                    .offset(offset or None)).scalars())
            return self._records_by_id(conn, ids)

    @staticmethod
    def _records_by_id(conn: Connection, ids: list[str]) -> list[dict[str, Any]]:
        """The records of some ledger events, in the order of ``ids``."""
        le = t.ledger_events.c
        found: dict[str, Any] = {}
        for chunk in _chunks(ids):
            found.update((r.id, r.record) for r in conn.execute(select(le.id, le.record).where(le.id.in_(chunk))))
        return [found[i] for i in ids]

    def page(self, limit: int, offset: int = 0, order: str | None = None, type: str | None = None,
             actor: str | None = None, recipient: str | None = None, statuses: Sequence[str] = (),
             since: str | None = None, until: str | None = None, family: str | None = None,
             category: str | None = None, q: str | None = None) -> tuple[list[dict[str, Any]], int]:
        """(one page of the records ``records`` returns, how many match in all), from one pass
        over the filters: the count rides along each row of the page as a window function."""
        le = t.ledger_events.c
        args = (type, actor, recipient, statuses, since, until, family, category, q)
        if not any(args):  # everything: counting the primary key's index alone is cheaper
            return self.records(limit=limit, offset=offset, order=order), self.count()
        query = (self._filtered([le.id, func.count().over().label("total")], *args)
                 .order_by(*self._order(order)).limit(limit).offset(offset or None))
        with self.store._read() as conn:
            rows = conn.execute(query).all()
            if not rows:  # past the end (or nothing matches): the count alone
                return [], int(conn.execute(self._filtered([func.count(le.id)], *args)).scalar_one())
            return self._records_by_id(conn, [r.id for r in rows]), int(rows[0].total)

    def count(self, type: str | None = None, actor: str | None = None, recipient: str | None = None,
              statuses: Sequence[str] = (), since: str | None = None, until: str | None = None,
              family: str | None = None, category: str | None = None, q: str | None = None) -> int:
        """How many ledger events ``records`` would return with the same filters and no limit."""
        le = t.ledger_events.c
        query = self._filtered([func.count(le.id)], type, actor, recipient, statuses, since, until, family,
                               category, q)
        with self.store._read() as conn:
            return int(conn.execute(query).scalar_one())

    @staticmethod
    def _order(order: str | None, newest_first: bool = False) -> list[Any]:
        """ORDER BY terms of an ``ORDERS`` key ("-key": descending); ties by date, then id."""
        from ..errors import UsageError

        le = t.ledger_events.c
        key = (order or "date").lstrip("-")
        newest_first = newest_first or order == "-date"
        by_date = [le.date_start.is_(None), le.date_start.desc() if newest_first else le.date_start]
        if key == "date":
            return [*by_date, le.id]
        if key not in ORDERS:
            raise UsageError(f"cannot sort by {key[:40]!r} — sort by one of {', '.join(ORDERS)}")
        term = ORDERS[key].desc() if (order or "").startswith("-") else ORDERS[key].asc()
        return [term, *by_date, le.id]

    def facts(self, type: str | None = None, actor: str | None = None, recipient: str | None = None,
              statuses: Sequence[str] = (), since: str | None = None, until: str | None = None,
              family: str | None = None, types: Sequence[str] = (), category: str | None = None,
              q: str | None = None) -> list[dict[str, Any]]:
        """The columns totals need (no JSON), one dict per ledger event matching the filters."""
        le = t.ledger_events.c
        columns = [le.id, le.family, le.type, le.status, le.date_start, le.date_end, le.date_precision,
                   le.actor_codes, le.recipient_codes, le.category, le.value_eur, le.value_usd, le.stated,
                   le.reports]
        query = self._filtered(columns, type, actor, recipient, statuses, since, until, family, category, q)
        if types:
            query = query.where(le.type.in_(list(types)))
        with self.store._read() as conn:
            result = conn.execute(query.order_by(le.date_start, le.id))  # the order of the covering index
            keys = list(result.keys())
            return [dict(zip(keys, row, strict=True)) for row in result]

    def categories(self) -> list[str]:
        """The item categories ledger events are grouped under, alphabetically."""
        le = t.ledger_events.c
        with self.store._read() as conn:
            return sorted(conn.execute(select(le.category).distinct()).scalars())

    def party_codes(self) -> Iterator[tuple[str, list[str]]]:
        """("actor" or "recipient", the codes) of every ledger event's parties."""
        le = t.ledger_events.c
        with self.store._read() as conn:
            for row in conn.execute(select(le.actor_codes, le.recipient_codes)):
                yield "actor", row.actor_codes.split()
                yield "recipient", row.recipient_codes.split()

    def record(self, ledger_id: str) -> dict[str, Any] | None:
        """One ledger record by id."""
        le = t.ledger_events.c
        with self.store._read() as conn:
            row = conn.execute(select(le.record).where(le.id == ledger_id)).first()
        return row.record if row else None

    def ledger_id_of_event(self, event_id: str) -> str | None:
        """The ledger event a per-report event belongs to."""
        m = t.ledger_members.c
        with self.store._read() as conn:
            return conn.execute(select(m.ledger_id).where(m.event_id == event_id)).scalar()

    def members(self, ledger_id: str) -> list[dict[str, Any]]:
        """Members of a ledger event: event id, document, stage, how and why it merged."""
        m = t.ledger_members.c
        with self.store._read() as conn:
            rows = conn.execute(select(m.event_id, m.document_id, m.stage, m.how, m.matched)
                                .where(m.ledger_id == ledger_id)).all()
        return [dict(r._mapping) for r in rows]

    def near_duplicates(self, document_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Near-duplicate copies of some documents (not counted as reports): their refs, by original."""
        d = t.documents.c
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        with self.store._read() as conn:
            for chunk in _chunks(document_ids):
                rows = conn.execute(select(d.duplicate_of, d.external_id, d.url, d.source, d.published, d.agency,
                                           d.outlet).where(d.duplicate_of.in_(chunk), d.superseded_by.is_(None))
                                    .order_by(d.published, d.external_id)).all()
                for r in rows:
                    found[r.duplicate_of].append({
                        "external_id": r.external_id, "url": r.url, "source": r.source,
                        "published": r.published.isoformat() if r.published else None,
                        "agency": r.agency, "outlet": r.outlet})
        return dict(found)

    def report_counts(self, event_ids: list[str] | None = None) -> dict[str, tuple[str, int]]:
        """Per-report event id -> (ledger id, the ledger event's report count), of every event or
        only of ``event_ids``."""
        m, le = t.ledger_members.c, t.ledger_events.c
        query = select(m.event_id, le.id, le.reports).join(t.ledger_events, le.id == m.ledger_id)
        with self.store._read() as conn:
            if event_ids is None:
                rows = conn.execute(query).all()
            else:  # in chunks: a database limits the parameters of one statement
                rows = [r for i in range(0, len(event_ids), 500)
                        for r in conn.execute(query.where(m.event_id.in_(event_ids[i:i + 500]))).all()]
        return {r.event_id: (r.id, int(r.reports)) for r in rows}

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every ledger row (queue excluded) in a stable order: for comparing two ledgers."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        with self.store._read() as conn:
            for table in (t.ledger_events, t.ledger_members, t.ledger_keys):
                cols = [c for c in table.c if c.name != "id" or table is not t.ledger_keys]
                out[table.name] = sorted((tuple(r) for r in conn.execute(select(*cols))), key=repr)
        return out
