"""Continuous ingestion: watch a folder for new files, poll RSS/Atom feeds.

Both run the same ``pipeline.ingest_units`` as ``aidtrace ingest`` (so the ledger's
``after_ingest`` runs as documents arrive) and keep their state in the store, so they can be
stopped at any moment and started again: nothing is read twice needlessly, and what is read
twice is recognised by its content and changes nothing.

- ``watch_folder``: a file is read once it is *complete*: hidden names (``.name.tmp``, the usual
  temporary name of writers that rename into place) and unknown extensions (``.part``,
  ``.crdownload``) are never read, and a file is read only when its size and modification time
  are the same on two scans in a row. The size and time of each file read are stored
  (``watched_files``); a file that changes later is read again (a new version if its text did).
- ``poll_feeds``: each registered feed is fetched with a conditional GET (``If-None-Match`` /
  ``If-Modified-Since`` from the last successful fetch); a 304 costs nothing, a 200 is ingested
  as a feed, then the validators are stored. A failing feed is recorded and the others go on.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import __version__
from .errors import UsageError
from .model import Rejection
from .pipeline import Executor, Progress, RunSummary, ingest_units
from .settings import Settings

FETCH_TIMEOUT = 30.0
USER_AGENT = f"aidtrace/{__version__} (+feed reader)"

Stop = Callable[[], bool]


def _sleep(seconds: float, stop: Stop) -> None:
    """Sleep up to ``seconds``, waking early when ``stop`` says so."""
    end = time.monotonic() + seconds
    while not stop() and (left := end - time.monotonic()) > 0:
        time.sleep(min(0.1, left))


# ---------------------------------------------------------------------- watch


def complete_files(folder: Path, previous: dict[str, tuple[int, int]]) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Files of ``folder`` whose size and mtime did not change since the previous scan.

    Args:
        folder: the watched folder (walked like ``aidtrace ingest FOLDER``).
        previous: what the previous scan saw, path -> (size, mtime_ns).
    Returns:
        the complete files, and what this scan saw (for the next one).
    """
    from .ingest.readers import walk

    seen: dict[str, tuple[int, int]] = {}
    for path in walk(folder):
        try:
            info = path.stat()
        except OSError:
            continue  # removed or renamed since the walk
        seen[str(path)] = (info.st_size, info.st_mtime_ns)
    ready = [path for path, state in seen.items() if previous.get(path) == state]
    return ready, seen


def watch_folder(folder: str, settings: Settings, interval: float = 5.0, stop: Stop = lambda: False,
                 on_run: Callable[[RunSummary], None] | None = None, fmt: str = "auto",
                 executor: Executor | None = None, progress: Progress | None = None) -> None:
    """Ingest files as they appear in ``folder`` until ``stop()`` is true.

    Args:
        folder: the folder to watch (recursively).
        settings: as for ``pipeline.ingest``.
        interval: seconds between scans; a file must be unchanged over one interval to be read.
        stop: checked between scans (set by a signal handler in the CLI).
        on_run: called with the summary of every run that read something.
        fmt, executor, progress: as for ``pipeline.ingest``.
    Raises:
        UsageError: the folder does not exist.
    """
    from .ingest.readers import InputUnit, check_format
    from .store import Store

    check_format(fmt)
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(f"{folder}: not a folder — give the folder to watch, e.g. aidtrace watch inbox/")
    if interval <= 0:
        raise UsageError(f"--interval {interval}: give a number of seconds above 0")
    previous: dict[str, tuple[int, int]] = {}
    with Store.open(settings.db) as store:
        while not stop():
            ready, previous = complete_files(root, previous)
            done = store.watched(ready)
            todo = {path: previous[path] for path in ready if done.get(path) != previous[path]}
            if todo:
                units = [InputUnit(path, Path(path).name, Path(path).suffix.lower(), path=path) for path in todo]
                summary = ingest_units(units, settings, {"watch": folder, "format": fmt}, fmt=fmt,
                                       progress=progress, store=store, executor=executor)
                store.mark_watched(todo, summary.run_id)
                if on_run:
                    on_run(summary)
            _sleep(interval, stop)


# ---------------------------------------------------------------------- feeds


@dataclass
class Fetched:
    """The answer to one conditional GET."""

    status: int | None  # 200, 304, another HTTP status, or None when no answer came
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


def check_feed_url(url: str) -> str:
    """The URL, stripped, if it is an http(s) URL with a host.

    Raises:
        UsageError: another scheme (file://, ftp://) or no host.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{url!r} is not an http(s) feed address — give one like https://example.org/feed.xml")
    return url


class _NoFileRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only (urllib would also follow ftp://)."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-http address {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, etag: str | None, last_modified: str | None, max_bytes: int,
          timeout: float = FETCH_TIMEOUT) -> Fetched:
    """GET ``url`` with the validators of the last successful fetch, reading at most ``max_bytes``."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    opener = urllib.request.build_opener(_NoFileRedirects)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                return Fetched(response.status, error=f"the feed is over the limit of {max_bytes:,} bytes")
            return Fetched(response.status, body, response.headers.get("ETag"),
                           response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as err:
        if err.code == 304:
            return Fetched(304)
        return Fetched(err.code, error=f"HTTP {err.code} {err.reason}")
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return Fetched(None, error=f"no answer ({reason})")


@dataclass
class FeedPoll:
    """What polling one feed did."""

    url: str
    status: int | None
    summary: RunSummary | None = None  # when new content was ingested
    error: str | None = None


def poll_feeds(settings: Settings, every: float | None = None, stop: Stop = lambda: False,
               on_poll: Callable[[FeedPoll], None] | None = None, executor: Executor | None = None,
               timeout: float = FETCH_TIMEOUT) -> list[FeedPoll]:
    """Poll every registered feed once, or every ``every`` seconds until ``stop()``.

    Args:
        settings: as for ``pipeline.ingest`` (max_bytes limits each download too).
        every: seconds between rounds; None polls once.
        stop: checked between feeds and rounds.
        on_poll: called with the result of every feed polled.
        executor: as for ``pipeline.ingest``.
        timeout: seconds to wait for a feed's server.
    Returns:
        the results of the last round.
    """
    from .store import Store

    if every is not None and every <= 0:
        raise UsageError(f"--every {every}: give a number of seconds above 0")
    with Store.open(settings.db) as store:
        while True:
            results = []
            for feed in store.feeds():
                if stop():
                    break
                result = _poll_one(store, feed, settings, executor, timeout)
                results.append(result)
                if on_poll:
                    on_poll(result)
            if every is None or stop():
                return results
            _sleep(every, stop)


def _poll_one(store: Any, feed: dict[str, Any], settings: Settings, executor: Executor | None,
              timeout: float) -> FeedPoll:
    from .ingest.readers import InputUnit

    url = feed["url"]
    got = fetch(url, feed["etag"], feed["last_modified"], settings.max_bytes, timeout)
    if got.status != 200 or got.error:
        store.update_feed(url, got.status, got.error)
        return FeedPoll(url, got.status, error=got.error)
    unit = InputUnit(url, urlsplit(url).netloc + urlsplit(url).path, ".xml", data=got.body)
    summary = ingest_units([unit], settings, {"feed": url}, fmt="feed", store=store, executor=executor)
    problem = _feed_problem(summary)
    # the validators are kept only once the content is stored: a kill before this line means
    # the next poll fetches the same content again, which the store recognises
    store.update_feed(url, 200, problem, got.etag if not problem else None,
                      got.last_modified if not problem else None, entries=summary.read)
    return FeedPoll(url, 200, summary, problem)


def _feed_problem(summary: RunSummary) -> str | None:
    """The reason a whole feed was rejected (not one entry), if it was."""
    whole = [r for r in summary.rejections if isinstance(r, Rejection) and r.line is None]
    return whole[0].reason if whole else None
