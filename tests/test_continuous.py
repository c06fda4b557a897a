"""Continuous ingestion (issue 11): ``aidtrace watch`` on a real folder and ``aidtrace feeds``
against a real HTTP server on the loopback interface (the one network edge the tests mock)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aidtrace.cli import app
from aidtrace.continuous import complete_files, poll_feeds
from aidtrace.errors import StoreError, UsageError
from aidtrace.settings import Settings
from aidtrace.store import Store

STORY = "Norway will send {n} more NASAMS air defence systems to Ukraine, the defence ministry said on {day}."
AIDTRACE = str(Path(sys.executable).with_name("aidtrace"))


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def line(i: int, day: str = "Monday") -> str:
    return json.dumps({"id": f"w{i}", "date": "2025-06-02", "text": STORY.format(n=i + 2, day=day)}) + "\n"


def documents(db: Path) -> list[str]:
    """External ids stored so far ([] while the watcher is still setting the database up)."""
    try:
        with Store.open(str(db), readonly=True) as store:
            return sorted(d.external_id for d in store.documents())
    except (StoreError, UsageError):
        return []


def wait_for(check: Any, seconds: float = 90.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


# ---------------------------------------------------------------------- watch


def test_only_files_unchanged_since_the_last_scan_are_complete(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(line(1), encoding="utf-8")
    (tmp_path / ".b.jsonl.tmp").write_text(line(2), encoding="utf-8")  # a writer's temporary name
    (tmp_path / "c.jsonl.part").write_text(line(3), encoding="utf-8")
    ready, seen = complete_files(tmp_path, {})
    assert ready == [] and list(seen) == [str(tmp_path / "a.jsonl")]
    ready, seen = complete_files(tmp_path, seen)
    assert ready == [str(tmp_path / "a.jsonl")]
    with (tmp_path / "a.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(line(4))
    assert complete_files(tmp_path, seen)[0] == []  # it grew: not complete yet


def test_watch_ingests_renamed_files_never_partial_ones_and_restarts(tmp_path: Path) -> None:
    inbox, db = tmp_path / "inbox", tmp_path / "w.db"
    inbox.mkdir()
    (inbox / "first.jsonl").write_text(line(0), encoding="utf-8")
    proc = subprocess.Popen([AIDTRACE, "watch", str(inbox), "--interval", "1", "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: documents(db) == ["w0"])
        # an atomic writer: a hidden temporary name, then a rename into place
        tmp = inbox / ".second.jsonl.tmp"
        tmp.write_text(line(1), encoding="utf-8")
        time.sleep(2.5)
        assert documents(db) == ["w0"]
        tmp.rename(inbox / "second.jsonl")
        wait_for(lambda: documents(db) == ["w0", "w1"])
        # a slow writer: part of a JSON line, more bytes every 0.1 s (ten times within one
        # interval), never read half-written
        slow = inbox / "slow.jsonl"
        text = line(2)
        for k in range(0, len(text), 12):
            with slow.open("a", encoding="utf-8") as fh:
                fh.write(text[k:k + 12])
            time.sleep(0.1)
        wait_for(lambda: documents(db) == ["w0", "w1", "w2"])
    except AssertionError as err:
        proc.send_signal(signal.SIGTERM)
        raise AssertionError(f"{err}; documents {documents(db)}; watch said: {proc.communicate(timeout=60)[1]}") from err
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert not [ln for ln in stderr.splitlines() if ln.startswith("rejected ")] and "Traceback" not in stderr
    with Store.open(str(db), readonly=True) as store:
        assert store.counts()["rejections"] == 0 and store.counts()["watched_files"] == 3
        runs = len(store.runs())
    # a restart reads nothing again; a changed file is read again
    (inbox / "second.jsonl").write_text(line(1, day="Tuesday"), encoding="utf-8")
    proc = subprocess.Popen([AIDTRACE, "watch", str(inbox), "--interval", "0.4", "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def changed() -> bool:
            with Store.open(str(db), readonly=True) as store:
                return any(d.version == 2 for d in store.documents())
        wait_for(changed)
        time.sleep(1.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    with Store.open(str(db), readonly=True) as store:
        assert len(store.runs()) == runs + 1  # only the changed file made a run
        assert store.counts()["documents"] == 4


def test_watch_needs_a_folder(tmp_path: Path) -> None:
    result = run("watch", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2 and "not a folder" in result.stderr


# ---------------------------------------------------------------------- feeds


def rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<item><guid>{guid}</guid><title>t</title><link>https://news.example/{guid}</link>"
                      f"<pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate><description>{text}</description></item>"
                      for guid, text in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback News</title>{entries}'
            "</channel></rss>").encode()


class FeedServer:
    """A feed on a loopback HTTP server that honours If-None-Match and If-Modified-Since."""

    def __init__(self) -> None:
        self.body = rss([("a1", STORY.format(n=2, day="Monday"))])
        self.version = 1
        self.requests: list[dict[str, str]] = []
        self.modified = formatdate(time.time() - 60, usegmt=True)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append(dict(self.headers))
                if self.path == "/missing.xml":
                    self.send_error(404)
                    return
                etag = f'"v{server.version}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", server.modified)
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, items: list[tuple[str, str]]) -> None:
        self.body, self.version = rss(items), self.version + 1
        self.modified = formatdate(time.time(), usegmt=True)


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    server = FeedServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_feeds_are_polled_with_conditional_gets(feed: FeedServer, tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    assert run("feeds", "add", feed.url, "--db", str(db)).exit_code == 0
    assert "already registered" in run("feeds", "add", feed.url, "--db", str(db)).stderr
    first = run("feeds", "poll", "--db", str(db))
    assert first.exit_code == 0, first.output
    assert documents(db) == ["a1"]
    second = run("feeds", "poll", "--db", str(db))
    assert "not modified" in second.stderr
    assert feed.requests[-1]["If-None-Match"] == '"v1"' and feed.requests[-1]["If-Modified-Since"]
    feed.publish([("a1", STORY.format(n=2, day="Monday")), ("a2", STORY.format(n=5, day="Friday"))])
    assert run("feeds", "poll", "--db", str(db)).exit_code == 0
    assert documents(db) == ["a1", "a2"]
    listing = run("feeds", "list", "--db", str(db))
    assert listing.exit_code == 0 and "127.0.0.1" in listing.stdout
    with Store.open(str(db), readonly=True) as store:
        (state,) = store.feeds()
    assert (state["etag"], state["status"], state["entries"]) == ('"v2"', 200, 3)


def test_a_failing_feed_is_reported_and_the_others_are_polled(feed: FeedServer, tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    bad = feed.url.replace("feed.xml", "missing.xml")
    closed = "http://127.0.0.1:9/feed.xml"
    for url in (bad, closed, feed.url):
        assert run("feeds", "add", url, "--db", str(db)).exit_code == 0
    result = run("feeds", "poll", "--db", str(db))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"feed {bad}: HTTP 404" in result.stderr and f"feed {closed}: no answer" in result.stderr
    assert documents(db) == ["a1"]
    with Store.open(str(db), readonly=True) as store:
        states = {f["url"]: f for f in store.feeds()}
    assert states[bad]["status"] == 404 and states[closed]["status"] is None and states[closed]["error"]


def test_polling_every_s_seconds_runs_until_stopped(feed: FeedServer, tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    with Store.open(str(db)) as store:
        store.add_feed(feed.url)
    rounds: list[int] = []

    def stop() -> bool:
        return len(feed.requests) >= 3

    poll_feeds(Settings.load(db=str(db)), every=0.2, stop=stop, on_poll=lambda r: rounds.append(r.status or 0))
    assert rounds[0] == 200 and set(rounds[1:]) == {304}


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "not a url"])
def test_only_http_feeds_are_accepted(url: str, tmp_path: Path) -> None:
    result = run("feeds", "add", url, "--db", str(tmp_path / "f.db"))
    assert result.exit_code == 2 and "not an http(s) feed address" in result.stderr


def test_poll_without_feeds_says_how_to_add_one(tmp_path: Path) -> None:
    result = run("feeds", "poll", "--db", str(tmp_path / "f.db"))
    assert result.exit_code == 2 and "aidtrace feeds add URL" in result.stderr
