"""The cross-document merge on per-report events built with the data model (no database)."""

from __future__ import annotations

import random
from typing import Any

from aidtrace.ledger.build import merge_reports
from aidtrace.ledger.merge import cluster_reports, components
from aidtrace.ledger.reports import Report
from aidtrace.ledger.rules import load_rules
from ledger_fixtures import document, report

RULES = load_rules()

NTB = document("ntb-0902", "2025-09-02", "NTB")
REUTERS = document("reuters-0903", "2025-09-03", "Reuters")
AFP = document("afp-0904", "2025-09-04", "AFP")
DPA = document("dpa-0904", "2025-09-04", "dpa")


def four_outlets() -> list[Report]:
    """One approval of two NASAMS, told by four outlets over three days (one twice)."""
    return [
        report(NTB, amount=2.5e9),
        report(REUTERS, amount=2.5e9, approximate=True, trigger="gave"),
        report(AFP, when="2025-09-01", precision="month", trigger="committed"),  # "in September"
        report(DPA, amount=2.5e9),
        report(DPA, amount=2.5e9, start=400, trigger="was approved"),  # the same article restates it
    ]


def ledger_of(reports: list[Report]) -> list[dict[str, Any]]:
    return [rows.event["record"] for rows in merge_reports(reports, RULES)]


def only(records: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    found = [r for r in records if all(r.get(k) == v for k, v in where.items())]
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------- restatements


def test_four_outlets_over_three_days_are_one_ledger_event_with_four_reports() -> None:
    (rec,) = ledger_of(four_outlets())
    assert rec["reports"] == 4 and len(rec["events"]) == 5
    assert rec["documents"] == ["ntb-0902", "reuters-0903", "afp-0904", "dpa-0904"]
    assert (rec["first_reported"], rec["last_reported"]) == ("2025-09-02", "2025-09-04")
    assert rec["date"]["start"] == "2025-09-02" and rec["date"]["precision"] == "day"  # the most precise
    assert rec["value"]["amount"] == 2.5e9 and rec["value"]["approximate"] is False  # stated, not hedged
    assert [len(e.get("also", [])) for e in rec["evidence"]] == [0, 0, 0, 1]  # one entry per report
    assert rec["status"] == "approved" and [h["status"] for h in rec["status_history"]] == ["approved"]


def test_a_different_event_between_the_same_countries_a_week_later_stays_separate() -> None:
    later = document("ntb-0909", "2025-09-09")
    records = ledger_of([*four_outlets(), report(later, when="2025-09-09", amount=9e8,
                                                 items=(("missile", None), ("NASAMS", None)))])
    assert sorted(r["reports"] for r in records) == [1, 4]


def test_the_same_act_a_week_later_without_value_still_needs_the_date_to_match() -> None:
    later = document("ntb-0909", "2025-09-09")
    records = ledger_of([report(NTB), report(later, when="2025-09-09")])
    assert len(records) == 2


def test_a_report_dated_only_by_publication_joins_within_the_reporting_lag() -> None:
    late = document("bbc-0904", "2025-09-04", "BBC")
    (rec,) = ledger_of([report(NTB), report(late, when=None)])
    assert rec["reports"] == 2 and rec["date"]["text"] == "2025-09-02"


def test_dates_known_only_to_the_year_need_something_specific_to_merge() -> None:
    a, b, c = document("a", "2022-05-09"), document("b", "2025-01-09"), document("c", "2022-11-02")
    year: dict[str, Any] = {"when": "2022-01-01", "precision": "year", "items": ()}
    assert len(ledger_of([report(a, **year), report(b, amount=5e8, currency="USD", **year)])) == 2
    (rec,) = ledger_of([report(a, amount=5e8, currency="USD", **year), report(c, amount=5e8, currency="USD", **year)])
    assert rec["reports"] == 2  # the same stated amount ties them


def test_one_party_events_need_an_anchor_or_the_same_trigger() -> None:
    a, b, c = document("a", "2025-03-13"), document("b", "2025-03-13"), document("c", "2025-03-14")
    alone: dict[str, Any] = {"kind": "REQUEST", "status": None, "actor": ("USA",), "recipient": (), "items": (),
                             "when": "2025-03-13"}
    assert len(ledger_of([report(a, trigger="calls for", **alone), report(b, trigger="will ask", **alone)])) == 2
    (rec,) = ledger_of([report(a, trigger="calls for", **alone), report(c, trigger="Calls for", **alone)])
    assert rec["reports"] == 2


def test_amounts_within_rounding_merge_and_the_disagreement_stays_visible() -> None:
    other = document("tt-0903", "2025-09-03", "TT")
    (rec,) = ledger_of([report(NTB, amount=2.5e9), report(other, amount=2.6e9)])
    (variants,) = rec["disagreements"]["value"]
    assert [v["value"] for v in variants["variants"]] == ["2.5e+09 NOK", "2.6e+09 NOK"]
    assert rec["value"]["amount"] == 2.5e9  # the first stated one, not an average


def test_conflicting_amounts_are_different_events() -> None:
    other = document("tt-0903", "2025-09-03", "TT")
    assert len(ledger_of([report(NTB, amount=2.5e9), report(other, amount=1.2e9)])) == 2


def test_amounts_in_different_currencies_compare_in_euros() -> None:
    other = document("tt-0903", "2025-09-03", "TT")
    (rec,) = ledger_of([report(NTB, amount=2.5e9), report(other, amount=2.1e8, currency="EUR")])
    assert rec["reports"] == 2


def test_different_weapon_systems_are_different_events() -> None:
    other = document("tt-0903", "2025-09-03", "TT")
    assert len(ledger_of([report(NTB), report(other, items=(("Leopard 2", 10),))])) == 2


def test_a_category_match_is_enough_and_generic_items_never_conflict() -> None:
    a, b = document("a", "2025-09-02"), document("b", "2025-09-02")
    (rec,) = ledger_of([report(NTB), report(a, items=(("missile", None), ("IRIS-T", None))),
                        report(b, items=(("equipment", None),))])
    assert rec["reports"] == 3


def test_two_unanchored_events_of_one_document_stay_apart() -> None:
    records = ledger_of([report(NTB, items=()), report(NTB, items=(), start=300, trigger="provide")])
    assert len(records) == 2


def test_reports_of_opposite_direction_do_not_merge_but_reciprocal_ones_do() -> None:
    call_a, call_b, call_c = (document(n, "2025-08-14") for n in ("call-a", "call-b", "call-c"))
    consult: dict[str, Any] = {"kind": "CONSULT", "mode": "phone", "status": None, "items": (), "when": "2025-08-14"}
    records = ledger_of([report(call_a, actor=("UKR", "GBR"), recipient=(), **consult),
                         report(call_b, actor=("GBR",), recipient=("UKR",), **consult),
                         report(call_c, actor=("UKR",), recipient=("GBR",), **consult)])
    assert [r["reports"] for r in records] == [3]
    aid = ledger_of([report(NTB), report(call_a, actor=("UKR",), recipient=("NOR",))])
    assert len(aid) == 2


def test_types_of_one_stage_merge_and_the_most_specific_status_wins() -> None:
    pledge = document("pledge", "2025-09-02")
    (rec,) = ledger_of([report(NTB, status="announced", trigger="announced"),
                        report(pledge, kind="AGREE", status="pledged", modality="future")])
    assert rec["status"] == "pledged" and rec["type"] == "AGREE" and rec["types"] == ["AGREE", "AID"]
    assert rec["status_history"][0]["statuses"] == ["announced", "pledged"]


# ---------------------------------------------------------------------- progressions


def test_a_pledge_later_delivered_is_one_event_whose_history_shows_both() -> None:
    pledge, delivery = document("tt-0610", "2025-06-10", "TT"), document("tt-1015", "2025-10-15", "TT")
    (rec,) = ledger_of([
        report(pledge, actor=("SWE",), status="announced", when="2025-06-10", items=(("CV90", 20),)),
        report(delivery, actor=("SWE",), status="delivered", when="2025-10-15", items=(("CV90", 20),)),
    ])
    assert [h["status"] for h in rec["status_history"]] == ["announced", "delivered"]
    assert rec["status"] == "delivered" and rec["date"]["start"] == "2025-06-10"
    assert rec["status_history"][1]["date"]["start"] == "2025-10-15"


def test_a_pledge_dated_after_its_delivery_report_becomes_the_earlier_step() -> None:
    # "Germany has delivered the IRIS-T systems it announced in June" dated to June (month):
    # the delivery sorts before the pledge's day, and the pledge is prepended to its history.
    pledge, delivery = document("dpa-0612", "2025-06-12", "dpa"), document("afp-1021", "2025-10-21", "AFP")
    (rec,) = ledger_of([
        report(pledge, actor=("DEU",), kind="AGREE", status="pledged", when="2025-06-12", amount=1.9e9,
               currency="EUR", items=(("IRIS-T", None),), modality="future"),
        report(delivery, actor=("DEU",), status="delivered", when="2025-06-01", precision="month",
               items=(("IRIS-T", 2),)),
    ])
    assert [h["status"] for h in rec["status_history"]] == ["pledged", "delivered"]
    assert rec["date"]["start"] == "2025-06-12" and rec["value"]["amount"] == 1.9e9


def test_a_delivery_with_nothing_tying_it_to_a_pledge_is_its_own_event() -> None:
    pledge, delivery = document("tt-0610", "2025-06-10", "TT"), document("tt-1015", "2025-10-15", "TT")
    records = ledger_of([
        report(pledge, actor=("SWE",), status="announced", when="2025-06-10", items=(("drone", None),)),
        report(delivery, actor=("SWE",), status="delivered", when="2025-10-15", items=(("drone", None),)),
    ])
    assert len(records) == 2


def test_a_value_anchors_a_delivery_to_its_pledge() -> None:
    pledge, delivery = document("p", "2025-03-01"), document("d", "2025-05-20")
    (rec,) = ledger_of([report(pledge, status="pledged", kind="AGREE", when="2025-03-01", amount=5e8,
                               currency="EUR", items=()),
                        report(delivery, status="delivered", when="2025-05-20", amount=5e8, currency="EUR", items=())])
    assert [h["stage"] for h in rec["status_history"]] == ["commitment", "delivery"]


def test_a_halt_and_its_resumption_are_one_event() -> None:
    halt, resume = document("ap-0304", "2025-03-04", "AP"), document("ap-0312", "2025-03-12", "AP")
    (rec,) = ledger_of([
        report(halt, kind="SANCTION", mode="discontinue", status="halted", actor=("USA",), when="2025-03-04", items=()),
        report(resume, status="resumed", actor=("USA",), when="2025-03-12", items=()),
    ])
    assert [h["status"] for h in rec["status_history"]] == ["halted", "resumed"]
    assert rec["type"] == "AID" and rec["types"] == ["AID", "SANCTION"]


def test_pledged_then_halted_then_resumed() -> None:
    docs = [document(f"d{i}", day) for i, day in enumerate(["2025-06-03", "2025-07-01", "2025-07-09"])]
    patriot = (("Patriot", 2),)
    (rec,) = ledger_of([
        report(docs[0], actor=("USA",), status="approved", when="2025-06-03", items=patriot),
        report(docs[1], actor=("USA",), kind="SANCTION", mode="discontinue", status="halted", when="2025-07-01",
               items=(("Patriot", None),)),
        report(docs[2], actor=("USA",), status="resumed", when="2025-07-09", items=(("Patriot", None),)),
    ])
    assert [h["status"] for h in rec["status_history"]] == ["approved", "halted", "resumed"]
    assert rec["status"] == "resumed"


def test_a_later_unanchored_halt_is_a_new_event_not_a_step_of_an_old_one() -> None:
    docs = [document(f"h{i}", day) for i, day in enumerate(["2025-03-04", "2025-03-12", "2025-07-01"])]
    halted: dict[str, Any] = {"kind": "SANCTION", "mode": "discontinue", "status": "halted", "actor": ("USA",),
                              "items": ()}
    records = ledger_of([report(docs[0], when="2025-03-04", **halted),
                         report(docs[1], status="resumed", actor=("USA",), when="2025-03-12", items=()),
                         report(docs[2], when="2025-07-01", **halted)])
    assert sorted(len(r["status_history"]) for r in records) == [1, 2]


def test_a_resumption_needs_an_earlier_halt() -> None:
    resume = document("r", "2025-03-12")
    (rec,) = ledger_of([report(resume, status="resumed", actor=("USA",), when="2025-03-12", items=())])
    assert rec["status"] == "resumed" and len(rec["status_history"]) == 1


# ---------------------------------------------------------------------- determinism and locality


def corpus() -> list[Report]:
    """A mixed set: restatements, progressions, separate events, reciprocal events."""
    pledge, delivery = document("tt-0610", "2025-06-10", "TT"), document("tt-1015", "2025-10-15", "TT")
    halt, resume = document("ap-0304", "2025-03-04", "AP"), document("ap-0312", "2025-03-12", "AP")
    later = document("ntb-0909", "2025-09-09")
    return [
        *four_outlets(),
        report(later, when="2025-09-09", amount=9e8, items=(("missile", None), ("NASAMS", None))),
        report(pledge, actor=("SWE",), status="announced", when="2025-06-10", items=(("CV90", 20),)),
        report(delivery, actor=("SWE",), status="delivered", when="2025-10-15", items=(("CV90", 20),)),
        report(halt, kind="SANCTION", mode="discontinue", status="halted", actor=("USA",), when="2025-03-04",
               items=()),
        report(resume, status="resumed", actor=("USA",), when="2025-03-12", items=()),
        report(halt, kind="CONSULT", mode="phone", status=None, actor=("USA", "UKR"), recipient=(), items=(),
               when="2025-03-04", start=200),
    ]


def fingerprint(reports: list[Report]) -> list[tuple[Any, ...]]:
    return sorted((r.event["id"], r.event["component"], tuple(m["event_id"] for m in r.members),
                   repr(r.event["record"])) for r in merge_reports(reports, RULES))


def test_the_merge_does_not_depend_on_input_order() -> None:
    reports = corpus()
    expected = fingerprint(reports)
    rng = random.Random(7)
    for _ in range(20):
        shuffled = reports[:]
        rng.shuffle(shuffled)
        assert fingerprint(shuffled) == expected


def test_merging_each_component_alone_gives_the_same_clusters() -> None:
    reports = corpus()
    whole = {tuple(m.report.event_id for m in c.members) for c in cluster_reports(reports, RULES)}
    parts = {tuple(m.report.event_id for m in c.members)
             for group in components(reports) for c in cluster_reports(group, RULES)}
    assert whole == parts and len(components(reports)) == 4  # NOR, SWE, USA aid, USA-UKR call


def test_every_merge_is_explained_by_the_keys_that_matched() -> None:
    rows = merge_reports(corpus(), RULES)
    members = [m for r in rows for m in r.members]
    assert {m["how"] for m in members} == {"founder", "restatement", "progression"}
    for m in members:
        if m["how"] == "restatement":
            assert {"against", "type", "parties", "date", "items", "value"} <= set(m["matched"])
        if m["how"] == "progression":
            assert {"against", "stage", "anchor", "days_after"} <= set(m["matched"])
