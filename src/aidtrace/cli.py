"""The ``aidtrace`` command: a thin Typer layer over the library.

Each command parses its options, calls one library function (``aidtrace.pipeline`` or a
``Store`` method) and prints the result. Typed errors (``AidtraceError``) become one red
line on stderr and their exit code: 1 for failed inputs, 2 for usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from . import exports, pipeline
from .errors import AidtraceError, UsageError
from .pipeline import RunSummary
from .runtime import one_blas_thread
from .settings import SETTINGS, Settings
from .terminal import cell, plain

if TYPE_CHECKING:
    from .store import Store

app = typer.Typer(
    name="aidtrace",
    help="A sourced ledger of international military support, coded in PLOVER from news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)



# Tables written to a file or pipe (`make demo`, logs) get this width instead of Rich's 80
# columns, so evidence sentences stay readable; COLUMNS still wins when set.
PIPE_WIDTH = 160


def out() -> Console:
    """Standard output (made per call so COLUMNS and redirections made after import count)."""
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, width=PIPE_WIDTH)
    return console


def err() -> Console:
    """Standard error, for messages and progress."""
    return Console(stderr=True, highlight=False)


class InputFormat(StrEnum):
    auto = "auto"
    seed = "seed"
    text = "text"
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    html = "html"
    feed = "feed"


class EngineName(StrEnum):
    local = "local"
    dask = "dask"


class ListFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


class EventFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    plover = "plover"


class LedgerFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class TotalsBy(StrEnum):
    donor = "donor"
    recipient = "recipient"
    month = "month"
    quarter = "quarter"
    year = "year"
    status = "status"
    category = "category"
    type = "type"
    group = "group"
    flow = "flow"


class Currency(StrEnum):
    EUR = "EUR"
    USD = "USD"


DbOption = Annotated[str | None, typer.Option(
    "--db", show_default=False, help=f"{SETTINGS['db'][1]} (default: $AIDTRACE_DB, else {SETTINGS['db'][0]})")]
JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=0, show_default=False,
    help="worker processes for reading and analysis (default: one per CPU core; 1: all in this process)")]
DateOption = Annotated[str | None, typer.Option("--date", help="publication date, YYYY-MM-DD")]


# ---------------------------------------------------------------------- shared helpers


@contextmanager
def handled() -> Iterator[None]:
    """Turn a typed aidtrace error into one red line and its exit code."""
    try:
        yield
    except AidtraceError as error:
        err().print(plain(error), style="bold red", markup=False, soft_wrap=True)
        raise typer.Exit(error.exit_code) from error


@contextmanager
def open_store(db: str | None) -> Iterator[Store]:
    """The database named by --db (or settings), which must already exist; opened read-only."""
    from .store import Store  # SQLAlchemy and Alembic: not for --help

    with Store.open(Settings.load(db=db).db, create=False, readonly=True) as store:
        yield store


@contextmanager
def ledger_store(db: str | None, rebuild: bool = False) -> Iterator[Store]:
    """The database opened read-only, its ledger first brought up to date if it is behind
    (documents analysed but not yet merged, e.g. by a run that stopped early). A database
    that cannot be written shows its ledger as it is, with a warning."""
    from . import ledger
    from .errors import StoreError
    from .store import Store

    path = Settings.load(db=db).db
    with Store.open(path, create=False, readonly=True) as store:
        behind = len(store.ledger.queue()[1])
    if behind or rebuild:
        try:
            with Store.open(path, create=False) as writable:
                ledger.rebuild(writable) if rebuild else ledger.update(writable)
        except StoreError as error:
            if rebuild:
                raise
            err().print(f"the ledger misses {behind} document(s) and cannot be updated here ({plain(error)}) — "
                        "run aidtrace ledger --rebuild where the database is writable",
                        style="yellow", markup=False, soft_wrap=True)
    with Store.open(path, create=False, readonly=True) as store:
        yield store


def echo_jsonl(records: list[dict[str, Any]]) -> None:
    """One JSON object per line on stdout (never wrapped or coloured)."""
    pipeline.write_records(records, sys.stdout, "jsonl")


def cut(text: str | None, width: int) -> str:
    """``text`` shortened to ``width`` characters with an ellipsis, control characters removed."""
    text = " ".join(plain(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def shown_date(iso: str | None, precision: str | None) -> str:
    """An ISO date cut to its precision: 2025-07-02, 2025-07 or 2025."""
    if not iso:
        return ""
    return iso[: {"year": 4, "month": 7}.get(precision or "", 10)]


def listing(*headers: str) -> Table:
    """A compact table, one line per row: the last column takes the width left and is cut short."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True)
    for header in headers[:-1]:
        table.add_column(header, no_wrap=True)
    table.add_column(headers[-1], no_wrap=True, overflow="ellipsis", ratio=1, min_width=10)
    return table


@contextmanager
def progress_bar() -> Iterator[pipeline.Progress]:
    """A Rich progress display on stderr, driven by the pipeline's ``progress`` callback."""
    console = err()
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)
    tasks: dict[str, Any] = {}
    labels = {"read": "reading", "analyse": "analysing"}

    def update(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update


# ---------------------------------------------------------------------- ingest


ForceDbOption = Annotated[bool, typer.Option(
    "--force-db", help="set up aidtrace's tables even in a database that holds other tables")]


@app.command(epilog="Example: aidtrace ingest ../shared/seeds examples/news --db aidtrace.db")
def ingest(
    paths: Annotated[list[str], typer.Argument(help="files, directories, globs, or - for stdin")],
    db: DbOption = None,
    fmt: Annotated[InputFormat, typer.Option("--format", help="input format")] = InputFormat.auto,
    date: DateOption = None,
    max_bytes: Annotated[int | None, typer.Option("--max-bytes", min=1, show_default=False,
                                                  help=f"{SETTINGS['max_bytes'][1]} (default: "
                                                       f"{SETTINGS['max_bytes'][0]})")] = None,
    no_filter: Annotated[bool, typer.Option("--no-filter",
                                            help="parse every sentence, not only those with a trigger word")] = False,
    force_db: ForceDbOption = False,
    jobs: JobsOption = None,
    engine: Annotated[EngineName, typer.Option("--engine", help="where reading and analysis run: this "
                                               "process, or a Dask cluster")] = EngineName.local,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="with --engine dask: a running "
                                                  "scheduler, tcp://HOST:PORT (default: a local cluster)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="with --engine dask: worker "
                                                "processes of the local cluster (default: one per core)")] = None,
) -> None:
    """Read articles, store them as documents, and code their events and claims.

    Exit code 0 if every input was stored and analysed, 1 if some were rejected or failed
    analysis (each is listed with its reason), 2 on usage errors.
    """
    with handled():
        settings = Settings.load(db=db, max_bytes=max_bytes, candidate_filter=False if no_filter else None,
                                 jobs=jobs)
        # Local workers start before the progress display's thread does (see ProcessExecutor).
        with executor_for(engine, scheduler, workers, settings) as executor, progress_bar() as progress:
            summary = pipeline.ingest(paths, settings, fmt=fmt.value, date=date,
                                      stdin=sys.stdin if "-" in paths else None, progress=progress,
                                      force_db=force_db, executor=executor)
    print_summary(summary)
    if summary.rejected or summary.failed:
        raise typer.Exit(1)


@contextmanager
def executor_for(engine: EngineName, scheduler: str | None, workers: int | None,
                 settings: Settings) -> Iterator[pipeline.Executor]:
    """The executor --engine names (local: --jobs worker processes, or this process alone),
    started and stopped around the run."""
    if engine is EngineName.local:
        if scheduler or workers:
            raise UsageError("--scheduler and --workers go with --engine dask")
        with pipeline.executor_for(settings) as local:
            yield local
        return
    from .dist.dask import DaskExecutor

    with DaskExecutor(scheduler=scheduler, workers=workers, partition_size=settings.partition_size,
                      preload=settings.spacy_model) as executor:
        yield executor


def print_summary(summary: RunSummary, title: str = "ingest") -> None:
    """The counts table on stdout, then one line per rejection, warning and failure on stderr
    (the first few hundred; the store keeps every rejection)."""
    table = Table(title=title, show_header=False, box=box.SIMPLE)
    rows = [("read", summary.read), ("new", summary.new), ("duplicate", summary.duplicate),
            ("near-duplicate", summary.near_duplicate), ("new version", summary.new_version),
            ("rejected", summary.rejected), ("warnings", summary.warnings), ("analysed", summary.analysed),
            ("analysis failed", summary.failed), ("events", summary.events), ("claims", summary.claims),
            ("failed, waiting for a retry", summary.pending_failures),
            ("ledger events updated", summary.ledger_events)]
    for name, value in rows:
        table.add_row(name, str(value))
    out().print(table)
    console = err()
    for rejection in summary.rejections:
        console.print(f"rejected {plain(rejection.message())}", style="yellow", markup=False, soft_wrap=True)
    _more(summary.rejected - len(summary.rejections), "rejections")
    for notice in summary.notices:
        console.print(f"warning {plain(notice.text())}", style="yellow", markup=False, soft_wrap=True)
    _more(summary.warnings - len(summary.notices), "warnings")
    for external_id, error in summary.failures:
        console.print(f"analysis failed {plain(external_id)}: {plain(error)}", style="yellow", markup=False,
                      soft_wrap=True)
    _more(summary.failed - len(summary.failures), "failures")
    if summary.pending_failures:
        console.print(f"{summary.pending_failures} document(s) failed analysis and wait for a retry — "
                      "run aidtrace reanalyse --failed", style="yellow", markup=False, soft_wrap=True)


def _more(count: int, what: str) -> None:
    if count > 0:
        err().print(f"... and {count:,} more {what} (all rejections are kept in the database)",
                    style="yellow", markup=False, soft_wrap=True)


# ---------------------------------------------------------------------- continuous ingestion


@contextmanager
def until_signalled() -> Iterator[Any]:
    """A ``stop()`` callable that turns true on SIGTERM or Ctrl-C, so loops end between runs."""
    import signal

    stopped = {"now": False}

    def handler(_signum: int, _frame: Any) -> None:
        stopped["now"] = True

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield lambda: stopped["now"]
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_line(summary: RunSummary, what: str) -> None:
    """One line per run of a continuous command, then its rejections and warnings."""
    err().print(f"{what}: read {summary.read}, new {summary.new + summary.new_version}, "
                f"rejected {summary.rejected}, events {summary.events}, claims {summary.claims}",
                markup=False, soft_wrap=True)
    for rejection in summary.rejections:
        err().print(f"rejected {plain(rejection.message())}", style="yellow", markup=False, soft_wrap=True)
    for notice in summary.notices:
        err().print(f"warning {plain(notice.text())}", style="yellow", markup=False, soft_wrap=True)


@app.command(epilog="Example: aidtrace watch inbox/ --interval 10 --db aidtrace.db")
def watch(
    folder: Annotated[str, typer.Argument(help="the folder to watch (recursively)")],
    db: DbOption = None,
    interval: Annotated[float, typer.Option("--interval", help="seconds between scans")] = 5.0,
    fmt: Annotated[InputFormat, typer.Option("--format", help="input format")] = InputFormat.auto,
) -> None:
    """Ingest files as they appear in a folder, until stopped (Ctrl-C or SIGTERM).

    A file is read once it is complete: unchanged over one interval, and not hidden (write to
    .name.tmp and rename into place). What was read is remembered in the database, so a
    restart reads only new and changed files.
    """
    from .continuous import watch_folder

    with handled(), until_signalled() as stop:
        settings = Settings.load(db=db)
        err().print(f"watching {plain(folder)} every {interval:g} s — Ctrl-C stops", markup=False)
        with pipeline.executor_for(settings) as executor:
            watch_folder(folder, settings, interval=interval, stop=stop, fmt=fmt.value, executor=executor,
                         on_run=lambda summary: run_line(summary, "ingested"))


feeds_app = typer.Typer(help="RSS/Atom feeds: register them, then poll them (conditional GET).",
                        no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("add", epilog="Example: aidtrace feeds add https://www.example.org/world/rss.xml")
def feeds_add(url: Annotated[str, typer.Argument(help="the feed's http(s) address")], db: DbOption = None) -> None:
    """Register a feed to poll."""
    from .continuous import check_feed_url
    from .store import Store

    with handled():
        url = check_feed_url(url)
        with Store.open(Settings.load(db=db).db) as store:
            added = store.add_feed(url)
    err().print(f"{'added' if added else 'already registered'}: {plain(url)}", markup=False)


@feeds_app.command("remove", epilog="Example: aidtrace feeds remove https://www.example.org/world/rss.xml")
def feeds_remove(url: Annotated[str, typer.Argument(help="the feed's address")], db: DbOption = None) -> None:
    """Stop polling a feed (its documents stay)."""
    from .store import Store

    with handled(), Store.open(Settings.load(db=db).db, create=False) as store:
        if not store.remove_feed(url.strip()):
            raise UsageError(f"{url!r} is not a registered feed — see aidtrace feeds list")


@feeds_app.command("list", epilog="Example: aidtrace feeds list --db aidtrace.db")
def feeds_list(db: DbOption = None) -> None:
    """List registered feeds with the state of their last poll."""
    with handled(), open_store(db) as store:
        rows = store.feeds()
    table = listing("polled", "status", "entries", "title", "url")
    for r in rows:
        polled = r["polled_at"].strftime("%Y-%m-%d %H:%M") if r["polled_at"] else "never"
        table.add_row(cell(polled), cell(r["status"] or ""), cell(r["entries"]), cell(r["title"], 30),
                      cell(r["url"] + (f" ({r['error']})" if r["error"] else "")))
    out().print(table)


@feeds_app.command("poll", epilog="Example: aidtrace feeds poll --every 900 --db aidtrace.db")
def feeds_poll(
    db: DbOption = None,
    every: Annotated[float | None, typer.Option("--every", help="poll again every S seconds until "
                                                "stopped (default: poll once)")] = None,
) -> None:
    """Fetch every registered feed (conditional GET) and ingest what is new."""
    from .continuous import FeedPoll, poll_feeds

    failed = []

    def report(result: FeedPoll) -> None:
        if result.error:
            failed.append(result)
            err().print(f"feed {plain(result.url)}: {plain(result.error)} — it is polled again next time",
                        style="yellow", markup=False, soft_wrap=True)
        elif result.summary is not None:
            run_line(result.summary, f"feed {plain(result.url)}")
        else:
            err().print(f"feed {plain(result.url)}: not modified", markup=False, soft_wrap=True)

    with handled(), until_signalled() as stop:
        settings = Settings.load(db=db)
        with pipeline.executor_for(settings) as executor:
            results = poll_feeds(settings, every=every, stop=stop, on_poll=report, executor=executor)
        if not results and every is None:
            raise UsageError("no feeds registered — add one with aidtrace feeds add URL")
    if failed and every is None:
        raise typer.Exit(1)


# ---------------------------------------------------------------------- documents and actors


@app.command(epilog="Example: aidtrace docs --db aidtrace.db --format jsonl")
def docs(db: DbOption = None,
         fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table) -> None:
    """List stored documents with their metadata."""
    with handled(), open_store(db) as store:
        records = [pipeline.document_record(d) for d in store.documents()]
    if fmt is ListFormat.jsonl:
        echo_jsonl(records)
        return
    table = listing("external id", "published", "agency", "place", "v", "dup of", "title")
    for r in records:
        table.add_row(cell(r["external_id"], 24), cell(shown_date(r["published"], r["published_precision"])),
                      cell(r["agency"], 10), cell(r["dateline_place"], 12), cell(r["version"]),
                      cell(r["duplicate_of"], 8), cell(r["title"]))
    out().print(table)


@app.command(epilog="Example: aidtrace mentions --db aidtrace.db --format jsonl")
def mentions(db: DbOption = None,
             fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table) -> None:
    """List actor mentions found in the documents, with their resolved entities."""
    with handled(), open_store(db) as store:
        records = store.mentions()
    if fmt is ListFormat.jsonl:
        echo_jsonl(records)
        return
    table = listing("document", "text", "span", "entity", "id", "country", "org")
    for r in records:
        ent = r["entity"]
        table.add_row(cell(r["external_id"], 28), cell(r["text"]), cell(f"{r['start']}-{r['end']}"),
                      cell(ent["name"]), cell(ent["id"]), cell(ent["country"]), cell(ent["org"]))
    out().print(table)


@app.command(epilog="Example: aidtrace actors --db aidtrace.db")
def actors(db: DbOption = None) -> None:
    """Count mentions per resolved actor, most frequent first."""
    with handled(), open_store(db) as store:
        rows = store.actor_counts()
    table = listing("mentions", "id", "country", "org", "actor")
    for r in rows:
        table.add_row(cell(r["count"]), cell(r["entity_id"], 20), cell(r["country"]), cell(r["org"]),
                      cell(r["name"]))
    out().print(table)


# ---------------------------------------------------------------------- events and claims


def codes(entities: list[dict[str, Any]] | None) -> str:
    """Entities as their country/org codes: "USA,DEU"."""
    return ",".join(e.get("country") or e.get("org") or e.get("text") or "?" for e in entities or [])


def value_text(rec: dict[str, Any]) -> str:
    """The money value as written in the article."""
    value = rec.get("value") or {}
    return cut(value.get("text"), 20)


# Rows of an events table unless --limit says otherwise: a terminal shows no more, and
# listing every event of a large database is what --format jsonl and export are for.
TABLE_ROWS = 100


def events_table(records: list[dict[str, Any]]) -> Table:
    """A Rich table of event records: one line each, the evidence sentence cut to fit."""
    table = listing("date", "event", "actor → recipient", "status", "value", "evidence")
    for r in records:
        when = r.get("date") or {}
        event = " ".join(filter(None, [r.get("type"), r.get("mode")]))
        parties = cut(f"{codes(r.get('actor'))} → {codes(r.get('recipient'))}", 24)
        table.add_row(cell(shown_date(when.get("start"), when.get("precision"))), cell(event), cell(parties),
                      cell(status_text(r)), cell(value_text(r)), cell((r.get("evidence") or {}).get("sentence")))
    return table


def status_text(rec: dict[str, Any]) -> str:
    """Status with the modality when it is not a plain assertion: "NOT delivered", "planned (future)"."""
    words = ["NOT"] if rec.get("negated") else []
    words.append(rec.get("status") or "-")
    if rec.get("modality") not in (None, "asserted"):
        words.append(f"({rec['modality']})")
    return " ".join(words)


def claims_table(records: list[dict[str, Any]]) -> Table:
    """A Rich table of claim records."""
    table = listing("measure", "subject", "value", "period", "reported by", "evidence")
    for r in records:
        period = r.get("period") or {}
        reported = (r.get("reported_by") or {}).get("text") or ""
        table.add_row(cell(r.get("measure")), cell(codes(r.get("subject")), 16), cell(value_text(r)),
                      cell(period.get("text"), 16), cell(reported, 20), cell((r.get("evidence") or {}).get("sentence")))
    return table


@app.command(epilog="Example: aidtrace events --db aidtrace.db --type AID --actor DEU --since 2025-01-01")
def events(
    db: DbOption = None,
    type: Annotated[str | None, typer.Option("--type", help="PLOVER type, e.g. AID, SANCTION")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="actor country/org code, e.g. USA")] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="recipient code, e.g. UKR")] = None,
    since: Annotated[str | None, typer.Option("--since", help="events on or after, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option("--until", help="events on or before, YYYY-MM-DD")] = None,
    status: Annotated[str | None, typer.Option("--status", help="aid status, e.g. pledged, delivered")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", help='only events of articles matching this full-text query, e.g. "Patriot OR IRIS-T"')] = None,
    fmt: Annotated[EventFormat, typer.Option("--format")] = EventFormat.table,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=0, show_default=False,
        help=f"show the first N events (default: {TABLE_ROWS} in a table, all in jsonl and csv; 0: all)")] = None,
) -> None:
    """List coded events, filtered by type, actor, recipient, date, status and article text."""
    filters: dict[str, Any] = {"type": type, "actor": actor, "recipient": recipient, "since": since,
                               "until": until, "status": status, "q": search}
    if limit is None:
        limit = TABLE_ROWS if fmt is EventFormat.table else 0
    with handled(), open_store(db) as store:
        records = store.events(**filters, limit=limit or None)
        total = store.count_events(**filters) if limit and len(records) == limit else len(records)
    if fmt is EventFormat.table:
        out().print(events_table(records))
    else:
        pipeline.write_records(records, sys.stdout, fmt.value)
    if total > len(records):
        err().print(f"the first {len(records):,} of {total:,} events — --limit N shows more, --limit 0 all",
                    style="yellow", markup=False)


@app.command(epilog="Example: aidtrace claims --db aidtrace.db --format jsonl")
def claims(db: DbOption = None,
           fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table) -> None:
    """List statistics quoted from trackers and governments (never counted as events)."""
    with handled(), open_store(db) as store:
        records = store.claims()
    if fmt is ListFormat.jsonl:
        echo_jsonl(records)
    else:
        out().print(claims_table(records))


def search_table(hits: list[Any]) -> Table:
    """One line per matching article: published, source, title, the snippet around the match."""
    table = listing("published", "source", "document", "title", "where it matches")
    for h in hits:
        table.add_row(cell(h.published), cell(h.agency or h.source, 18), cell(h.document_id, 18), cell(h.title, 40),
                      cell(h.snippet))
    return table


@app.command("search", epilog='Example: aidtrace search "Patriot OR IRIS-T" -Germany --db aidtrace.db')
def search_command(
    query: Annotated[list[str], typer.Argument(
        help='words (all must occur, stemmed), "quoted phrases", OR between terms, -word to leave out')],
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="show the best N articles")] = 20,
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Full-text search of the stored articles, best match first (the ledger of the matches:
    aidtrace ledger --search QUERY)."""
    q = " ".join(query)
    with handled(), open_store(db) as store:
        total, hits = store.search(q, limit=limit)
    if fmt is ListFormat.jsonl:
        echo_jsonl([h.to_record() for h in hits])
    else:
        out().print(search_table(hits))
    if total > len(hits):
        err().print(f"the best {len(hits):,} of {total:,} articles — --limit N shows more",
                    style="yellow", markup=False)


@app.command(epilog="Example: aidtrace export --db aidtrace.db --format parquet --ledger -o ledger.parquet")
def export(
    output: Annotated[str, typer.Option("-o", "--output", help="file to write, or - for stdout (not parquet)")],
    db: DbOption = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl (CONTRACT.md), csv, parquet, or plover "
                                                               "(PLOVER/POLECAT-style JSON)")] = ExportFormat.jsonl,
    ledger_records: Annotated[bool, typer.Option("--ledger", help="export ledger events instead of "
                                                                  "per-report events and claims")] = False,
) -> None:
    """Export every current event and claim as CONTRACT.md records, or every ledger event.

    CSV and Parquet are flat, with an evidence file beside them (NAME.evidence.csv/.parquet).
    """
    with handled(), ledger_store(db) as store:
        result = exports.export(store, output, fmt.value, ledger=ledger_records)
    where = ", ".join(result.files) if result.files else "stdout"
    err().print(f"{result.records} records written to {where}", markup=False)


@app.command(epilog='Example: aidtrace code "Germany will deliver 20 Leopard tanks to Ukraine." --date 2025-07-02')
def code(
    text: Annotated[str, typer.Argument(help="the text to code, in quotes")],
    date: DateOption = None,
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Code one text and print its events and claims (nothing is stored)."""
    with handled():
        doc, found, stats = pipeline.code_text(text, date=date, settings=Settings.load())
    records = [e.to_record(doc) for e in found] + [c.to_record(doc) for c in stats]
    if fmt is ListFormat.jsonl:
        echo_jsonl(records)
        return
    out().print(events_table(records[: len(found)]))
    if stats:
        out().print(claims_table(records[len(found):]))


@app.command("eval", epilog="Example: aidtrace eval ../shared/acceptance/seeds_gold.jsonl --db aidtrace.db\n\n"
                             "Example: aidtrace eval --dev --shared ../shared")
def evaluate(
    gold: Annotated[str | None, typer.Argument(help="gold JSONL file (not with --dev)")] = None,
    db: DbOption = None,
    pred: Annotated[str | None, typer.Option("--pred", help="a JSONL export to score instead of --db")] = None,
    dev: Annotated[bool, typer.Option("--dev", help="ingest and score every development set in one run")] = False,
    shared: Annotated[str, typer.Option("--shared", help="(--dev) the shared folder with seeds/ and acceptance/")
                      ] = "../shared",
    only: Annotated[list[str] | None, typer.Option("--set", help="(--dev) only this set: seeds, news_dev, "
                                                                 "plover_dev; repeatable")] = None,
    workdir: Annotated[str | None, typer.Option("--workdir", help="(--dev) keep the databases here "
                                                                  "(default: a temporary folder)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the full result as JSON")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="one line per gold item")] = False,
) -> None:
    """Score the database's export (or a prediction file) against a gold file, or with --dev
    ingest every development set and print one table and the errors grouped by cause."""
    from .eval import format_report

    with handled():
        if dev:
            if gold or db or pred:
                raise UsageError("--dev scores the shared development sets: drop the gold file, --db and --pred")
            _evaluate_dev(shared, only, workdir, as_json, verbose)
            return
        if gold is None:
            raise UsageError("give a gold file (aidtrace eval GOLD.jsonl --db DB), or --dev for every dev set")
        if db and pred:
            raise UsageError("give either --db or --pred, not both")
        result = pipeline.evaluate(gold, db=None if pred else Settings.load(db=db).db, pred_path=pred)
    typer.echo(json.dumps(result, indent=1) if as_json else format_report(result, verbose))


def _evaluate_dev(shared: str, only: list[str] | None, workdir: str | None, as_json: bool, verbose: bool) -> None:
    import tempfile

    from .eval import format_causes, format_report

    with tempfile.TemporaryDirectory(prefix="aidtrace-dev-") as tmp:
        folder = workdir or tmp
        if not os.path.isdir(folder):
            raise UsageError(f"--workdir {folder}: no such directory — create it first")
        with progress_bar() as progress:
            results = pipeline.evaluate_dev_sets(shared, Settings.load(), folder, only, progress)
    if as_json:
        typer.echo(json.dumps({r.name: {**r.result, "causes": r.causes} for r in results}, indent=1))
        return
    out().print(dev_table(results))
    for r in results:
        out().print(f"\n[bold]{r.name}[/bold]")
        typer.echo(format_causes(r.causes) or "  no errors")
        if verbose:
            typer.echo(format_report(r.result, verbose=True))


def dev_table(results: list[pipeline.DevSetResult]) -> Table:
    """One row per development set: recall, precision, aid-domain precision, attributes, claims."""
    table = Table(box=box.SIMPLE_HEAD, title="development sets")
    for header in ("set", "docs", "recall", "precision", "aid-domain precision", "date", "status", "value",
                   "items", "claims", "violations"):
        table.add_column(header, justify="left" if header == "set" else "right")
    for r in results:
        res, attrs = r.result, r.result["attributes"]
        table.add_row(r.name, str(r.documents), f"{res['recall']:.3f} ({res['required_found']}/{res['required']})",
                      f"{res['precision']:.3f}", f"{res['domain_precision']:.3f} "
                      f"({res['domain_matched']}/{res['domain_predicted']})",
                      *(_ratio(attrs.get(k)) for k in ("date", "status", "value", "items")),
                      f"{res['claims_found']}/{res['claims_required']}", str(res["violations"]))
    return table


def _ratio(fraction: str | None) -> str:
    if not fraction:
        return "-"
    hit, total = (int(x) for x in fraction.split("/"))
    return f"{hit / total:.2f} ({fraction})" if total else "-"
# ---------------------------------------------------------------------- the ledger

TypeOption = Annotated[str | None, typer.Option("--type", help="PLOVER type at any stage, e.g. AID, SANCTION")]
ActorOption = Annotated[str | None, typer.Option("--actor", help="donor/actor country or org code, e.g. DEU, EU")]
RecipientOption = Annotated[str | None, typer.Option("--recipient", help="recipient code, e.g. UKR")]
StatusOption = Annotated[list[str] | None, typer.Option(
    "--status", help="current status, e.g. pledged, delivered, halted (repeat for several)")]
SinceOption = Annotated[str | None, typer.Option("--since", help="events dated on or after, YYYY-MM-DD")]
UntilOption = Annotated[str | None, typer.Option("--until", help="events dated on or before, YYYY-MM-DD")]
CategoryOption = Annotated[str | None, typer.Option(
    "--category", help="item category, e.g. 'air defence', 'artillery', mixed, unspecified")]
SearchOption = Annotated[str | None, typer.Option(
    "--search", help='only events reported by articles matching this full-text query, e.g. "Patriot OR IRIS-T"')]


def ledger_filter(type: str | None, actor: str | None, recipient: str | None, status: list[str] | None,
                  since: str | None, until: str | None, family: str | None = None, category: str | None = None,
                  search: str | None = None) -> Any:
    """The library's ledger filter from command-line options."""
    from .ledger import LedgerFilter

    return LedgerFilter(type=type, actor=actor, recipient=recipient, status=tuple(status or ()),
                        since=since, until=until, family=family, category=category, q=search)


def history_short(rec: dict[str, Any]) -> str:
    """Statuses of a ledger event in order: "pledged → delivered"."""
    steps = [h.get("status") or "-" for h in rec.get("status_history") or []]
    return " → ".join(steps) if len(steps) > 1 or steps != ["-"] else "-"


def ledger_table(records: list[dict[str, Any]]) -> Table:
    """One line per ledger event: id, date, event, parties, status history, value, reports, a sentence."""
    table = listing("ledger id", "date", "event", "donor → recipient", "status", "value", "reports", "evidence")
    for r in records:
        when = r.get("date") or {}
        evidence = (r.get("evidence") or [{}])[0].get("sentence")
        table.add_row(cell(r["ledger_id"]), cell(shown_date(when.get("start"), when.get("precision"))),
                      cell(" ".join(filter(None, [r.get("type"), r.get("mode")]))),
                      cell(f"{codes(r.get('actor'))} → {codes(r.get('recipient'))}", 24),
                      cell(history_short(r)), cell(value_text(r)), cell(r.get("reports")), cell(evidence))
    return table


@app.command("ledger", epilog="Example: aidtrace ledger --db aidtrace.db --actor DEU --status delivered --format jsonl")
def ledger_command(
    db: DbOption = None, type: TypeOption = None, actor: ActorOption = None, recipient: RecipientOption = None,
    status: StatusOption = None, since: SinceOption = None, until: UntilOption = None,
    family: Annotated[str | None, typer.Option(
        "--family", help="merge family: aid (given, pledged, halted, resumed), or e.g. CONSULT:phone")] = None,
    category: CategoryOption = None, search: SearchOption = None,
    fmt: Annotated[LedgerFormat, typer.Option("--format")] = LedgerFormat.table,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="rebuild the whole ledger from stored events first")] = False,
) -> None:
    """List ledger events: one per real-world pledge, delivery, halt or deal, across all reports."""
    from . import ledger

    with handled():
        filters = ledger_filter(type, actor, recipient, status, since, until, family, category, search)
        with ledger_store(db, rebuild) as store:
            records = ledger.query(store, filters)
    if fmt is LedgerFormat.jsonl:
        echo_jsonl(records)
    elif fmt is LedgerFormat.csv:
        exports.write_csv((exports.flat_ledger(r) for r in records), sys.stdout, exports.LEDGER_FIELDS)
    else:
        out().print(ledger_table(records))


@app.command(epilog="Example: aidtrace totals --by donor --currency USD --since 2025-01-01 --db aidtrace.db")
def totals(
    db: DbOption = None,
    by: Annotated[TotalsBy, typer.Option("--by", help="what to group by (group: EU members, EUROPE, NATO, G7)")]
    = TotalsBy.donor,
    status: StatusOption = None, since: SinceOption = None, until: UntilOption = None,
    actor: ActorOption = None, recipient: RecipientOption = None, category: CategoryOption = None,
    search: SearchOption = None,
    type: Annotated[list[str] | None, typer.Option(
        "--type", help="only ledger events of this current type, e.g. AID (repeat for several)")] = None,
    currency: Annotated[Currency, typer.Option("--currency", help="EUR or USD, converted at each event's date")]
    = Currency.EUR,
    every_family: Annotated[bool, typer.Option(
        "--all-events", help="sum every ledger event with a value, not only aid (given, pledged, halted)")] = False,
    fmt: Annotated[LedgerFormat, typer.Option("--format")] = LedgerFormat.table,
) -> None:
    """Sum the stated values of ledger events (never claims, each event once), grouped.

    Every row says how many ledger events it sums and how many state no value.
    """
    from . import ledger

    with handled():
        filters = ledger_filter(None, actor, recipient, status, since, until, category=category, search=search)
        with ledger_store(db) as store:
            result = ledger.totals(store, by=by.value, filters=filters, currency=currency.value, types=type,
                                   family=None if every_family else "aid")
    if fmt is LedgerFormat.jsonl:
        echo_jsonl(result.to_records())
    elif fmt is LedgerFormat.csv:
        exports.write_csv(result.to_records(), sys.stdout, exports.TOTAL_FIELDS)
    else:
        print_totals(result)


def print_totals(result: Any) -> None:
    """The totals table, its overall row, and what the figures do and do not include."""
    table = Table(box=box.SIMPLE_HEAD, title=f"totals by {result.by} ({result.currency})", title_justify="left")
    for header, justify in ((result.by, "left"), ("", "left"), (f"total {result.currency}", "right"),
                            ("ledger events", "right"), ("with value", "right"), ("no value", "right"),
                            ("not convertible", "right")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in [*result.rows, result.overall]:
        table.add_row(cell(row.key), cell(row.label if row.label != row.key else ""), f"{row.total:,.0f}",
                      str(row.events), str(row.with_value), str(row.without_value), str(row.unconverted),
                      end_section=row is result.rows[-1] if result.rows else False,
                      style="bold" if row is result.overall else None)
    out().print(table)
    notes = [f"filters: {', '.join(f'{k}={v}' for k, v in result.filters.items())}"] if result.filters else []
    if result.overlapping:
        notes.append("donor groups overlap: their rows do not add up to the overall total")
    notes.append("values as stated in the reports, converted at each event's date; ledger events only (no claims)")
    for note in notes:
        err().print(note, style="dim", markup=False, soft_wrap=True)


@app.command(epilog="Example: aidtrace report -o report.html --kiel ../shared/data/kiel_ust_r29 --db aidtrace.db")
def report(
    output: Annotated[str, typer.Option("-o", "--output", help="the HTML file to write")],
    db: DbOption = None,
    kiel: Annotated[str | None, typer.Option("--kiel", help="Kiel tracker tables (folder or .xlsx) to reconcile "
                                                             "with")] = None,
    actor: ActorOption = None, recipient: RecipientOption = None, since: SinceOption = None,
    until: UntilOption = None,
    latest: Annotated[int, typer.Option("--latest", min=1, max=1000, help="how many latest ledger events to show")]
    = 40,
) -> None:
    """Write one self-contained, offline HTML report: totals, timeline, flows, latest ledger events
    with their evidence, and the reconciliation with the Kiel tracker."""
    from .ledger.kiel import read_kiel
    from .ledger.report import ReportOptions, report_html

    with handled():
        filters = ledger_filter(None, actor, recipient, None, since, until)
        tables = read_kiel(kiel) if kiel else None
        with ledger_store(db) as store:
            html = report_html(store, tables, ReportOptions(filters=filters, latest=latest))
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(html)
        except OSError as error:
            raise UsageError(f"{output}: cannot write ({error.strerror}) — check the directory exists "
                             "and you may write there") from error
    err().print(f"report written to {output} ({len(html) / 1e6:.1f} MB, opens offline)", markup=False)


reconcile_app = typer.Typer(help="Compare the ledger with other trackers.", no_args_is_help=True,
                            epilog="Example: aidtrace reconcile kiel ../shared/data/kiel_ust_r29 --db aidtrace.db")
app.add_typer(reconcile_app, name="reconcile")


def bn(value: float | None) -> str:
    """EUR amounts in billions for tables: 1.23."""
    return "" if value is None else f"{value / 1e9:,.2f}"


def pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


@reconcile_app.command("kiel", epilog="Example: aidtrace reconcile kiel ../shared/data/kiel_ust_r29 --db aidtrace.db "
                                      "--format jsonl")
def reconcile_kiel(
    path: Annotated[str, typer.Argument(help="folder of the Kiel tracker's website tables (and/or its .xlsx), "
                                             "or the .xlsx file")],
    db: DbOption = None, since: SinceOption = None, until: UntilOption = None,
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Compare the ledger's aid to Ukraine with the Kiel Ukraine Support Tracker, per donor and month,
    and check the figures articles quote against Kiel's own and the ledger's."""
    from .ledger import LedgerFilter
    from .ledger.kiel import read_kiel
    from .ledger.reconcile import reconcile_kiel as compare

    with handled():
        kiel = read_kiel(path)
        with ledger_store(db) as store:
            result = compare(store, kiel, LedgerFilter(since=since, until=until))
    if fmt is ListFormat.jsonl:
        echo_jsonl(result.to_records())
        return
    print_reconciliation(result)


def print_reconciliation(result: Any) -> None:
    """Summary, donors, months (where the ledger has events) and claims."""
    s, console = result.summary, out()
    console.print(cell(f"Kiel Ukraine Support Tracker, release {result.release or '?'} ({result.source}); "
                       f"{result.first_month}..{result.last_month}; ledger: aid to Ukraine"), style="bold")
    console.print(cell(f"Kiel allocated EUR {bn(s['kiel_allocated_eur'])} bn; ledger EUR {bn(s['ledger_eur'])} bn "
                       f"({pct(s['coverage'])}) in {s['ledger_events']} ledger events "
                       f"(+{s['ledger_events_outside_kiel_period']} outside Kiel's period); donors in both "
                       f"{s['donors_in_both']}, only Kiel {s['donors_only_in_kiel']}, only ledger "
                       f"{s['donors_only_in_ledger']}"))
    donors = Table(box=box.SIMPLE_HEAD, title="per donor (EUR bn)", title_justify="left")
    for header in ("donor", "", "Kiel allocated", "Kiel military", "Kiel committed", "ledger", "coverage",
                   "ledger events", "no value", "Kiel months", "matched", "gaps", "ledger only"):
        donors.add_column(header, justify="left" if header in ("donor", "") else "right", no_wrap=header == "")
    for d in result.donors:
        donors.add_row(cell(d.donor), cell(d.name, 22), bn(d.kiel_allocated_eur), bn(d.kiel_military_eur),
                       bn(d.kiel_committed_eur), bn(d.ledger_eur), pct(d.coverage), str(d.ledger_events),
                       str(d.ledger_without_value), str(d.kiel_months), str(len(d.matched_months)),
                       str(len(d.gap_months)), cell(", ".join(d.ledger_only_months), 30))
    console.print(donors)
    active = [m for m in result.months if m.ledger_events]
    if active:
        months = Table(box=box.SIMPLE_HEAD, title="months with ledger events (EUR bn)", title_justify="left")
        for header in ("month", "Kiel allocated", "Kiel military", "Kiel donors", "ledger", "ledger events",
                       "ledger donors"):
            months.add_column(header, justify="left" if header == "month" else "right")
        for m in active:
            months.add_row(m.month, bn(m.kiel_allocated_eur), bn(m.kiel_military_eur), str(m.kiel_donors),
                           bn(m.ledger_eur), str(m.ledger_events), str(m.ledger_donors))
        console.print(months)
    if result.claims:
        claims = listing("subject", "measure", "period", "claimed", "Kiel", "claimed/Kiel", "ledger", "note")
        for c in result.claims:
            claims.add_row(cell(c.subject, 12), c.measure, f"{c.period_start}..{c.period_end}", bn(c.claimed_eur),
                           bn(c.kiel_eur), pct(c.kiel_ratio), bn(c.ledger_eur), cell(c.note or c.sentence))
        console.print(claims)
    if result.skipped:
        err().print(f"{result.skipped} Kiel row(s) skipped: {plain('; '.join(result.problems))}", style="yellow",
                    markup=False, soft_wrap=True)


@app.command(epilog="Example: aidtrace why L3f9a0c2b1d4 --db aidtrace.db")
def why(
    ref: Annotated[str, typer.Argument(help="a ledger id (or the id of one of its per-report events)")],
    db: DbOption = None,
    fmt: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Explain a ledger event: its reports, their sentences, and which keys matched each merge."""
    from . import ledger

    with handled(), ledger_store(db) as store:
        explanation = ledger.explain(store, ref)
    if fmt is ListFormat.jsonl:
        echo_jsonl([explanation.to_record()])
        return
    print_explanation(explanation)


def print_explanation(explanation: Any) -> None:
    """The ledger event, then each report with its sentence and why it joined."""
    rec, console = explanation.ledger, out()
    head = Text(f"{rec['ledger_id']}  ", style="bold")
    head.append(" ".join(filter(None, [rec.get("type"), rec.get("mode")])) + "  ")
    head.append(f"{codes(rec.get('actor'))} → {codes(rec.get('recipient'))}  {history_short(rec)}  ")
    head.append(f"{(rec.get('date') or {}).get('start') or '?'}  ")
    head.append(cut(value_text(rec), 40) + "  ")
    head.append(f"{rec.get('reports')} report(s), first {rec.get('first_reported')}, last {rec.get('last_reported')}")
    console.print(head)
    for n, report in enumerate(explanation.reports, start=1):
        doc = report.get("document") or {}
        line = Text(f"\n{n}. ", style="bold")
        line.append(cut(f"{doc.get('published') or '?'} {doc.get('agency') or ''} {doc.get('external_id')}", 90))
        line.append(f"  [{report.get('how') or '?'}; {report.get('type')} {report.get('status') or ''}; "
                    f"stage {report.get('stage')}]", style="dim")
        console.print(line)
        console.print(Text(" ".join(plain(report.get("sentence")).split()), style="italic"), soft_wrap=True)
        for key, value in (report.get("matched") or {}).items():
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            console.print(Text(f"   {key}: ", style="dim") + cell(shown))
    for copy in explanation.copies:
        console.print(Text("copy (near-duplicate, not counted): ", style="dim")
                      + cell(f"{copy.get('external_id')} of {copy.get('copy_of')}"))


@app.command(epilog="Example: aidtrace serve --db aidtrace.db --port 8000   (then open http://127.0.0.1:8000/api/docs)")
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="address to listen on (127.0.0.1: this machine only)")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port to listen on")] = 8000,
) -> None:
    """Serve the REST API (/api, docs at /api/docs) over the database.

    Reading is open; posting articles needs AIDTRACE_API_TOKEN (send it as a bearer token).
    """
    import socket

    with handled():
        settings = Settings.load(db=db)
        with open_store(settings.db):
            pass  # the database must exist and be aidtrace's (a clear error here, not per request)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as bind_error:
                raise UsageError(f"cannot listen on {host}:{port} ({bind_error.strerror}) — choose another "
                                 "--port, or stop what is using it") from bind_error
    import uvicorn

    from .web.app import create_app

    err().print(f"aidtrace serving {plain(settings.db)} on http://{host}:{port}/api/docs — Ctrl+C stops",
                markup=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command(epilog="Example: aidtrace reanalyse --all --db aidtrace.db")
def reanalyse(
    db: DbOption = None,
    all_docs: Annotated[bool, typer.Option("--all", help="every current document")] = False,
    failed: Annotated[bool, typer.Option("--failed", help="documents whose analysis failed")] = False,
    since: Annotated[str | None, typer.Option("--since", help="documents published on or after, YYYY-MM-DD")] = None,
    jobs: JobsOption = None,
) -> None:
    """Re-code stored documents with the current coder and update the ledger.

    Events the coder no longer finds are kept, marked superseded. Exit code 1 if some
    documents failed analysis.
    """
    with handled():
        if not (all_docs or failed or since):
            raise UsageError("say which documents to re-code: --all, --failed or --since YYYY-MM-DD")
        if all_docs and failed:
            raise UsageError("--all already includes the failed documents: give one of --all or --failed")
        settings = Settings.load(db=db, jobs=jobs)
        # Local workers start before the progress display's thread does (see ProcessExecutor).
        with pipeline.executor_for(settings) as executor, progress_bar() as progress:
            summary = pipeline.reanalyse(settings, scope="failed" if failed else "all", since=since,
                                         progress=progress, executor=executor)
    print_summary(summary, title="reanalyse")
    if summary.failed:
        raise typer.Exit(1)


# Exit status of an internal error (BSD sysexits EX_SOFTWARE).
EXIT_INTERNAL = 70


def main() -> None:
    """Console entry point. An unexpected error is a bug: it is told in one line (the traceback
    with AIDTRACE_DEBUG=1), never as a traceback that may print article text to the terminal."""
    one_blas_thread()  # before anything imports numpy (see aidtrace.runtime)
    try:
        app()
    except Exception as error:  # noqa: BLE001 - the last line of defence, re-raised when debugging
        if os.environ.get("AIDTRACE_DEBUG"):
            raise
        err().print(f"aidtrace: internal error ({type(error).__name__}: {plain(error)[:300]}) — this is a bug in "
                    "aidtrace: run again with AIDTRACE_DEBUG=1 for the traceback and report it",
                    style="bold red", markup=False, soft_wrap=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
