"""The REST API (issue 10) on a real SQLite file and a real PostgreSQL database: the ledger, events,
documents, claims and totals, the same figures as the CLI, one error shape, the bearer token on
writes, the request size limit, and headers that keep article text inert."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import ledger_fixtures
from aidtrace import ledger
from aidtrace.cli import app as cli_app
from aidtrace.settings import Settings
from aidtrace.store import Store
from aidtrace.web.api import MAX_BODY
from aidtrace.web.app import create_app
from web_server import fill, serving

HOSTILE = '<script>alert("x")</script> =HYPERLINK("http://evil.example")'


@pytest.fixture
def client(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("AIDTRACE_API_TOKEN", raising=False)
    monkeypatch.delenv("AIDTRACE_API_READ_TOKEN", raising=False)
    fill(db_url, HOSTILE)
    with TestClient(create_app(Settings.load(db=db_url))) as c:
        c.db = db_url  # type: ignore[attr-defined]
        yield c


def every(client: TestClient, path: str, **params: object) -> list[dict]:
    """All items of a paged list, following the cursor."""
    items, cursor = [], None
    while True:
        body = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items += body["items"]
        cursor = body["next"]
        if cursor is None:
            return items


def test_the_ledger_pages_with_a_cursor_and_filters_like_the_library(client: TestClient) -> None:
    with Store.open(client.db) as store:  # type: ignore[attr-defined]
        expected = [r["ledger_id"] for r in ledger.query(store)]
        delivered = [r["ledger_id"] for r in ledger.query(store, ledger.LedgerFilter(status=("delivered",)))]
    first = client.get("/api/ledger", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["total"] == len(expected) and first["next"]
    assert [r["ledger_id"] for r in every(client, "/api/ledger", limit=2)] == expected
    assert [r["ledger_id"] for r in every(client, "/api/ledger", status="delivered")] == delivered
    nasams = [r for r in every(client, "/api/ledger") if r["reports"] == 4]
    assert len(nasams) == 1
    one = client.get(f"/api/ledger/{nasams[0]['ledger_id']}").json()
    assert one["ledger"]["ledger_id"] == nasams[0]["ledger_id"] and len(one["reports"]) >= 4
    assert all(r["sentence"] for r in one["reports"])


def test_totals_answer_the_figures_of_the_cli(client: TestClient) -> None:
    for params, options in [({"by": "donor"}, ["--by", "donor"]),
                            ({"by": "status", "currency": "USD"}, ["--by", "status", "--currency", "USD"]),
                            ({"by": "month", "status": "delivered"}, ["--by", "month", "--status", "delivered"]),
                            ({"by": "recipient", "all_events": "true"}, ["--by", "recipient", "--all-events"])]:
        api = client.get("/api/totals", params=params).json()["items"]
        result = CliRunner().invoke(cli_app, ["totals", "--db", client.db, "--format", "jsonl",  # type: ignore[attr-defined]
                                              *options])
        assert result.exit_code == 0, result.output
        assert api == [json.loads(line) for line in result.stdout.splitlines()]


def test_events_documents_claims_and_actors(client: TestClient) -> None:
    with Store.open(client.db) as store:  # type: ignore[attr-defined]
        events = store.events()
        aid = store.events(type="AID", actor="NOR")
    assert every(client, "/api/events", limit=3) == events
    assert every(client, "/api/events", type="AID", actor="NOR") == aid
    docs = every(client, "/api/documents")
    assert {d["external_id"] for d in docs} >= {"ntb-0902", "hostile"}
    hostile = next(d for d in docs if d["external_id"] == "hostile")
    one = client.get(f"/api/documents/{hostile['id']}").json()
    assert [e["evidence"]["sentence"] for e in one["events"]] == [HOSTILE]
    assert client.get("/api/claims").json()["items"] == []
    codes = {a["code"]: a for a in client.get("/api/actors").json()["items"]}
    assert codes["UKR"]["as_recipient"] > 0 and codes["NOR"]["as_actor"] > 0


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/api/ledger/no-such-id", 404, "neither a ledger id"),
    ("/api/documents/nope", 404, "no document 'nope'"),
    ("/api/ledger?status=maybe", 400, "is not a status"),
    ("/api/totals?by=planet", 400, "cannot total by 'planet'"),
    ("/api/totals?currency=XYZ", 400, "EUR or USD"),
    ("/api/ledger?limit=0", 400, "limit"),
    ("/api/ledger?cursor=%%%", 400, "cursor is not one this API gave"),
    ("/api/events?since=yesterday", 400, "since"),
    ("/api/nothing/here", 404, "no such page"),
])
def test_every_error_has_one_shape_and_says_what_to_do(client: TestClient, path: str, status: int,
                                                        words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status and words in body["error"]["message"]


ARTICLE = {"id": "posted-1", "published": "2025-07-02",
           "text": "Norway will send two more NASAMS air defence systems to Ukraine, its defence ministry said on "
                   "Wednesday. The systems are worth 2.5 billion crowns."}


def test_posting_needs_a_configured_token(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    response = client.post("/api/documents", json=ARTICLE)
    assert response.status_code == 403 and "set AIDTRACE_API_TOKEN" in response.json()["error"]["message"]
    monkeypatch.setenv("AIDTRACE_API_TOKEN", "s3cret")
    assert client.post("/api/documents", json=ARTICLE).status_code == 401
    wrong = client.post("/api/documents", json=ARTICLE, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    ok = client.post("/api/documents", json=ARTICLE, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["counts"]["new"] == 1 and ok.json()["counts"]["analysed"] == 1
    again = client.post("/api/documents", json=ARTICLE, headers={"Authorization": "Bearer s3cret"})
    assert again.status_code == 201 and again.json()["counts"]["duplicate"] == 1
    with Store.open(client.db) as store:  # type: ignore[attr-defined]
        assert [d.external_id for d in store.documents()].count("posted-1") == 1
        assert any(e["document"]["external_id"] == "posted-1" for e in store.events())


def test_posted_input_is_checked_by_the_same_readers(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDTRACE_API_TOKEN", "s3cret")
    auth = {"Authorization": "Bearer s3cret"}
    empty = client.post("/api/documents", json={"id": "e", "text": "   "}, headers=auth)
    assert empty.status_code == 422 and empty.json()["error"]["message"].startswith("body")
    not_json = client.post("/api/documents", content=b"{broken", headers=auth)
    assert not_json.status_code == 400 and "not a JSON object" in not_json.json()["error"]["message"]
    big = client.post("/api/documents", content=b"x" * (MAX_BODY + 1), headers=auth)
    assert big.status_code == 413


def test_reads_can_be_put_behind_the_token(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDTRACE_API_TOKEN", "s3cret")
    monkeypatch.setenv("AIDTRACE_API_READ_TOKEN", "1")
    assert client.get("/api/ledger").status_code == 401
    assert client.get("/api/ledger", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_headers_keep_article_text_inert_and_docs_are_local(client: TestClient) -> None:
    response = client.get("/api/events")
    csp = response.headers["content-security-policy"]
    script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'" and "default-src 'self'" in csp  # no inline script at all
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"].startswith("application/json")
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/api/ledger" in docs.text and "http" not in docs.text.replace(
        "/api/openapi.json", "")
    assert client.get("/api/openapi.json").json()["paths"]["/api/totals"]


def test_serve_refuses_a_missing_database_and_a_busy_port(tmp_path: Path) -> None:
    import socket

    missing = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    db = tmp_path / "s.db"
    with Store.open(str(db)):
        pass
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 2 and "choose another --port" in result.output


def test_aidtrace_serve_answers_over_http(tmp_path: Path) -> None:
    # the real server process on a loopback port, as a user starts it
    import urllib.request

    db = tmp_path / "served.db"
    fill(str(db), HOSTILE)
    with serving(str(db)) as base, urllib.request.urlopen(f"{base}/api/ledger?limit=1", timeout=5) as response:
        body = json.loads(response.read())
    assert len(body["items"]) == 1 and body["total"] > 1


def test_pages_answer_and_unknown_ones_are_404(client: TestClient) -> None:
    for path in ("/", "/ledger?status=delivered&sort=-value", "/actors", "/actors/NOR", "/documents"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
    assert client.get("/actors/XXX").status_code == 404
    assert client.get("/static/../../etc/passwd").status_code == 404
    assert client.get("/static/app.py").status_code == 404
    assert client.get("/static/plotly.min.js").headers["content-type"].startswith("application/javascript")


# ---------------------------------------------------------------------- search, filters, sorting, uploads


def test_search_finds_articles_and_filters_the_ledger_and_events(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "Reuters"}).json()
    assert body["total"] == 1 and body["q"] == "Reuters"
    hit = body["items"][0]
    assert hit["external_id"] == "reuters-0903"
    assert {hit["snippet"][a:b].lower() for a, b in hit["marks"]} == {"reuters"}
    with Store.open(client.db) as store:  # type: ignore[attr-defined]
        expected = [r["ledger_id"] for r in ledger.query(store, ledger.LedgerFilter(q="Reuters"))]
        events = store.events(q="Reuters")
    assert expected and [r["ledger_id"] for r in every(client, "/api/ledger", q="Reuters")] == expected
    assert every(client, "/api/events", q="Reuters") == events
    assert all(e["document"]["external_id"] == "reuters-0903" for e in events)
    bad = client.get("/api/search", params={"q": '"" -x'})
    assert bad.status_code == 400 and "no word to look for" in bad.json()["error"]["message"]
    assert client.get("/api/search").status_code == 400  # q is required


def test_category_filters_and_sorting_are_done_by_the_database(client: TestClient) -> None:
    with Store.open(client.db) as store:  # type: ignore[attr-defined]
        everything = ledger.query(store)
        categories = store.ledger.categories()
    assert "air defence" in categories
    air = every(client, "/api/ledger", category="air defence", limit=1)
    assert air and {r["ledger_id"] for r in air} == {r["ledger_id"] for r in everything
                                                    if r.get("category", None) in (None, "air defence")
                                                    and any((i.get("category") == "air defence")
                                                            for i in r.get("items") or [])}
    by_value = every(client, "/api/ledger", sort="-value", limit=2)
    values = [(r.get("value") or {}).get("eur") or -1.0 for r in by_value]
    assert values == sorted(values, reverse=True) and len(by_value) == len(everything)
    by_reports = every(client, "/api/ledger", sort="reports", limit=3)
    assert [r["reports"] for r in by_reports] == sorted(r["reports"] for r in everything)
    assert client.get("/api/ledger", params={"sort": "secret"}).status_code == 400
    api = client.get("/api/totals", params={"by": "donor", "category": "air defence"}).json()["items"]
    cli = CliRunner().invoke(cli_app, ["totals", "--db", client.db, "--format", "jsonl",  # type: ignore[attr-defined]
                                       "--category", "air defence"])
    assert cli.exit_code == 0 and api == [json.loads(line) for line in cli.stdout.splitlines()]


def test_a_file_upload_is_ingested_by_the_same_readers(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDTRACE_API_TOKEN", "s3cret")
    auth = {"Authorization": "Bearer s3cret"}
    page = (b"<html><head><title>Oslo adds launchers</title></head><body><article><p>OSLO (NTB) - Norway will "
            b"send two more NASAMS air defence systems to Ukraine, the defence ministry said on Wednesday.</p>"
            b"</article></body></html>")
    ok = client.post("/api/documents", files={"file": ("../../etc/passwd.html", page, "text/html")}, headers=auth)
    assert ok.status_code == 201, ok.text
    doc_id = ok.json()["documents"][0]
    stored = client.get(f"/api/documents/{doc_id}").json()
    assert stored["title"] == "Oslo adds launchers" and stored["external_id"] == "upload.html"
    assert stored["events"] and stored["events"][0]["actor"][0]["country"] == "NOR"
    assert client.get("/api/search", params={"q": "launchers Oslo"}).json()["total"] >= 1
    exe = client.post("/api/documents", files={"file": ("tool.exe", b"MZ", "application/octet-stream")}, headers=auth)
    assert exe.status_code == 415 and ".html" in exe.json()["error"]["message"]
    no_file = client.post("/api/documents", files={"other": ("a.txt", b"x", "text/plain")}, headers=auth)
    assert no_file.status_code == 400 and "multipart field 'file'" in no_file.json()["error"]["message"]
    empty = client.post("/api/documents", files={"file": ("a.txt", b"", "text/plain")}, headers=auth)
    assert empty.status_code == 422 and empty.json()["error"]["message"].startswith("file")
    anonymous = client.post("/api/documents", files={"file": ("a.html", page, "text/html")})
    assert anonymous.status_code == 401


def test_the_search_page_marks_matches_and_shows_hostile_text_as_text(client: TestClient) -> None:
    page = client.get("/search", params={"q": "Reuters"})
    assert page.status_code == 200 and "<mark>Reuters</mark>" in page.text and "1 article matches" in page.text
    assert "/ledger?q=Reuters" in page.text  # the ledger events reported in the matches
    bad = client.get("/search", params={"q": '<script>alert(1)</script> ""'})
    assert bad.status_code == 200 and "<script>alert(1)" not in bad.text and "&lt;script&gt;" in bad.text
    filtered = client.get("/ledger", params={"q": "Reuters", "category": "air defence", "sort": "-reports"})
    assert filtered.status_code == 200 and 'value="Reuters"' in filtered.text


def test_the_overview_is_kept_until_the_database_changes(client: TestClient) -> None:
    first = client.get("/").text
    if "://" not in client.db:  # type: ignore[attr-defined]  # SQLite: the same page, from the cache
        assert client.get("/").text == first
    with Store.open(client.db) as store:  # type: ignore[attr-defined]
        fill_more = ledger_fixtures.document("late-report", "2025-11-20", "AFP")
        store.add_document(fill_more)
        store.save_analysis(fill_more.id, [], [ledger_fixtures.event(fill_more, actor=("CAN",), when="2025-11-20",
                                                                     amount=7e8, currency="EUR")], [])
        ledger.update(store)
    assert "Canada" in client.get("/").text and "Canada" not in first


def test_a_page_of_the_ledger_is_its_slice_with_the_count_of_the_whole(client: TestClient) -> None:
    with Store.open(client.db) as store:  # type: ignore[attr-defined]
        for filters, order in [(ledger.LedgerFilter(), None), (ledger.LedgerFilter(actor="NOR"), "-value"),
                               (ledger.LedgerFilter(status=("delivered", "approved")), "reports"),
                               (ledger.LedgerFilter(q="Reuters OR AFP"), "-date"),
                               (ledger.LedgerFilter(actor="JPN"), None)]:
            whole = ledger.query(store, filters, order=order)
            for limit, offset in [(1, 0), (2, 1), (3, 2), (100, 0), (5, len(whole)), (5, len(whole) + 7)]:
                records, total = ledger.page(store, filters, limit=limit, offset=offset, order=order)
                assert total == len(whole) == ledger.count(store, filters)
                assert records == whole[offset:offset + limit], (filters, order, limit, offset)
