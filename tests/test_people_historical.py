"""Shape of the historical people dictionary (data/actors/people_historical.yaml).

The file follows people.yaml's format; these checks keep it loadable and consistent with it:
every entry has an id, a name, names and dated roles; every role names an ISO 3166-1 alpha-3
country (XKX for Kosovo) or an organisation of igos.yaml; dates parse and run forward; nobody
(id or name form) appears in both files.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pycountry
import pytest
import yaml

ACTORS = Path(__file__).resolve().parents[1] / "src" / "aidtrace" / "data" / "actors"
OFFICES = {"head_of_state", "head_of_government", "leader", "foreign_minister", "defence_minister",
           "vice_president"}
EXTRA_COUNTRIES = {"XKX"}  # Kosovo: user-assigned code, not in ISO 3166-1
PERSON_KEYS = {"id", "name", "gender", "names", "surnames", "surname", "roles"}
ROLE_KEYS = {"country", "org", "sector", "office", "title", "from", "to"}


def _load(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((ACTORS / name).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def people() -> list[dict[str, Any]]:
    return _load("people_historical.yaml")


@pytest.fixture(scope="module")
def current() -> list[dict[str, Any]]:
    return _load("people.yaml")


@pytest.fixture(scope="module")
def orgs() -> set[str]:
    return {item["org"] for item in _load("igos.yaml") if item.get("org")}


def _roles(people: list[dict[str, Any]]):
    for person in people:
        for role in person["roles"]:
            yield person, role


def test_parses_and_is_large(people: list[dict[str, Any]]) -> None:
    assert len(people) >= 400


def test_entries_have_the_people_yaml_fields(people: list[dict[str, Any]]) -> None:
    for person in people:
        assert set(person) <= PERSON_KEYS, person["id"]
        assert isinstance(person["id"], str) and person["id"].startswith("person:"), person
        assert isinstance(person["name"], str) and person["name"], person["id"]
        assert person.get("gender") in {"m", "f"}, person["id"]
        names = person["names"]
        assert isinstance(names, list) and names, person["id"]
        assert all(isinstance(n, str) and n.strip() == n and n for n in names), person["id"]
        assert person["name"] in names, person["id"]
        assert len(set(names)) == len(names), person["id"]
        if person.get("surname") is False:
            assert "surnames" not in person, person["id"]
        else:
            assert "surname" not in person, person["id"]
            assert isinstance(person.get("surnames", []), list), person["id"]
        assert isinstance(person["roles"], list) and person["roles"], person["id"]


def test_roles_name_a_valid_country_or_org(people: list[dict[str, Any]], orgs: set[str]) -> None:
    for person, role in _roles(people):
        assert set(role) <= ROLE_KEYS, (person["id"], role)
        assert ("country" in role) != ("org" in role), (person["id"], role)
        if "country" in role:
            code = role["country"]
            assert isinstance(code, str) and len(code) == 3 and code.isupper(), (person["id"], code)
            assert code in EXTRA_COUNTRIES or pycountry.countries.get(alpha_3=code), (person["id"], code)
        else:
            assert role["org"] in orgs, (person["id"], role["org"])
        assert isinstance(role["sector"], list) and role["sector"], (person["id"], role)
        assert all(isinstance(s, str) and s.isupper() for s in role["sector"]), (person["id"], role)
        assert set(role.get("office", [])) <= OFFICES, (person["id"], role)
        assert isinstance(role["title"], str) and role["title"], (person["id"], role)


def test_office_sectors_follow_the_conventions(people: list[dict[str, Any]]) -> None:
    for person, role in _roles(people):
        office = set(role.get("office", []))
        if office & {"head_of_state", "head_of_government", "leader"}:
            assert "GOV" in role["sector"], (person["id"], role)
        if "foreign_minister" in office:
            assert {"GOV", "DIP"} <= set(role["sector"]), (person["id"], role)
        if "defence_minister" in office:
            assert {"GOV", "MIL"} <= set(role["sector"]), (person["id"], role)


def test_dates_parse_and_run_forward(people: list[dict[str, Any]]) -> None:
    for person, role in _roles(people):
        start, end = role["from"], role.get("to")
        assert isinstance(start, date), (person["id"], role)
        assert date(1900, 1, 1) <= start <= date.today(), (person["id"], role)
        if end is not None:
            assert isinstance(end, date), (person["id"], role)
            assert start < end, (person["id"], role)


def test_a_persons_roles_do_not_overlap(people: list[dict[str, Any]]) -> None:
    """Overlapping roles would hide all but the first one listed; split them instead."""
    for person in people:
        spans = sorted((r["from"], r.get("to") or date.max) for r in person["roles"])
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, person["id"]


def test_ids_and_names_are_unique_across_both_files(people: list[dict[str, Any]],
                                                    current: list[dict[str, Any]]) -> None:
    ids = Counter(p["id"] for p in people)
    assert not [i for i, n in ids.items() if n > 1]
    assert not {p["id"] for p in people} & {p["id"] for p in current}
    owner: dict[str, str] = {}
    for person in [*current, *people]:
        for name in person["names"]:
            assert owner.setdefault(name, person["id"]) == person["id"], (name, owner[name], person["id"])


def test_bare_surnames_are_not_shared(people: list[dict[str, Any]], current: list[dict[str, Any]]) -> None:
    """A bare surname listed here belongs to one person of the two files only."""
    owners: dict[str, set[str]] = {}
    for person in [*current, *people]:
        if person.get("surname") is False:
            continue
        for surname in person.get("surnames") or {n.split()[-1] for n in person["names"]}:
            owners.setdefault(surname, set()).add(person["id"])
    listed = {s for p in people for s in p.get("surnames", [])}
    shared = {s: ids for s, ids in owners.items() if s in listed and len(ids) > 1}
    assert not shared


def test_known_people(people: list[dict[str, Any]]) -> None:
    by_id = {p["id"]: p for p in people}
    mugabe = by_id["person:robert-mugabe"]["roles"]
    assert [r["office"] for r in mugabe] == [["head_of_government", "leader"], ["head_of_state", "leader"]]
    assert mugabe[1]["from"] == date(1987, 12, 31) and mugabe[1]["to"] == date(2017, 11, 21)
    assert by_id["person:george-h-w-bush"].get("surname") is False
    assert by_id["person:hillary-clinton"]["roles"][1]["office"] == ["foreign_minister"]
    assert by_id["person:yasser-arafat"]["roles"][0]["country"] == "PSE"
    assert {r["org"] for r in by_id["person:kofi-annan"]["roles"]} == {"UN"}
    assert by_id["person:askar-akayev"]["roles"][0]["country"] == "KGZ"
