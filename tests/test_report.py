"""The HTML report: one self-contained file, opened in a real headless Chromium (Debian's
/usr/bin/chromium driven by Playwright): charts render, no console errors, no network
request, article text shown as text."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aidtrace import ledger
from aidtrace.cli import app
from aidtrace.ledger.report import plotly_js, safe_url, script_json
from aidtrace.store import Store
from ledger_fixtures import document, event
from test_ledger_store import add, corpus

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
HOSTILE = ('Poland sent <script>alert("x")</script> <img src=x onerror=alert(1)> '
           '[bold red]shells[/] </script><!-- to Ukraine.')


@pytest.fixture
def report_file(tmp_path: Path, shared: Path) -> Path:
    db = tmp_path / "r.db"
    with Store.open(str(db)) as store:
        for doc, events in corpus():
            add(store, doc, events)
        doc = document("hostile", "2025-11-02", outlet="<b>Evil</b> News")
        doc.url = "javascript:alert(1)"
        add(store, doc, [event(doc, actor=("POL",), when="2025-11-02", amount=1e8, currency="EUR",
                               sentence=HOSTILE, items=(("drone", None),))])
        ledger.update(store)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "-o", str(out), "--db", str(db),
                                      "--kiel", str(shared / "data" / "kiel_ust_r29")])
    assert result.exit_code == 0, result.stderr
    return out


def test_the_report_is_one_offline_file(report_file: Path) -> None:
    html = report_file.read_text(encoding="utf-8")
    assert plotly_js() in html  # the bundled library, inlined
    html = html.replace(plotly_js(), "")  # its own code names CDNs it never uses here (topojson, MathJax)
    assert "<script src" not in html and "<link" not in html and "cdn." not in html.lower()
    assert "Content-Security-Policy" in html and "connect-src 'none'" in html
    assert "Plotly.newPlot" in html
    assert '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;' in html  # article text escaped
    assert 'href="javascript:' not in html and "&lt;b&gt;Evil&lt;/b&gt; News" in html
    assert "Reconciliation with the Kiel Ukraine Support Tracker" in html


def test_chart_json_cannot_close_its_script_element() -> None:
    text = script_json({"label": "</script><script>alert(1)</script>", "x": "a & b"})
    assert "</" not in text and "<" not in text and "&" not in text


def test_only_web_links_are_kept() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None
    assert safe_url("/relative/path") is None and safe_url(None) is None


def _browser() -> Any:
    missing = not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None
    if missing and os.environ.get("CI"):
        pytest.fail("CI must run the browser test: .ci/run installs chromium")
    if missing:
        pytest.skip("Debian's chromium (apt-get install chromium) is needed for the browser test")
    return pytest.importorskip("playwright.sync_api")


def test_the_report_renders_in_chromium_without_errors_or_network(report_file: Path, tmp_path: Path) -> None:
    sync_api = _browser()
    problems: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
                    else None)
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(report_file.as_uri())
            page.wait_for_selector("body[data-rendered=yes]", timeout=30_000)
            page.wait_for_timeout(500)
            plots = page.locator(".js-plotly-plot").count()
            text = page.inner_text("main")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert requests == [report_file.as_uri()]  # the file itself, nothing else
    assert dialogs == []
    assert plots == 4
    assert '<script>alert("x")</script>' in text and "[bold red]shells[/]" in text
    assert re.search(r"Norway\s*→\s*Ukraine", text) and "4 reports" in text
    assert (tmp_path / "report.png").stat().st_size > 50_000
