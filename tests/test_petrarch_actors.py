"""Generated PETRARCH2/Phoenix actors (data/petrarch/actors.tsv) loaded after the project's own tables."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
import yaml

from aidtrace.extract.actors import ActorDictionary, resolve_mentions
from aidtrace.model import Document


@pytest.fixture(scope="module")
def d() -> ActorDictionary:
    return ActorDictionary.load()


def _own_people() -> list[dict]:
    out: list[dict] = []
    for name in ("people.yaml", "people_historical.yaml"):
        text = resources.files("aidtrace").joinpath("data", "actors", name).read_text(encoding="utf-8")
        out += yaml.safe_load(text)
    return out


def test_historical_roles_resolve_by_date(d: ActorDictionary) -> None:
    """A 1990s head of government the project's tables lack: GOV while in office, ELI after."""
    assert not any("Lester Bird" in p["names"] for p in _own_people())
    in_office = d.lookup("Lester Bird", date(1999, 1, 1))
    after = d.lookup("Lester Bird", date(2010, 1, 1))
    assert in_office.id == "person:lester-bird"
    assert (in_office.country, in_office.sector) == ("ATG", ["GOV"])
    assert (after.country, after.sector) == ("ATG", ["ELI"])


def test_the_projects_own_people_win(d: ActorDictionary) -> None:
    """Olaf Scholz is in both: the project's entry (and its roles) is the one used, at any date."""
    own = next(p for p in _own_people() if "Olaf Scholz" in p["names"])
    for on in (date(2009, 1, 1), date(2023, 1, 1)):
        entry = d.entries["Olaf Scholz"]
        assert entry.person is not None and entry.person.id == own["id"]
        assert "LAB" not in d.lookup("Olaf Scholz", on).sector  # the generated role was labour minister


def test_every_own_name_keeps_its_entry(d: ActorDictionary) -> None:
    for person in _own_people():
        for name in person["names"]:
            entry = d.entries[name]
            assert entry.person is not None and entry.person.id == person["id"], name


def test_generated_bodies_groups_and_companies(d: ActorDictionary) -> None:
    on = date(2015, 6, 1)
    assert (d.lookup("Inter-Services Intelligence", on).country, d.lookup("Inter-Services Intelligence", on).sector) \
        == ("PAK", ["SPY"])
    bla = d.lookup("Baloch Liberation Army", on)
    assert (bla.country, bla.sector, bla.kind) == ("PAK", ["REB"], "group")
    assert d.lookup("Petrobras", on).country == "BRA"


def test_generated_names_in_running_text() -> None:
    text = "The Free Syrian Army said Petrobras had not been told."
    doc = Document(id="t", external_id="t", source="test", raw_text=text, text=text, content_hash="t",
                   published=date(2014, 5, 1))
    found = {m.text: m.entity for m in resolve_mentions(doc, [])}
    assert found["The Free Syrian Army"].country == "SYR" and found["The Free Syrian Army"].sector == ["REB"]
    assert found["Petrobras"].kind == "company"


def test_common_words_and_bare_surnames_are_not_generated_names(d: ActorDictionary) -> None:
    for word in ("Shell", "Apple", "Target", "Bird", "Abdul Qadir"):
        assert word not in d.entries, word
