"""The REST API under /api: a thin layer over the library (no SQL and no coding logic here).

Every list endpoint takes the same filters as the CLI and pages with an opaque cursor; every
error is one JSON shape, ``{"error": {"status": 404, "message": "..."}}``, whose message says
what to fix. Read endpoints are open unless ``AIDTRACE_API_READ_TOKEN`` is set to 1; write
endpoints need the bearer token ``AIDTRACE_API_TOKEN`` (403 when none is configured).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from .. import pipeline
from ..errors import NotFoundError
from ..settings import Settings
from ..store import Store

# Rows per page unless ?limit= says otherwise, and the most one page may hold.
PAGE = 100
MAX_PAGE = 1000
# The largest request body accepted (an article with its metadata).
MAX_BODY = 2_000_000


class ApiError(Exception):
    """An HTTP error with a message for the caller (rendered by the app as the JSON error shape)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@contextmanager
def reading(settings: Settings) -> Iterator[Store]:
    """The database, read-only, as the CLI's read commands open it."""
    with Store.open(settings.db, create=False, readonly=True) as store:
        yield store


def _token_matches(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode())


def require_write(request: Request) -> None:
    """Write endpoints: the bearer token of AIDTRACE_API_TOKEN, which must be configured."""
    token = os.environ.get("AIDTRACE_API_TOKEN", "")
    if not token:
        raise ApiError(403, "writing over HTTP is disabled — set AIDTRACE_API_TOKEN to a secret before "
                            "`aidtrace serve` and send it as 'Authorization: Bearer <token>'")
    if not _token_matches(request, token):
        raise ApiError(401, "missing or wrong bearer token — send 'Authorization: Bearer <token>' with the "
                            "value of AIDTRACE_API_TOKEN", {"WWW-Authenticate": "Bearer"})


def require_read(request: Request) -> None:
    """Read endpoints: open, unless AIDTRACE_API_READ_TOKEN=1 puts them behind the same token."""
    if os.environ.get("AIDTRACE_API_READ_TOKEN", "").strip().lower() in ("1", "true", "yes", "on"):
        require_write(request)


def _cursor(value: str | None) -> int:
    if not value:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(value.encode() + b"==").decode())["o"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as err:
        raise ApiError(400, "cursor is not one this API gave — pass the 'next' value of the previous page") from err
    if not isinstance(offset, int) or offset < 0:
        raise ApiError(400, "cursor is not one this API gave — pass the 'next' value of the previous page")
    return offset


def _next(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def page(items: list[dict[str, Any]], cursor: str | None, limit: int) -> dict[str, Any]:
    """One page of ``items`` (all of a short list) from the cursor on, with the next page's cursor."""
    start = _cursor(cursor)
    return paged(items[start:start + limit], len(items), start, limit)


def paged(items: list[dict[str, Any]], total: int, start: int, limit: int) -> dict[str, Any]:
    """A page the database cut: its items, the total count, and the next page's cursor (or null)."""
    return {"items": items, "total": total, "next": _next(start + limit) if start + limit < total else None}


def as_json(body: dict[str, Any]) -> Response:
    """``body`` as a JSON response, serialised once by the store's serialiser (records are plain
    JSON already: FastAPI's field-by-field encoding of a page of records costs more than the query)."""
    from ..store.setup import dump_json

    return Response(dump_json(body).encode("utf-8"), media_type="application/json")


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="rows per page")]
Cursor = Annotated[str | None, Query(description="the 'next' value of the previous page")]
Statuses = Annotated[list[str] | None, Query(description="current status (repeat for several)")]
Category = Annotated[str | None, Query(description="item category, e.g. 'air defence', 'mixed', 'unspecified'")]
Text = Annotated[str | None, Query(description="full-text query its articles match, e.g. Patriot or "
                                               "\"air defence\" -Germany")]
Sort = Annotated[str | None, Query(description="date, type, donor, recipient, status, value, reports or "
                                               "category; '-' first for descending")]

router = APIRouter(prefix="/api", dependencies=[Depends(require_read)])


@router.get("/health", summary="The service answers")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ledger", summary="Ledger events (one per real-world pledge, delivery, halt or deal)")
def ledger_list(request: Request, type: str | None = None, actor: str | None = None, recipient: str | None = None,
                status: Statuses = None, category: Category = None, since: str | None = None,
                until: str | None = None, q: Text = None, family: str | None = None, sort: Sort = None,
                limit: Limit = PAGE, cursor: Cursor = None) -> Response:
    from .. import ledger

    filters = ledger.LedgerFilter(type=type, actor=actor, recipient=recipient, status=tuple(status or ()),
                                  since=since, until=until, family=family, category=category, q=q)
    start = _cursor(cursor)
    with reading(settings_of(request)) as store:
        items, total = ledger.page(store, filters, limit=limit, offset=start, order=sort)
    return as_json(paged(items, total, start, limit))


@router.get("/ledger/{ledger_id}", summary="One ledger event with every report, its sentence and why it was merged")
def ledger_one(request: Request, ledger_id: str) -> Response:
    from .. import ledger

    with reading(settings_of(request)) as store:
        return as_json(ledger.explain(store, ledger_id).to_record())


@router.get("/events", summary="Per-report events (CONTRACT.md records)")
def events(request: Request, type: str | None = None, actor: str | None = None, recipient: str | None = None,
           status: str | None = None, category: Category = None, since: str | None = None,
           until: str | None = None, q: Text = None, limit: Limit = PAGE, cursor: Cursor = None) -> Response:
    start = _cursor(cursor)
    filters: dict[str, Any] = {"type": type, "actor": actor, "recipient": recipient, "status": status,
                               "category": category, "since": since, "until": until, "q": q}
    with reading(settings_of(request)) as store:
        total = store.count_events(**filters)
        items = store.events(**filters, limit=limit, offset=start) if start < total else []
    return as_json(paged(items, total, start, limit))


@router.get("/documents", summary="Stored documents (metadata and cleaned text)")
def documents(request: Request, limit: Limit = PAGE, cursor: Cursor = None) -> Response:
    start = _cursor(cursor)
    with reading(settings_of(request)) as store:
        total = store.count_documents()
        items = [pipeline.document_record(d) for d in store.documents(limit=limit, offset=start)]
    return as_json(paged(items, total, start, limit))


@router.get("/search", summary="Full-text search of the articles (words, \"phrases\", OR, -word), best first")
def search(request: Request, q: Annotated[str, Query(description="e.g. Patriot, \"air defence\" OR IRIS-T")],
           limit: Limit = 20, cursor: Cursor = None) -> Response:
    start = _cursor(cursor)
    with reading(settings_of(request)) as store:
        total, hits = store.search(q, limit=limit, offset=start)
    return as_json({**paged([h.to_record() for h in hits], total, start, limit), "q": q})


@router.get("/documents/{doc_id}", summary="One document with its events and claims")
def document(request: Request, doc_id: str) -> Response:
    with reading(settings_of(request)) as store:
        doc = store.document(doc_id)
        if doc is None:
            raise NotFoundError(f"no document {doc_id!r} — list ids with GET /api/documents")
        record = pipeline.document_record(doc)
        record["events"] = store.events(include_superseded=True, document_id=doc_id)
        record["claims"] = store.claims(include_superseded=True, document_id=doc_id)
    return as_json(record)


@router.get("/claims", summary="Statistics quoted in the news (never counted in totals)")
def claims(request: Request, limit: Limit = PAGE, cursor: Cursor = None) -> Response:
    with reading(settings_of(request)) as store:
        found = store.claims()
    return as_json(page(found, cursor, limit))


@router.get("/totals", summary="Sums of ledger events, grouped (the figures of `aidtrace totals`)")
def totals(request: Request, by: str = "donor", currency: str = "EUR", actor: str | None = None,
           recipient: str | None = None, status: Statuses = None, category: Category = None,
           since: str | None = None, until: str | None = None, q: Text = None,
           type: Annotated[list[str] | None, Query()] = None, all_events: bool = False) -> Response:
    from .. import ledger

    filters = ledger.LedgerFilter(actor=actor, recipient=recipient, status=tuple(status or ()), since=since,
                                  until=until, category=category, q=q)
    with reading(settings_of(request)) as store:
        result = ledger.totals(store, by=by, filters=filters, currency=currency, types=type,
                               family=None if all_events else "aid")
    return as_json({"by": result.by, "currency": result.currency, "filters": result.filters,
                    "overlapping": result.overlapping, "items": result.to_records()})


@router.get("/actors", summary="Countries and organisations in the ledger, as actor and as recipient")
def actors(request: Request) -> Response:
    return as_json(actor_counts(request))


def actor_counts(request: Request) -> dict[str, Any]:
    """Each code of the ledger's parties with how often it is actor and recipient, most first."""
    counts: dict[str, dict[str, int]] = {}
    with reading(settings_of(request)) as store:
        for role, codes in store.ledger.party_codes():
            for code in codes:
                counts.setdefault(code, {"as_actor": 0, "as_recipient": 0})[f"as_{role}"] += 1
    items = [{"code": code, **n} for code, n in sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))]
    return {"items": items, "total": len(items)}


@router.post("/documents", status_code=201, dependencies=[Depends(require_write)],
             summary="Ingest one article: a JSON record in the ingest format, or a file upload (multipart field "
                     "'file': .html, .txt, .json, .jsonl, .csv, ...); needs the bearer token")
async def post_document(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(413, f"the body is larger than {MAX_BODY:,} bytes — send one article per request")
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        name, data = await _upload(request)
    else:
        name, data = "posted.jsonl", _json_record(body)
    settings = settings_of(request)
    with tempfile.TemporaryDirectory(prefix="aidtrace-post-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        summary = pipeline.ingest([str(path)], Settings.load(db=settings.db, jobs=1))
    if summary.rejected or not summary.counts().get("read"):
        message = summary.rejections[0].message() if summary.rejections else "the upload holds no article"
        raise ApiError(422, message.replace(str(path), "body" if name == "posted.jsonl" else "file"))
    return {"counts": summary.counts(), "documents": summary.document_ids}


def _json_record(body: bytes) -> bytes:
    """The body as one JSONL line, after checking it is one JSON object."""
    try:
        record = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ApiError(400, f"the body is not a JSON object ({err}) — send e.g. "
                            '{"id": "a1", "text": "...", "published": "2025-07-02"}, or upload a file as '
                            "multipart field 'file'") from err
    if not isinstance(record, dict):
        raise ApiError(400, 'the body must be one JSON object, e.g. {"id": "a1", "text": "..."}')
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


async def _upload(request: Request) -> tuple[str, bytes]:
    """(a safe file name with the upload's extension, its bytes) of the multipart field 'file'.

    The name is never the client's: only its extension is kept, and only one the readers know.
    """
    from starlette.datastructures import UploadFile

    from ..ingest.readers import EXTENSIONS

    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(400, "the form has no file — send the article as multipart field 'file', e.g. "
                            "curl -F file=@article.html")
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise ApiError(415, f"cannot read a {suffix or 'nameless'} file — upload one of "
                            f"{', '.join(sorted(EXTENSIONS))}")
    data = await upload.read(MAX_BODY + 1)
    await form.close()
    return f"upload{suffix}", data
