"""Reconciliation with the Kiel Ukraine Support Tracker: the real Release 29 tables (read from
../shared at run time), an XLSX in the tracker's layout, and claims checked against both."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from aidtrace import ledger
from aidtrace.cli import app
from aidtrace.errors import UsageError
from aidtrace.ledger.kiel import read_kiel
from aidtrace.ledger.reconcile import reconcile_kiel
from aidtrace.model import Claim, DateSpan, Evidence, Money, Role
from aidtrace.store import Store
from ledger_fixtures import ENTITIES, document
from test_ledger_store import add, corpus

EUROPE = ENTITIES["EU"].__class__(id="EUROPE", name="European countries", org="EUROPE", kind="group")
KIEL = ENTITIES["DEU"].__class__(id="org:kiel-institute", name="Kiel Institute", country="DEU",
                                 sector=["RES"], kind="research")


@pytest.fixture
def kiel_dir(shared: Path) -> Path:
    return shared / "data" / "kiel_ust_r29"


def kiel_sum(kiel_dir: Path, column: str, donors: set[str], start: str = "0000-00", end: str = "9999-99") -> float:
    """Sum a column of data_explorer.csv by hand (EUR bn -> EUR)."""
    with (kiel_dir / "data_explorer.csv").open(encoding="utf-8") as fh:
        return sum(float(r[column]) * 1e9 for r in csv.DictReader(fh)
                   if r["iso"] in donors and start <= f"{int(r['year']):04d}-{int(r['month']):02d}" <= end)


def claim(doc_id: str, subject: Role, amount: float, start: str | None, end: str | None) -> Claim:
    period = DateSpan(start, end, "range", "since February 2022") if start else None
    sentence = f"{subject.text} gave {amount:g} euros in military aid, the Kiel Institute said."
    return Claim(doc_id, "military_aid_total", Money(amount, "EUR", f"{amount:g} euros", eur=amount, usd=amount * 1.1),
                 Evidence(sentence, 0, len(sentence), "gave"), subject=[subject], period=period,
                 reported_by=Role("the Kiel Institute", KIEL))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "r.db"
    with Store.open(str(path)) as store:
        for doc, events in corpus():
            add(store, doc, events)
        news = document("claims-0613", "2025-06-13", "Reuters")
        store.add_document(news)
        store.save_analysis(news.id, [], [], [
            claim(news.id, Role("European countries", EUROPE), 7.2e10, "2022-02-01", "2025-04-30"),
            claim(news.id, Role("Germany", ENTITIES["DEU"]), 1.6e10, None, None)])
        ledger.update(store)
    return path


def test_reconcile_runs_on_the_real_kiel_tables_and_compares_per_donor(db: Path, kiel_dir: Path) -> None:
    kiel = read_kiel(str(kiel_dir))
    assert (kiel.release, kiel.first_month, kiel.last_month, kiel.skipped) == ("29", "2022-01", "2026-04", 0)
    with Store.open(str(db)) as store:
        result = reconcile_kiel(store, kiel)
    rows = {d.donor: d for d in result.donors}
    assert len(rows) == 42  # every Kiel donor; the ledger's donors (NOR, SWE, USA) are all among them
    nor = rows["NOR"]
    assert nor.kiel_allocated_eur == pytest.approx(kiel_sum(kiel_dir, "total", {"NOR"}))
    assert nor.kiel_military_eur == pytest.approx(kiel_sum(kiel_dir, "military", {"NOR"}))
    assert nor.ledger_eur == pytest.approx(2.5e9 * 0.085 + 9e8 * 0.085) and nor.ledger_events == 2
    assert nor.coverage == pytest.approx(nor.ledger_eur / nor.kiel_allocated_eur)
    assert set(nor.matched_months) | set(nor.ledger_only_months) == {"2025-09"}
    assert len(nor.gap_months) == nor.kiel_months - len(nor.matched_months)
    usa = rows["USA"]
    assert usa.ledger_events == 1 and usa.ledger_without_value == 1
    assert result.summary["kiel_allocated_eur"] == pytest.approx(358.4e9, rel=1e-3)
    months = {m.month: m for m in result.months}
    assert months["2025-09"].ledger_events == 2 and months["2025-09"].kiel_allocated_eur > 0


def test_claims_are_checked_against_kiel_and_the_ledger(db: Path, kiel_dir: Path) -> None:
    with Store.open(str(db)) as store:
        result = reconcile_kiel(store, read_kiel(str(kiel_dir)))
    europe = next(c for c in result.claims if c.subject == "EUROPE")
    europeans = {g.code: g for g in ledger.donor_groups()}["EUROPE"]
    kiel_donors = {d.donor for d in result.donors if d.kiel_allocated_eur}
    members = {d for d in kiel_donors if europeans.member(d, date(2025, 5, 1))}
    assert "EU" in members and "NOR" in members and "USA" not in members
    assert europe.kiel_eur == pytest.approx(kiel_sum(kiel_dir, "military", members, "2022-02", "2025-04"))
    assert europe.kiel_ratio == pytest.approx(7.2e10 / europe.kiel_eur)
    germany = next(c for c in result.claims if c.subject == "DEU")
    assert (germany.period_start, germany.period_end) == ("2022-01", "2025-06")  # Kiel's start to the article
    assert germany.kiel_eur == pytest.approx(kiel_sum(kiel_dir, "military", {"DEU"}, "2022-01", "2025-06"))
    assert germany.reported_by == "Kiel Institute" and germany.ledger_events == 0


def test_the_reconcile_command_prints_table_and_jsonl(db: Path, kiel_dir: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["reconcile", "kiel", str(kiel_dir), "--db", str(db)], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.stderr
    assert "per donor" in table.stdout and "Norway" in table.stdout and "EUROPE" in table.stdout
    lines = [json.loads(x) for x in runner.invoke(app, ["reconcile", "kiel", str(kiel_dir), "--db", str(db),
                                                        "--format", "jsonl"]).stdout.splitlines()]
    assert lines[0]["record"] == "reconcile_summary" and lines[0]["release"] == "29"
    assert {x["record"] for x in lines} == {"reconcile_summary", "reconcile_donor", "reconcile_month",
                                             "reconcile_claim"}
    missing = runner.invoke(app, ["reconcile", "kiel", str(db.parent / "nowhere"), "--db", str(db)])
    assert missing.exit_code == 2 and "no Kiel tracker tables" in missing.stderr
    assert "Example:" in runner.invoke(app, ["reconcile", "kiel", "--help"]).stdout


def write_workbook(path: Path, rows: list[tuple[object, ...]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Bilateral Assistance, MAIN DATA"
    sheet.append(("ID", "donor", "announcement_date", "aid_type_general", "measure", "tot_sub_activity_value_EUR",
                  "item"))
    for row in rows:
        sheet.append(row)
    book.create_sheet("Country Summary (€)")
    book.save(path)
    return path


def test_the_tracker_xlsx_is_read_and_reconciled(db: Path, tmp_path: Path) -> None:
    xlsx = write_workbook(tmp_path / "Ukraine_Support_Tracker.xlsx", [
        (1, "Norway", date(2025, 9, 3), "Military", "Allocation", 2.1e8, "NASAMS"),
        (2, "Norway", date(2025, 9, 3), "Military", "Commitment", 5e8, ""),
        (3, "EU (Commission and Council)", date(2025, 3, 1), "Financial", "Allocation", 1e9, ""),
        (4, "Sweden", date(2025, 6, 20), "Military", "Allocation", "n/a", "CV90"),
        (5, "Atlantis", date(2025, 6, 20), "Military", "Allocation", 1e6, ""),
        (6, "Germany", None, "Humanitarian", "Allocation", 3e7, ""),
    ])
    kiel = read_kiel(str(xlsx))
    assert kiel.skipped == 2 and any("Atlantis" in p for p in kiel.problems)
    assert [(e.donor, e.measure) for e in kiel.entries] == [("NOR", "allocation"), ("NOR", "commitment"),
                                                             ("EU", "allocation"), ("DEU", "allocation")]
    with Store.open(str(db)) as store:
        result = reconcile_kiel(store, kiel)
    nor = {d.donor: d for d in result.donors}["NOR"]
    assert nor.kiel_allocated_eur == 2.1e8 and nor.kiel_military_eur == 2.1e8 and nor.kiel_committed_eur == 7.1e8
    assert nor.matched_months == ["2025-09"] and nor.gap_months == []
    # the same workbook inside a folder is read beside (or instead of) the website tables
    folder = tmp_path / "kiel"
    folder.mkdir()
    xlsx.rename(folder / xlsx.name)
    assert read_kiel(str(folder)).entries


def test_a_broken_workbook_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(UsageError, match="cannot read this XLSX"):
        read_kiel(str(bad))
    other = write_workbook(tmp_path / "other.xlsx", [])
    book = __import__("openpyxl").load_workbook(other)
    book["Bilateral Assistance, MAIN DATA"].title = "Something else"
    book.save(other)
    with pytest.raises(UsageError, match="no sheet"):
        read_kiel(str(other))
