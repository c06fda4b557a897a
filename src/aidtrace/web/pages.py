"""Server-rendered pages: the overview (the ledger report in web form), the ledger table, a
ledger event with its evidence highlighted in each article, and documents with their coded spans.

Pages call the same library functions as the API and the CLI. Article text only reaches a page
through Jinja2's autoescaping; the only scripts are Plotly and the chart script, served from
this host (``/static``), never inline.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from .. import exports, pipeline
from ..errors import NotFoundError, UsageError
from ..model import STATUSES
from ..store.ledger import ORDERS
from ..terminal import plain
from .api import reading, require_read, settings_of

PAGE_ROWS = 50
SEARCH_ROWS = 20
ACTOR_ROWS = 100  # the newest ledger events an actor page lists in each role (the ledger page has all)
# The files /static serves: a fixed list read from the package, never a path from the request.
STATIC = {"charts.js": "application/javascript", "site.css": "text/css"}
COLUMNS = (("date", "date"), ("type", "event"), ("donor", "donor"), ("recipient", "recipient"),
           ("status", "status"), ("value", "value EUR"), ("reports", "reports"), ("items", "items"))
# The columns the table sorts by: those the database sorts the ledger by.
SORTABLE = tuple(key for key, _ in COLUMNS if key in ORDERS)

router = APIRouter(dependencies=[Depends(require_read)], include_in_schema=False)
_env = Environment(loader=PackageLoader("aidtrace.web", "templates"), autoescape=select_autoescape(default=True))


def render(template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(template).render(**context))


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/static/plotly.min.js")
def plotly() -> Response:
    from ..ledger.report import plotly_js

    return Response(plotly_js(), media_type="application/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        raise NotFoundError(f"no static file {name[:80]!r}")
    text = resources.files("aidtrace.web").joinpath("static", name).read_text(encoding="utf-8")
    return Response(text, media_type=STATIC[name], headers={"Cache-Control": "public, max-age=3600"})


# The overview sums the whole ledger; it is kept until the database file changes (SQLite).
_OVERVIEWS: dict[str, tuple[tuple[int, ...], str]] = {}


def _file_state(db: str) -> tuple[int, ...] | None:
    """Modification times and sizes of a SQLite database and its write-ahead log (every commit
    changes one of them), or None for a server database."""
    if "://" in db and not db.startswith("sqlite:///"):
        return None
    path = Path(db.removeprefix("sqlite:///")).expanduser()
    state: list[int] = []
    for part in (path, path.with_name(path.name + "-wal")):
        try:
            stat = part.stat()
        except OSError:
            state += [0, 0]
        else:
            state += [stat.st_mtime_ns, stat.st_size]
    return tuple(state)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    from ..ledger.report import ReportOptions, report_html

    db = settings_of(request).db
    before = _file_state(db)
    cached = _OVERVIEWS.get(db)
    if before is not None and cached is not None and cached[0] == before:
        return HTMLResponse(cached[1])
    with reading(settings_of(request)) as store:
        page = report_html(store, options=ReportOptions(web=True, latest=20))
    if before is not None and _file_state(db) == before:  # nothing was written meanwhile
        _OVERVIEWS[db] = (before, page)
    return HTMLResponse(page)


def _filters(type: str | None, actor: str | None, recipient: str | None, status: str | None, since: str | None,
             until: str | None, family: str | None, category: str | None = None, q: str | None = None) -> Any:
    from ..ledger import LedgerFilter

    return LedgerFilter(type=type or None, actor=actor or None, recipient=recipient or None,
                        status=(status,) if status else (), since=since or None, until=until or None,
                        family=family or None, category=category or None, q=q or None)


def _row(rec: dict[str, Any]) -> dict[str, Any]:
    from ..ledger.report import _parties

    value = rec.get("value") or {}
    return {
        "ledger_id": rec["ledger_id"], "date": (rec.get("date") or {}).get("start"),
        "kind": " ".join(filter(None, [rec.get("type"), rec.get("mode")])),
        "donors": _parties(rec.get("actor")), "recipients": _parties(rec.get("recipient")) or "—",
        "status": rec.get("status") or "—",
        "value": f"{value['eur']:,.0f}" if isinstance(value.get("eur"), int | float) else "",
        "reports": rec.get("reports") or 0,
        "systems": ", ".join(i.get("canonical") or i.get("text") or "" for i in rec.get("items") or []),
    }


def _sort_key(sort: str) -> str:
    """The sort of the table: a sortable column's key, "-" first for descending (else by date)."""
    return sort if sort.lstrip("-") in SORTABLE else "date"


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, type: str | None = None, actor: str | None = None, recipient: str | None = None,
                status: str | None = None, since: str | None = None, until: str | None = None,
                family: str | None = None, category: str | None = None, q: str | None = None, sort: str = "date",
                page: int = Query(1, ge=1, le=1_000_000)) -> HTMLResponse:
    from .. import ledger

    sort = _sort_key(sort)
    filters = _filters(type, actor, recipient, status, since, until, family, category, q)
    start = (page - 1) * PAGE_ROWS
    with reading(settings_of(request)) as store:
        records, total = ledger.page(store, filters, limit=PAGE_ROWS, offset=start, order=sort)
        rows = [_row(r) for r in records]
        categories = store.ledger.categories()
    shown = {k: v for k, v in {"type": type, "actor": actor, "recipient": recipient, "status": status,
                               "category": category, "since": since, "until": until, "q": q,
                               "family": family}.items() if v}
    sort_links = {k: urlencode({**shown, "sort": ("-" + k) if sort == k else k}) for k in SORTABLE}
    return render("ledger.html", title="Ledger", q=shown, statuses=STATUSES, categories=categories, rows=rows,
                  total=total, columns=COLUMNS, sort=sort, sort_links=sort_links,
                  query_string=urlencode({**shown, "sort": sort}),
                  first=start + 1 if rows else 0, last=start + len(rows),
                  prev_link=urlencode({**shown, "sort": sort, "page": page - 1}) if page > 1 else None,
                  next_link=urlencode({**shown, "sort": sort, "page": page + 1}) if start + PAGE_ROWS < total else None)


@router.get("/api/ledger.csv")
def ledger_csv(request: Request, type: str | None = None, actor: str | None = None, recipient: str | None = None,
               status: str | None = None, since: str | None = None, until: str | None = None,
               family: str | None = None, category: str | None = None, q: str | None = None,
               sort: str = "date") -> Response:
    """The ledger table's current view as CSV (cells neutralised against spreadsheet formulas)."""
    from .. import ledger

    filters = _filters(type, actor, recipient, status, since, until, family, category, q)
    with reading(settings_of(request)) as store:
        records = ledger.query(store, filters, order=_sort_key(sort))
    out = io.StringIO()
    exports.write_csv([exports.flat_ledger(r) for r in records], out, exports.LEDGER_FIELDS)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="aidtrace-ledger.csv"'})


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", page: int = Query(1, ge=1, le=100_000)) -> HTMLResponse:
    """Articles matching a full-text query, best first, each with its matched words marked and
    the ledger events it reports."""
    from .. import ledger

    start = (page - 1) * SEARCH_ROWS
    total, hits, error = 0, [], None
    if q.strip():
        with reading(settings_of(request)) as store:
            try:
                total, found = store.search(q, limit=SEARCH_ROWS, offset=start)
            except UsageError as err:
                error = plain(err)
                found = []
            for hit in found:
                hits.append({"hit": hit, "parts": _marked(hit.snippet, hit.marks)})
            events = ledger.count(store, ledger.LedgerFilter(q=q)) if total else 0
    else:
        events = 0
    return render("search.html", title="Search", query=q, hits=hits, total=total, events=events, error=error,
                  ledger_link=urlencode({"q": q}), first=start + 1 if hits else 0, last=start + len(hits),
                  prev_link=urlencode({"q": q, "page": page - 1}) if page > 1 else None,
                  next_link=urlencode({"q": q, "page": page + 1}) if start + SEARCH_ROWS < total else None)


def _marked(snippet: str, marks: list[tuple[int, int]]) -> list[dict[str, str]]:
    """A snippet cut into plain and matched runs (escaped by the template)."""
    parts, at = [], 0
    for start, end in marks:
        if start < at:
            continue
        parts.append({"kind": "text", "text": snippet[at:start]})
        parts.append({"kind": "match", "text": snippet[start:end]})
        at = end
    parts.append({"kind": "text", "text": snippet[at:]})
    return parts


def _paragraph(text: str, sentence: str, start: int | None) -> tuple[str, str, str]:
    """The paragraph of ``text`` around ``sentence``: (before, the sentence, after)."""
    at = start if isinstance(start, int) and text[start:start + len(sentence)] == sentence else text.find(sentence)
    if at < 0:
        return "", sentence, ""
    begin = text.rfind("\n\n", 0, at)
    end = text.find("\n\n", at + len(sentence))
    begin = 0 if begin < 0 else begin + 2
    end = len(text) if end < 0 else end
    return text[begin:at], sentence, text[at + len(sentence):end]


@router.get("/ledger/{ledger_id}", response_class=HTMLResponse)
def event_page(request: Request, ledger_id: str) -> HTMLResponse:
    from .. import ledger
    from ..ledger.report import _parties, safe_url

    with reading(settings_of(request)) as store:
        explanation = ledger.explain(store, ledger_id)
        rec = explanation.ledger
        texts: dict[str, str] = {}
        reports = []
        for report in explanation.reports:
            doc = report.get("document") or {}
            doc_id = doc.get("id") or ""
            if doc_id and doc_id not in texts:
                stored = store.document(doc_id)
                texts[doc_id] = stored.text if stored is not None else ""
            before, sentence, after = _paragraph(texts.get(doc_id, ""), report.get("sentence") or "", None)
            matched = ", ".join(f"{k}" for k, v in (report.get("matched") or {}).items() if v and k != "against")
            reports.append({"outlet": doc.get("agency") or doc.get("external_id") or "source",
                            "published": doc.get("published"), "link": safe_url(doc.get("url")), "doc_id": doc_id,
                            "type": report.get("type"), "status": report.get("status"), "stage": report.get("stage"),
                            "matched": matched, "before": before, "sentence": sentence, "after": after})
    value = rec.get("value") or {}
    value_text = value.get("text") or ""
    if isinstance(value.get("eur"), int | float):
        value_text += f" (≈ EUR {value['eur']:,.0f})"
    return render("event.html", title=f"Ledger event {rec['ledger_id']}", rec=rec, reports=reports,
                  kind=" ".join(filter(None, [rec.get("type"), rec.get("mode")])),
                  donors=_parties(rec.get("actor")), recipients=_parties(rec.get("recipient")),
                  value=value_text or "not stated", copies=len(explanation.copies),
                  systems=", ".join(i.get("canonical") or i.get("text") or "" for i in rec.get("items") or []))


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, page: int = Query(1, ge=1)) -> HTMLResponse:
    with reading(settings_of(request)) as store:
        docs = [pipeline.document_record(d) for d in store.documents(include_duplicates=False,
                                                                      include_superseded=False)]
    start = (page - 1) * PAGE_ROWS
    return render("documents.html", title="Documents", docs=docs[start:start + PAGE_ROWS], total=len(docs),
                  prev_link=urlencode({"page": page - 1}) if page > 1 else None,
                  next_link=urlencode({"page": page + 1}) if start + PAGE_ROWS < len(docs) else None)


def _parts(text: str, events: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The text cut into plain runs, coded sentences and actor mentions (events first)."""
    spans: list[tuple[int, int, str, str]] = []
    for e in events:
        ev = e.get("evidence") or {}
        if isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int):
            note = f"{e.get('type')} {' '.join(filter(None, [e.get('status')]))}".strip()
            spans.append((ev["start"], ev["end"], "event", note))
    for m in mentions:
        if isinstance(m.get("start"), int) and isinstance(m.get("end"), int):
            ent = m.get("entity") or {}
            spans.append((m["start"], m["end"], "mention", ent.get("country") or ent.get("org") or ent.get("name") or ""))
    spans.sort(key=lambda s: (s[0], 0 if s[2] == "event" else 1))
    parts: list[dict[str, str]] = []
    at = 0
    for start, end, kind, note in spans:
        if start < at or end > len(text) or end <= start:
            continue  # overlaps what is already marked
        parts.append({"kind": "text", "text": text[at:start]})
        parts.append({"kind": kind, "text": text[start:end], "note": note})
        at = end
    parts.append({"kind": "text", "text": text[at:]})
    return parts


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str) -> HTMLResponse:
    from ..ledger.report import safe_url

    with reading(settings_of(request)) as store:
        doc = store.document(doc_id)
        if doc is None:
            raise NotFoundError(f"no document {doc_id[:80]!r} — see the list at /documents")
        events = store.events(include_superseded=True, document_id=doc_id)
        mentions = store.mentions(document_id=doc_id)
    furniture = [doc.text[a:b] for a, b in doc.furniture or [] if 0 <= a < b <= len(doc.text)]
    return render("document.html", title=doc.title or doc.external_id or doc_id, doc=pipeline.document_record(doc),
                  link=safe_url(doc.url), events=events, parts=_parts(doc.text, events, mentions),
                  furniture=furniture)



@router.get("/actors", response_class=HTMLResponse)
def actors_page(request: Request) -> HTMLResponse:
    from ..ledger.totals import country_name
    from .api import actor_counts

    items = [{**a, "name": country_name(a["code"])} for a in actor_counts(request)["items"]]
    return render("actors.html", title="Actors", items=items)


@router.get("/actors/{code}", response_class=HTMLResponse)
def actor_page(request: Request, code: str) -> HTMLResponse:
    from .. import ledger
    from ..ledger.report import _eur
    from ..ledger.totals import country_name

    code = code.strip().upper()[:40]
    as_donor, as_receiver = ledger.LedgerFilter(actor=code), ledger.LedgerFilter(recipient=code)
    with reading(settings_of(request)) as store:
        counts = {"actor": ledger.count(store, as_donor), "recipient": ledger.count(store, as_receiver)}
        as_actor = [_row(r) for r in ledger.query(store, as_donor, limit=ACTOR_ROWS, newest_first=True)]
        as_recipient = [_row(r) for r in ledger.query(store, as_receiver, limit=ACTOR_ROWS, newest_first=True)]
        given = ledger.totals(store, by="donor", filters=ledger.LedgerFilter(actor=code)).overall
        received = ledger.totals(store, by="recipient", filters=ledger.LedgerFilter(recipient=code)).overall
    if not as_actor and not as_recipient:
        raise NotFoundError(f"{code!r} is in no ledger event — see the list at /actors")

    def summary(total: Any) -> dict[str, Any]:
        return {"total": total.total, "total_text": _eur(total.total), "with_value": total.with_value,
                "events": total.events}

    return render("actor.html", title=country_name(code), name=country_name(code), code=code, as_actor=as_actor,
                  as_recipient=as_recipient, counts=counts, given=summary(given), received=summary(received))
