"""Shared by the web, browser and export tests: the ledger test corpus with one hostile article
stored in a database, and a real `aidtrace serve` process on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from aidtrace import ledger
from aidtrace.store import Store
from ledger_fixtures import document, event
from test_ledger_store import add, corpus


def fill_store(store: Store, hostile_sentence: str) -> None:
    """The ledger corpus, plus a Polish act told by a sentence of hostile text; ledger up to date."""
    for doc, events in corpus():
        add(store, doc, events)
    hostile = document("hostile", "2025-11-02")
    add(store, hostile, [event(hostile, actor=("POL",), when="2025-11-02", sentence=hostile_sentence)])
    ledger.update(store)


def fill(db: str, hostile_sentence: str) -> None:
    with Store.open(db) as store:
        fill_store(store, hostile_sentence)


@contextmanager
def serving(db: str, wait: float = 30.0) -> Iterator[str]:
    """`aidtrace serve` over ``db`` on a free loopback port: its base URL once it answers."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "aidtrace.cli", "serve", "--db", db, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(base + "/api/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
