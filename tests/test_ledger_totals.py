"""Totals of ledger events against sums computed by hand, in EUR and USD, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidtrace import ledger
from aidtrace.cli import app
from aidtrace.errors import UsageError
from aidtrace.ledger import LedgerFilter
from aidtrace.model import Claim, Evidence, Money, Role
from aidtrace.store import Store
from ledger_fixtures import ENTITIES, document, event
from test_ledger_store import add, corpus

# Fixed test rates (ledger_fixtures.RATES): 1 NOK = 0.085 EUR = 0.0935 USD; 1 GBP = 1.2 EUR = 1.32 USD;
# 1 EUR = 1.1 USD. UAH has no rate: its value is stated but not convertible.
NASAMS_EUR, NASAMS_USD = 2.5e9 * 0.085, 2.5e9 * 0.0935      # 212.5 m, 233.75 m
MISSILES_EUR, MISSILES_USD = 9e8 * 0.085, 9e8 * 0.0935      # 76.5 m, 84.15 m
UK_EUR, UK_USD = 1.5e8 * 1.2, 1.5e8 * 1.32                  # 180 m, 198 m
DE_EUR, DE_USD = 5e8, 5e8 * 1.1                             # 500 m, 550 m
JOINT_EUR, JOINT_USD = 1e8, 1e8 * 1.1                       # 100 m, 110 m


def more() -> list[tuple[object, list[object]]]:
    uk, de, joint = document("pa-0212", "2025-02-12", "PA"), document("dpa-0612", "2025-06-12", "dpa"), \
        document("afp-0301", "2025-03-01", "AFP")
    pl, req = document("pap-1105", "2025-11-05", "PAP"), document("ukr-1201", "2025-12-01", "Ukrinform")
    return [
        (uk, [event(uk, actor=("GBR",), when="2025-02-12", amount=1.5e8, currency="GBP", items=(("drone", None),))]),
        (de, [event(de, kind="AGREE", status="pledged", actor=("DEU",), when="2025-06-12", amount=5e8,
                    currency="EUR", items=(("IRIS-T", None),), modality="future")]),
        (joint, [event(joint, actor=("DEU", "FRA"), when="2025-03-01", amount=1e8, currency="EUR", items=())]),
        (pl, [event(pl, actor=("POL",), when="2025-11-05", amount=4e9, currency="UAH", items=())]),
        (req, [event(req, kind="REQUEST", status=None, actor=("UKR",), recipient=("USA",), when="2025-12-01",
                     amount=1e9, currency="USD", items=())]),
    ]


@pytest.fixture
def full(store: Store) -> Store:
    for doc, events in corpus() + more():
        add(store, doc, events)  # type: ignore[arg-type]
    # a claim quoting a big figure must never reach the totals
    doc = document("kiel-claim", "2025-06-13")
    store.add_document(doc)
    store.save_analysis(doc.id, [], [], [Claim(doc.id, "military_aid_total", Money(1.6e10, "EUR", "16 billion euros",
                                                                                      eur=1.6e10, usd=1.76e10),
                                               Evidence("Germany gave 16 billion euros.", 0, 30, "gave"),
                                               subject=[Role("Germany", ENTITIES["DEU"])])])
    ledger.update(store)
    return store


def rows(result: ledger.Totals) -> dict[str, tuple[float, int, int, int]]:
    return {r.key: (round(r.total, 2), r.events, r.without_value, r.unconverted) for r in result.rows}


def test_totals_by_donor_equal_hand_computed_sums_in_eur_and_usd(full: Store) -> None:
    eur = ledger.totals(full, by="donor", currency="EUR")
    assert rows(eur) == {
        "DEU": (DE_EUR, 1, 0, 0), "NOR": (NASAMS_EUR + MISSILES_EUR, 2, 0, 0), "GBR": (UK_EUR, 1, 0, 0),
        "DEU+FRA": (JOINT_EUR, 1, 0, 0), "POL": (0.0, 1, 0, 1), "SWE": (0.0, 1, 1, 0), "USA": (0.0, 1, 1, 0)}
    assert [r.key for r in eur.rows][:2] == ["DEU", "NOR"]  # largest first
    assert round(eur.overall.total, 2) == DE_EUR + NASAMS_EUR + MISSILES_EUR + UK_EUR + JOINT_EUR
    assert (eur.overall.events, eur.overall.without_value, eur.overall.unconverted) == (8, 2, 1)
    usd = ledger.totals(full, by="donor", currency="USD")
    assert round(usd.overall.total, 2) == round(DE_USD + NASAMS_USD + MISSILES_USD + UK_USD + JOINT_USD, 2)
    assert rows(usd)["NOR"] == (round(NASAMS_USD + MISSILES_USD, 2), 2, 0, 0)


def test_every_grouping_but_donor_groups_adds_up_to_the_overall_total(full: Store) -> None:
    overall = ledger.totals(full).overall
    for by in ("donor", "recipient", "month", "quarter", "year", "status", "category", "type", "flow"):
        result = ledger.totals(full, by=by)
        assert sum(r.events for r in result.rows) == overall.events, by
        assert round(sum(r.total for r in result.rows), 2) == round(overall.total, 2), by
        assert sorted(i for r in result.rows for i in r.ledger_ids) == sorted(overall.ledger_ids), by


def test_periods_statuses_and_types(full: Store) -> None:
    months = rows(ledger.totals(full, by="month"))
    assert months["2025-09"] == (round(NASAMS_EUR + MISSILES_EUR, 2), 2, 0, 0)
    assert rows(ledger.totals(full, by="quarter"))["2025-Q1"] == (UK_EUR + JOINT_EUR, 3, 1, 0)  # and the US halt
    assert set(rows(ledger.totals(full, by="year"))) == {"2025"}
    by_status = rows(ledger.totals(full, by="status"))
    assert by_status["pledged"] == (DE_EUR, 1, 0, 0) and by_status["delivered"] == (0.0, 1, 1, 0)
    only_pledged = ledger.totals(full, filters=LedgerFilter(status=("pledged",)))
    assert round(only_pledged.overall.total, 2) == DE_EUR
    assert rows(ledger.totals(full, by="type", types=["AGREE"])) == {"AGREE": (DE_EUR, 1, 0, 0)}
    since = ledger.totals(full, filters=LedgerFilter(since="2025-09-01"))
    assert round(since.overall.total, 2) == round(NASAMS_EUR + MISSILES_EUR, 2)


def test_flows_pair_donors_and_recipients(full: Store) -> None:
    flows = {r.key: r for r in ledger.totals(full, by="flow").rows}
    assert flows["NOR>UKR"].label == "Norway → Ukraine" and flows["NOR>UKR"].events == 2
    assert flows["DEU+FRA>UKR"].total == JOINT_EUR


def test_donor_groups_count_events_of_members_on_the_event_date(full: Store) -> None:
    groups = rows(ledger.totals(full, by="group"))
    assert groups["EU_MEMBERS"] == (DE_EUR + JOINT_EUR, 4, 1, 1)  # DEU, DEU+FRA, SWE, POL
    assert groups["G7"] == (DE_EUR + JOINT_EUR + UK_EUR, 4, 1, 0)  # DEU, DEU+FRA, GBR, USA
    assert groups["EUROPE"][0] == round(DE_EUR + JOINT_EUR + UK_EUR + NASAMS_EUR + MISSILES_EUR, 2)
    assert groups["NATO"][1] == 8 and ledger.totals(full, by="group").overlapping


def test_membership_follows_accession_and_exit_dates() -> None:
    nato = {g.code: g for g in ledger.donor_groups()}["NATO"]
    eu = {g.code: g for g in ledger.donor_groups()}["EU_MEMBERS"]
    assert not nato.member("SWE", date(2023, 6, 1)) and nato.member("SWE", date(2024, 6, 1))
    assert not nato.member("FIN", date(2022, 12, 31)) and nato.member("FIN", date(2023, 4, 4))
    assert eu.member("GBR", date(2019, 12, 31)) and not eu.member("GBR", date(2021, 1, 1))
    assert eu.holds(("DEU", "FRA"), date(2025, 1, 1)) and not eu.holds(("DEU", "USA"), date(2025, 1, 1))
    assert {g.code: g for g in ledger.donor_groups()}["EUROPE"].member("EU", None)


def test_claims_and_other_families_stay_out_unless_asked(full: Store) -> None:
    assert "UKR" not in rows(ledger.totals(full))  # the request is not aid
    everything = rows(ledger.totals(full, family=None, currency="USD"))
    assert everything["UKR"] == (1e9, 1, 0, 0)


def test_bad_groupings_and_currencies_are_usage_errors(full: Store) -> None:
    with pytest.raises(UsageError, match="cannot total by"):
        ledger.totals(full, by="country")
    with pytest.raises(UsageError, match="EUR or USD"):
        ledger.totals(full, currency="GBP")


def test_the_totals_command(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with Store.open(str(db)) as store:
        for doc, events in corpus() + more():
            add(store, doc, events)  # type: ignore[arg-type]
    runner = CliRunner()
    table = runner.invoke(app, ["totals", "--db", str(db), "--by", "donor"], env={"COLUMNS": "160"})
    assert table.exit_code == 0 and "Norway" in table.stdout and f"{DE_EUR:,.0f}" in table.stdout
    lines = runner.invoke(app, ["totals", "--db", str(db), "--currency", "USD", "--format", "jsonl"]).stdout
    overall = json.loads(lines.splitlines()[-1])
    assert overall["key"] == "all" and overall["total"] == round(
        DE_USD + NASAMS_USD + MISSILES_USD + UK_USD + JOINT_USD, 2)
    csv_text = runner.invoke(app, ["totals", "--db", str(db), "--by", "group", "--format", "csv"]).stdout
    assert csv_text.splitlines()[0] == "by,key,label,currency,total,events,with_value,without_value,unconverted"
    assert runner.invoke(app, ["totals", "--db", str(db), "--by", "planet"]).exit_code == 2
    assert "Example:" in runner.invoke(app, ["totals", "--help"]).stdout
