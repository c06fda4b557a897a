"""Full-text search over documents (SQLite FTS5 / PostgreSQL full text), reached as ``Store.search``.

Both backends take the same query language, the one of web search boxes: words (all must
occur, stemmed: "deliver" finds "delivered"), ``"quoted phrases"``, ``OR`` between two terms,
``-word`` to exclude. A user's query never reaches SQLite's FTS5 syntax as typed: it is
rebuilt here from its words, so quotes, brackets or FTS5 operators in it cannot make the
query fail or mean something else. PostgreSQL parses it with ``websearch_to_tsquery``, which
accepts any text.

Only current originals are searched: superseded versions and near-duplicate copies are left out
(their originals are found instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, bindparam, column, text

from ..errors import UsageError
from . import schema as t

if TYPE_CHECKING:
    from .db import Store

# The longest query accepted, and the most terms one may hold.
MAX_QUERY = 500
MAX_TERMS = 32
# Private-use characters around the matched words of a snippet (never in cleaned article text
# in practice; a stray one only misplaces a highlight).
MARK_START, MARK_END = "\ue000", "\ue001"

_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")

# Matching live documents: the same conditions on both backends.
_LIVE = "d.superseded_by IS NULL AND d.duplicate_of IS NULL"
_PG_VECTOR = "to_tsvector('english', coalesce(d.title, '') || ' ' || d.text)"
_PG_QUERY = "websearch_to_tsquery('english', :q)"


@dataclass(frozen=True)
class Hit:
    """One matching document: its reference, and a snippet with the matched words marked."""

    document_id: str
    external_id: str
    title: str | None
    published: str | None
    source: str
    agency: str | None
    snippet: str
    marks: list[tuple[int, int]]

    def to_record(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "external_id": self.external_id, "title": self.title,
                "published": self.published, "source": self.source, "agency": self.agency,
                "snippet": self.snippet, "marks": [list(m) for m in self.marks]}


def check_query(q: str) -> str:
    """The query, stripped, after checking it has a word to look for and is not too long.

    Raises:
        UsageError: the query is empty, only exclusions, or too long.
    """
    q = q.strip()
    if len(q) > MAX_QUERY:
        raise UsageError(f"the search query is {len(q):,} characters long — keep it under {MAX_QUERY}")
    if not fts5_query(q):
        raise UsageError(f"the search query {q[:60]!r} has no word to look for — give at least one word, "
                         'e.g. Patriot, "air defence" or tanks -Leopard')
    return q


def fts5_query(q: str) -> str:
    """``q`` in FTS5 syntax, built from its words only ("" when nothing is left to look for).

    Every word or phrase is quoted, so none is read as an operator; ``OR`` joins the terms on
    either side; ``-term`` becomes ``NOT term`` after the positive terms (FTS5's NOT is binary).
    """
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for match in _TERM.finditer(q[:MAX_QUERY]):
        if match.group(3) == "OR":
            join_next = bool(groups)
            continue
        negative = bool(match.group(1)) or (match.group(3) or "").startswith("-")
        words = _WORD.findall(match.group(2) if match.group(2) is not None else match.group(3))
        if not words:
            continue
        phrase = '"' + " ".join(words) + '"'
        if negative:
            excluded.append(phrase)
        elif join_next and groups:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        join_next = False
        if len(groups) + len(excluded) >= MAX_TERMS:
            break
    if not groups:
        return ""
    positive = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    return positive + "".join(f" NOT {p}" for p in excluded)


def matching_ids(store: Store, q: str) -> Any:
    """A subquery of the ids of live documents matching ``q``: for ``IN (...)`` filters."""
    q = check_query(q)
    if store.is_postgresql:
        sql = text(f"SELECT d.id FROM documents d WHERE {_PG_VECTOR} @@ {_PG_QUERY} AND {_LIVE}")
        return sql.bindparams(bindparam("q", q, type_=String)).columns(column("id", String))
    sql = text(f"SELECT s.document_id FROM document_search s WHERE {_FTS_LIVE}")
    return sql.bindparams(bindparam("q", fts5_query(q), type_=String)).columns(column("document_id", String))


def search(store: Store, q: str, limit: int = 20, offset: int = 0) -> tuple[int, list[Hit]]:
    """(how many live documents match ``q``, one page of them, best match first).

    Raises:
        UsageError: the query has no word to look for or is too long.
    """
    q = check_query(q)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    with store._read() as conn:
        if store.is_postgresql:
            return _search_postgresql(conn, q, limit, offset)
        return _search_sqlite(conn, fts5_query(q), limit, offset)


# SQLite: a match is live unless its id is among the few superseded or duplicate documents,
# which the partial indexes list (their conditions written out literally), so no document
# row is read until the page is known.
_FTS_LIVE = ("document_search MATCH :q "
             "AND s.document_id NOT IN (SELECT id FROM documents WHERE superseded_by IS NOT NULL) "
             "AND s.document_id NOT IN (SELECT id FROM documents WHERE duplicate_of IS NOT NULL)")
_DOC_COLUMNS = "d.id, d.external_id, d.title, d.published, d.source, d.agency"


def _search_sqlite(conn: Any, fts: str, limit: int, offset: int) -> tuple[int, list[Hit]]:
    total = int(conn.execute(text(f"SELECT count(*) FROM document_search s WHERE {_FTS_LIVE}"), {"q": fts})
                .scalar_one())
    if not total or not limit:
        return total, []
    page = conn.execute(text(f"SELECT s.rowid AS at, s.document_id FROM document_search s WHERE {_FTS_LIVE} "
                             "ORDER BY s.rank, s.rowid LIMIT :limit OFFSET :offset"),
                        {"q": fts, "limit": limit, "offset": offset}).all()
    if not page:
        return total, []
    rowids = ", ".join(str(int(r.at)) for r in page)  # integers from the index itself
    snippets = dict(conn.execute(text(
        f"SELECT s.rowid, snippet(document_search, 2, '{MARK_START}', '{MARK_END}', ' … ', 32) "
        f"FROM document_search s WHERE document_search MATCH :q AND s.rowid IN ({rowids})"), {"q": fts}).all())
    ids = {r.document_id: r.at for r in page}
    docs = {r.id: r for r in conn.execute(_references(list(ids)))}
    return total, [_hit(docs[r.document_id], snippets.get(r.at, "")) for r in page if r.document_id in docs]


def _references(ids: list[str]) -> Any:
    """The reference columns of some documents."""
    d = t.documents.c
    return t.documents.select().with_only_columns(d.id, d.external_id, d.title, d.published, d.source,
                                                  d.agency).where(d.id.in_(ids))


def _search_postgresql(conn: Any, q: str, limit: int, offset: int) -> tuple[int, list[Hit]]:
    where = f"{_PG_VECTOR} @@ {_PG_QUERY} AND {_LIVE}"
    total = int(conn.execute(text(f"SELECT count(*) FROM documents d WHERE {where}"), {"q": q}).scalar_one())
    if not total or not limit:
        return total, []
    options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=40, MinWords=20, MaxFragments=2, "
               "FragmentDelimiter=\" … \"")
    rows = conn.execute(text(
        f"SELECT {_DOC_COLUMNS}, ts_headline('english', d.text, {_PG_QUERY}, :options) AS snippet "
        f"FROM documents d WHERE {where} ORDER BY ts_rank_cd({_PG_VECTOR}, {_PG_QUERY}) DESC, d.id "
        "LIMIT :limit OFFSET :offset"), {"q": q, "options": options, "limit": limit, "offset": offset}).all()
    return total, [_hit(r, r.snippet) for r in rows]


def _hit(row: Any, marked: str | None) -> Hit:
    snippet, marks = unmark(marked or "")
    published = row.published.isoformat() if hasattr(row.published, "isoformat") else row.published
    return Hit(document_id=row.id, external_id=row.external_id, title=row.title, published=published,
               source=row.source, agency=row.agency, snippet=snippet, marks=marks)


def unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet without its markers, and the (start, end) offsets of what they marked."""
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    start: int | None = None
    size = 0
    for ch in marked:
        if ch == MARK_START:
            start = size
        elif ch == MARK_END:
            if start is not None and size > start:
                marks.append((start, size))
            start = None
        else:
            out.append(ch)
            size += 1
    return "".join(out), marks
