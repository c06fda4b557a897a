"""Actor resolution (issue 3): seeds from ../shared, a table of hand-written sentences, and API."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aidtrace.extract.actors import ActorDictionary, entity_at, resolve_mentions
from aidtrace.model import Document, Mention
from aidtrace.nlp.pipeline import Sentence, analyse

# Metadata of the seed files as the ingest stage will read it (the text stays in ../shared).
SEED_META = {
    "000_16509b5f7bfc3739.txt": {"published": date(2025, 7, 2), "dateline_place": "Kyiv"},
    "003_316a465328a2c4c2.txt": {"published": date(2025, 9, 24), "dateline_place": None},
}


def make_doc(text: str, published: date | None = None, dateline: str | None = None) -> Document:
    return Document(id="t", external_id="t", source="test", raw_text=text, text=text,
                    content_hash="t", published=published, dateline_place=dateline)


def resolve(text: str, published: date | None = None, dateline: str | None = None,
            parse: bool = True) -> list[Mention]:
    """Mentions of a text, with every sentence parsed (or none)."""
    sentences = next(analyse([text], is_candidate=None if parse else (lambda s: False)))
    return resolve_mentions(make_doc(text, published, dateline), sentences)


def mention_for(mentions: list[Mention], text: str, target: str) -> Mention:
    start = text.index(target)
    found = entity_at(mentions, start, start + len(target))
    assert found, f"no mention over {target!r}; got {[m.text for m in mentions]}"
    return max(found, key=lambda m: min(m.end, start + len(target)) - max(m.start, start))


# --------------------------------------------------------------------------- seeds


@pytest.fixture(scope="session")
def seed_docs(shared: Path) -> dict[str, tuple[Document, list[Sentence]]]:
    """Seed articles as Documents, every sentence parsed (spaCy loaded once)."""
    docs = {}
    for name, meta in SEED_META.items():
        raw = (shared / "seeds" / name).read_text(encoding="utf-8")
        text = re.sub(r"^\s*date \S+\s*", "", raw)
        doc = Document(id=name, external_id=name, source=name, raw_text=raw, text=text,
                       content_hash=name, **meta)
        docs[name] = (doc, next(analyse([text])))
    return docs


@pytest.fixture(scope="session")
def seed_mentions(seed_docs: dict[str, tuple[Document, list[Sentence]]]) -> dict[str, list[Mention]]:
    return {name: resolve_mentions(doc, sents) for name, (doc, sents) in seed_docs.items()}


def gold_actors(shared: Path) -> list[dict[str, Any]]:
    lines = (shared / "acceptance" / "seeds_gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [g for g in map(json.loads, filter(None, lines)) if g["kind"] == "actor"]


def _seed_entity(seed_docs: dict, seed_mentions: dict, gold: dict[str, Any]) -> Mention:
    doc, _ = seed_docs[gold["doc"]]
    return mention_for(seed_mentions[gold["doc"]], doc.text, gold["text"])


def test_every_gold_actor_resolves(shared: Path, seed_docs: dict, seed_mentions: dict) -> None:
    golds = gold_actors(shared)
    assert len(golds) >= 14
    for gold in golds:
        m = _seed_entity(seed_docs, seed_mentions, gold)
        assert m.entity.country == gold["country"], (gold, m)
        assert set(m.entity.sector) & set(gold["sector"]), (gold, m)


def test_gold_same_as_gives_same_id(shared: Path, seed_docs: dict, seed_mentions: dict) -> None:
    golds = gold_actors(shared)
    by_text = {g["text"]: g for g in golds}
    pairs = [(g, by_text[g["same_as"]]) for g in golds if "same_as" in g]
    assert pairs
    for a, b in pairs:
        ea = _seed_entity(seed_docs, seed_mentions, a).entity
        eb = _seed_entity(seed_docs, seed_mentions, b).entity
        assert ea.id == eb.id and ea.id is not None


def test_seed_mentions_sorted_and_disjoint(seed_mentions: dict[str, list[Mention]],
                                           seed_docs: dict) -> None:
    for name, mentions in seed_mentions.items():
        text = seed_docs[name][0].text
        for a, b in zip(mentions, mentions[1:], strict=False):
            assert a.end <= b.start
        assert all(text[m.start:m.end] == m.text for m in mentions)


def test_seed_titles_and_coreference(seed_docs: dict, seed_mentions: dict) -> None:
    doc, _ = seed_docs["000_16509b5f7bfc3739.txt"]
    mentions = seed_mentions["000_16509b5f7bfc3739.txt"]
    leader = mention_for(mentions, doc.text, "the French leader")
    assert leader.entity.id == "person:emmanuel-macron" and leader.how == "coreference"
    ministry = mention_for(mentions, doc.text, "Ukraine's Foreign Ministry")
    assert ministry.text == "Ukraine's Foreign Ministry"
    assert (ministry.entity.country, set(ministry.entity.sector)) == ("UKR", {"GOV", "DIP"})
    institute = mention_for(mentions, doc.text, "the institute")
    assert institute.entity.id == "org:kiel-institute"
    doc3, _ = seed_docs["003_316a465328a2c4c2.txt"]
    envoy = mention_for(seed_mentions["003_316a465328a2c4c2.txt"], doc3.text, "Kyiv's ambassador")
    assert envoy.entity.country == "UKR" and "DIP" in envoy.entity.sector


# --------------------------------------------------------------------------- hand-written table
# (sentence, published, dateline, target words, expected fields). Expected "sector" means
# "contains all of these"; "sector_eq" means exactly these.

D20, D23, D24, D25 = date(2020, 6, 1), date(2023, 6, 1), date(2024, 3, 1), date(2025, 6, 1)
LATE25 = date(2025, 9, 1)

CASES: list[tuple[str, date | None, str | None, str, dict[str, Any]]] = [
    # dated roles
    ("Donald Trump promised the crowd a quick deal.", D20, None, "Donald Trump", {"country": "USA", "sector_eq": ["GOV"]}),
    ("Donald Trump promised the crowd a quick deal.", D23, None, "Donald Trump", {"country": "USA", "sector_eq": ["PTY"]}),
    ("Donald Trump promised the crowd a quick deal.", D25, None, "Donald Trump", {"country": "USA", "sector_eq": ["GOV"]}),
    ("Joe Biden spoke about the package.", D23, None, "Joe Biden", {"country": "USA", "sector_eq": ["GOV"]}),
    ("Joe Biden spoke about the package.", D25, None, "Joe Biden", {"country": "USA", "sector_eq": ["ELI"]}),
    ("Rustem Umerov visited a drone plant.", D24, None, "Rustem Umerov", {"country": "UKR", "sector": ["GOV", "MIL"]}),
    ("Rustem Umerov visited a drone plant.", LATE25, None, "Rustem Umerov", {"country": "UKR", "sector_eq": ["GOV"]}),
    ("Denys Shmyhal chaired the cabinet meeting.", D24, None, "Denys Shmyhal", {"country": "UKR", "sector_eq": ["GOV"]}),
    ("Denys Shmyhal inspected new artillery.", LATE25, None, "Denys Shmyhal", {"country": "UKR", "sector": ["GOV", "MIL"]}),
    ("Yulia Svyrydenko presented the budget.", LATE25, None, "Yulia Svyrydenko", {"country": "UKR", "sector": ["GOV"]}),
    ("Andrii Sybiha called his Polish colleague.", D25, None, "Andrii Sybiha", {"country": "UKR", "sector": ["DIP"]}),
    ("Dmytro Kuleba gave a lecture in Paris.", D25, None, "Dmytro Kuleba", {"country": "UKR", "sector_eq": ["ELI"]}),
    ("Mark Rutte hosted the summit.", D23, None, "Mark Rutte", {"country": "NLD", "sector": ["GOV"]}),
    ("Mark Rutte hosted the summit.", D25, None, "Mark Rutte", {"org": "NATO", "country": None}),
    ("Jens Stoltenberg addressed the allies.", D23, None, "Jens Stoltenberg", {"org": "NATO"}),
    ("Jens Stoltenberg presented the Norwegian budget.", D25, None, "Jens Stoltenberg", {"country": "NOR", "sector": ["GOV"]}),
    ("Andrei Belousov toured the front.", D25, None, "Andrei Belousov", {"country": "RUS", "sector": ["MIL"]}),
    ("Sergei Shoigu toured the front.", D23, None, "Sergei Shoigu", {"country": "RUS", "sector": ["MIL"]}),
    ("Sergei Shoigu met Chinese officials.", D25, None, "Sergei Shoigu", {"country": "RUS", "sector_eq": ["GOV"]}),
    ("Marco Rubio flew to Riyadh for talks.", D25, None, "Marco Rubio", {"country": "USA", "sector": ["GOV", "DIP"]}),
    ("Marco Rubio criticised the plan.", D23, None, "Marco Rubio", {"country": "USA", "sector_eq": ["LEG"]}),
    ("Pete Hegseth skipped the meeting.", D25, None, "Pete Hegseth", {"country": "USA", "sector": ["MIL"]}),
    ("Lloyd Austin announced the tranche.", D23, None, "Lloyd Austin", {"country": "USA", "sector": ["MIL"]}),
    ("Antony Blinken arrived by train.", D24, None, "Antony Blinken", {"country": "USA", "sector": ["DIP"]}),
    ("Friedrich Merz promised Taurus missiles.", D24, None, "Friedrich Merz", {"country": "DEU", "sector_eq": ["PTY"]}),
    ("Friedrich Merz promised more air defence.", D25, None, "Friedrich Merz", {"country": "DEU", "sector_eq": ["GOV"]}),
    ("Olaf Scholz hesitated for weeks.", D23, None, "Olaf Scholz", {"country": "DEU", "sector": ["GOV"]}),
    ("Keir Starmer met the coalition.", D25, None, "Keir Starmer", {"country": "GBR", "sector": ["GOV"]}),
    ("Kaja Kallas urged member states to pay.", D25, None, "Kaja Kallas", {"org": "EU"}),
    ("Keith Kellogg travelled to the capital.", D25, None, "Keith Kellogg", {"country": "USA", "sector": ["DIP"]}),
    # spelling variants share one id
    ("Zelenskiy thanked the donors.", D25, None, "Zelenskiy", {"id": "person:volodymyr-zelensky"}),
    ("Volodymyr Zelenskyi thanked the donors.", D25, None, "Volodymyr Zelenskyi", {"id": "person:volodymyr-zelensky"}),
    ("Shmygal said the money had arrived.", D24, None, "Shmygal", {"id": "person:denys-shmyhal"}),
    ("Sergey Lavrov rejected the offer.", D25, None, "Sergey Lavrov", {"id": "person:sergei-lavrov", "sector": ["DIP"]}),
    ("Recep Tayyip Erdogan offered to mediate.", D25, None, "Recep Tayyip Erdogan", {"country": "TUR"}),
    # metonyms and places
    ("The Kremlin dismissed the proposal.", D25, None, "Kremlin", {"country": "RUS", "sector": ["GOV"], "how": "metonym"}),
    ("Moscow answered with new threats.", D25, None, "Moscow", {"country": "RUS", "sector": ["GOV"], "how": "metonym"}),
    ("Talks were held in Moscow last week.", D25, None, "Moscow", {"country": "RUS", "sector_eq": [], "how": "dictionary"}),
    ("Kiev protested against the decision.", D20, None, "Kiev", {"country": "UKR", "sector": ["GOV"]}),
    ("Beijing denied sending shells.", D25, None, "Beijing", {"country": "CHN", "sector": ["GOV"]}),
    ("Warsaw pledged another package.", D25, None, "Warsaw", {"country": "POL", "sector": ["GOV"]}),
    ("Brussels approved the loan.", D25, None, "Brussels", {"org": "EU"}),
    ("Downing Street confirmed the call.", D25, None, "Downing Street", {"country": "GBR", "sector": ["GOV"]}),
    ("The Élysée announced a summit.", D25, None, "Élysée", {"country": "FRA", "sector": ["GOV"]}),
    ("The Pentagon paused the shipments.", D25, None, "Pentagon", {"country": "USA", "sector": ["MIL", "GOV"]}),
    ("The White House signalled a change.", D25, None, "White House", {"country": "USA", "sector": ["GOV"]}),
    ("The State Department approved the sale.", D25, None, "State Department", {"country": "USA", "sector": ["DIP"]}),
    ("Congress blocked the aid bill.", D24, None, "Congress", {"country": "USA", "sector": ["LEG"]}),
    ("The Bundestag voted for the motion.", D24, None, "Bundestag", {"country": "DEU", "sector": ["LEG"]}),
    ("The Verkhovna Rada passed the law.", D24, None, "Verkhovna Rada", {"country": "UKR", "sector": ["LEG"]}),
    ("The Trump administration froze the funds.", D25, None, "Trump administration", {"country": "USA", "sector": ["GOV"]}),
    # IGOs and groups
    ("NATO will coordinate the deliveries.", D25, None, "NATO", {"org": "NATO"}),
    ("The European Commission proposed a loan.", D25, None, "European Commission", {"org": "EU"}),
    ("The UN Security Council met on Friday.", D25, None, "UN Security Council", {"org": "UN"}),
    ("The G7 agreed to use frozen assets.", D24, None, "G7", {"org": "G7"}),
    ("The OSCE sent monitors.", D20, None, "OSCE", {"org": "OSCE"}),
    ("The IAEA inspected the plant.", D24, None, "IAEA", {"org": "IAEA"}),
    ("The IMF released a tranche.", D24, None, "IMF", {"org": "IMF"}),
    ("The Ramstein group met again in Germany.", D24, None, "Ramstein group", {"org": "UDCG"}),
    ("The Ukraine Defense Contact Group pledged more shells.", D24, None, "Ukraine Defense Contact Group", {"org": "UDCG"}),
    ("A coalition of the willing is planning a force.", D25, None, "coalition of the willing", {"org": "COW"}),
    ("European countries now give more than the US.", D25, None, "European countries", {"org": "EUROPE"}),
    ("Western partners promised jets.", D23, None, "Western partners", {"org": "WEST"}),
    ("NATO allies agreed on the plan.", D25, None, "NATO allies", {"org": "NATO"}),
    ("European leaders gathered in London.", D25, None, "European leaders", {"org": "EUROPE", "sector": ["GOV"]}),
    # companies and research bodies
    ("Rheinmetall will build a shell plant.", D24, None, "Rheinmetall", {"country": "DEU", "sector": ["BUS"]}),
    ("BAE Systems won the contract.", D24, None, "BAE Systems", {"country": "GBR", "sector": ["BUS"]}),
    ("Lockheed Martin raised output.", D24, None, "Lockheed Martin", {"country": "USA", "sector": ["BUS"]}),
    ("Raytheon delivers the interceptors.", D24, None, "Raytheon", {"id": "org:rtx", "country": "USA"}),
    ("Baykar opened a factory near Kyiv.", D24, None, "Baykar", {"country": "TUR", "sector": ["BUS"]}),
    ("Saab offered Gripen jets.", D24, None, "Saab", {"country": "SWE", "sector": ["BUS"]}),
    ("Thales supplies the radars.", D24, None, "Thales", {"country": "FRA", "sector": ["BUS"]}),
    ("Kongsberg and Nammo signed a deal.", D24, None, "Nammo", {"country": "NOR", "sector": ["BUS"]}),
    ("Hanwha is expanding in Poland.", D24, None, "Hanwha", {"country": "KOR", "sector": ["BUS"]}),
    ("Ukroboronprom repairs the howitzers.", D24, None, "Ukroboronprom", {"country": "UKR", "sector": ["BUS"]}),
    ("Fire Point makes long-range drones.", D25, None, "Fire Point", {"country": "UKR", "sector": ["BUS"]}),
    ("The Kiel Institute updated its tracker.", D25, None, "Kiel Institute", {"country": "DEU", "sector_eq": ["RES"]}),
    ("SIPRI published new figures.", D25, None, "SIPRI", {"country": "SWE", "sector": ["RES"]}),
    ("The ISW assessed the offensive.", D25, None, "ISW", {"country": "USA", "sector": ["RES"]}),
    ("Analysts at the IISS disagreed.", D25, None, "IISS", {"country": "GBR", "sector": ["RES"]}),
    ("A CSIS report counted the losses.", D25, None, "CSIS", {"country": "USA", "sector": ["RES"]}),
    ("RUSI researchers wrote the study.", D25, None, "RUSI", {"country": "GBR", "sector": ["RES"]}),
    # composition
    ("The Italian defence ministry confirmed the shipment.", D24, None, "Italian defence ministry", {"country": "ITA", "sector": ["GOV", "MIL"]}),
    ("French troops could be deployed.", D25, None, "French troops", {"country": "FRA", "sector": ["MIL"]}),
    ("The Dutch government approved the F-16 transfer.", D23, None, "Dutch government", {"country": "NLD", "sector": ["GOV"]}),
    ("Norwegian lawmakers backed the fund.", D24, None, "Norwegian lawmakers", {"country": "NOR", "sector": ["LEG"]}),
    ("Finland's foreign ministry summoned the envoy.", D24, None, "Finland's foreign ministry", {"country": "FIN", "sector": ["DIP"]}),
    ("The Ukrainian army repelled the attack.", D24, None, "Ukrainian army", {"country": "UKR", "sector": ["MIL"]}),
    ("Russia's military fired cruise missiles.", D24, None, "Russia's military", {"country": "RUS", "sector": ["MIL"]}),
    ("Canadian envoy Jane Morrow met the mayor.", D24, None, "Jane Morrow", {"country": "CAN", "sector": ["DIP"]}),
    ("Rheinmetall chief executive Otto Brandner opened the plant.", D24, None, "Otto Brandner", {"country": "DEU", "sector": ["BUS"]}),
    ("Kyiv's ambassador to Berlin asked for more.", D24, None, "Kyiv's ambassador", {"country": "UKR", "sector": ["DIP"]}),
    ("Deputy Defence Minister Ivan Petrenko listed the needs.", D24, "Kyiv", "Ivan Petrenko", {"country": "UKR", "sector": ["MIL"]}),
    ("The Defence Minister signed the order.", D24, "Kyiv", "Defence Minister", {"id": "person:rustem-umerov"}),
    ("German Foreign Minister arrived on Tuesday.", D25, None, "German Foreign Minister", {"id": "person:johann-wadephul"}),
    ("The British prime minister spoke first.", D23, None, "British prime minister", {"id": "person:rishi-sunak"}),
    ("The British prime minister spoke first.", D25, None, "British prime minister", {"id": "person:keir-starmer"}),
    ("The US president signed the bill.", D24, None, "US president", {"id": "person:joe-biden"}),
    ("Lina Sorensen, a Danish diplomat, confirmed the talks.", D24, None, "Lina Sorensen", {"country": "DNK", "sector": ["DIP"]}),
]


@pytest.mark.parametrize(("text", "published", "dateline", "target", "expected"), CASES,
                         ids=[f"{i:03d}-{c[3]}" for i, c in enumerate(CASES)])
def test_sentence_table(text: str, published: date | None, dateline: str | None, target: str,
                        expected: dict[str, Any]) -> None:
    m = mention_for(resolve(text, published, dateline), text, target)
    for key, want in expected.items():
        if key == "sector":
            assert set(want) <= set(m.entity.sector), (m, want)
        elif key == "sector_eq":
            assert sorted(m.entity.sector) == sorted(want), (m, want)
        elif key == "how":
            assert m.how == want, m
        else:
            assert getattr(m.entity, key) == want, (m, key, want)


def test_table_has_sixty_sentences() -> None:
    assert len(CASES) >= 60


# --------------------------------------------------------------------------- behaviour


def test_bare_officials_get_no_country() -> None:
    text = "Top officials said the talks went well."
    assert resolve(text, D25, "Kyiv") == []


def test_allies_of_a_country_are_not_that_country() -> None:
    text = "Ukraine's allies promised more shells."
    mentions = resolve(text, D25)
    assert [m.text for m in mentions] == ["Ukraine"]


def test_surname_repeat_is_coreference() -> None:
    text = "Maryna Koval, a Ukrainian lawmaker, visited Warsaw. Koval said the vote was close."
    mentions = resolve(text, D24)
    first = mention_for(mentions, text, "Maryna Koval")
    again = [m for m in mentions if m.text == "Koval"]
    assert first.entity.country == "UKR" and "LEG" in first.entity.sector
    assert again and again[0].how == "coreference" and again[0].entity.id == first.entity.id


def test_dictionary_surname_after_full_name_is_coreference() -> None:
    text = "Rustem Umerov signed the contract. Later Umerov said more would follow."
    mentions = resolve(text, D24)
    assert [m.how for m in mentions if m.entity.id == "person:rustem-umerov"] == ["dictionary", "coreference"]


def test_alliance_and_bloc() -> None:
    text = "NATO and the EU met. The alliance will buy shells, and the bloc will pay."
    mentions = resolve(text, D25)
    assert mention_for(mentions, text, "The alliance").entity.id == "NATO"
    assert mention_for(mentions, text, "the bloc").entity.id == "EU"


def test_pronoun_after_person_subject() -> None:
    text = "Boris Pistorius arrived in Vilnius on Monday. He promised more air defence."
    mentions = resolve(text, D24)
    he = mention_for(mentions, text, "He")
    assert he.entity.id == "person:boris-pistorius" and he.how == "coreference"


def test_pronoun_gender_must_agree() -> None:
    text = "Boris Pistorius arrived in Vilnius on Monday. She promised more air defence."
    assert not [m for m in resolve(text, D24) if m.text == "She"]


def test_pronoun_needs_a_parse() -> None:
    text = "Boris Pistorius arrived in Vilnius on Monday. He promised more air defence."
    assert not [m for m in resolve(text, D24, parse=False) if m.text == "He"]


def test_works_without_parse() -> None:
    text = "Deputy Foreign Minister Maryna Koval thanked the U.S. and Kremlin spokesman Dmitry Peskov replied."
    mentions = resolve(text, D25, "Kyiv", parse=False)
    koval = mention_for(mentions, text, "Maryna Koval")
    assert koval.entity.country == "UKR" and {"GOV", "DIP"} <= set(koval.entity.sector)
    assert mention_for(mentions, text, "U.S.").entity.country == "USA"
    assert mention_for(mentions, text, "Dmitry Peskov").entity.country == "RUS"


def test_longest_match_wins() -> None:
    text = "Ukraine's Defence Ministry and the European Union agreed."
    mentions = resolve(text, D25)
    assert [m.text for m in mentions] == ["Ukraine's Defence Ministry", "the European Union"]


def test_entity_at_returns_overlapping_mentions() -> None:
    text = "The Pentagon and Rheinmetall signed."
    mentions = resolve(text, D25)
    assert [m.text for m in entity_at(mentions, 0, 12)] == ["The Pentagon"]
    assert entity_at(mentions, 13, 16) == []


def test_lookup_single_phrases() -> None:
    d = ActorDictionary.load()
    assert d is ActorDictionary.load()
    assert d.lookup("the US").country == "USA"  # type: ignore[union-attr]
    assert d.lookup("European countries").org == "EUROPE"  # type: ignore[union-attr]
    assert d.lookup("Zelenskyy", date(2025, 1, 1)).id == "person:volodymyr-zelensky"  # type: ignore[union-attr]
    assert d.lookup("South Korea").country == "KOR"  # type: ignore[union-attr]
    assert d.lookup("Britain").country == "GBR"  # type: ignore[union-attr]
    assert d.lookup("Türkiye").country == "TUR"  # type: ignore[union-attr]
    assert d.lookup("Japanese").country == "JPN"  # type: ignore[union-attr]
    assert d.lookup("nothing here") is None


def test_published_none_uses_current_roles() -> None:
    text = "Andrii Sybiha spoke."
    assert mention_for(resolve(text, None), text, "Andrii Sybiha").entity.country == "UKR"


def test_former_before_the_nationality_means_eli() -> None:
    text = "Former Latvian Prime Minister Ilze Ozola joined the board."
    m = mention_for(resolve(text, D25), text, "Ilze Ozola")
    assert (m.entity.country, m.entity.sector) == ("LVA", ["ELI"])


def test_bare_government_title_without_dateline_is_unresolved() -> None:
    assert resolve("The Defence Minister signed the order.", D24) == []


@pytest.mark.parametrize(("text", "hidden", "kept"), [
    ("Beijing rejected the ruling on the South China Sea.", "China", ["Beijing"]),
    ("The Indian Ocean patrols were joined by the French navy.", "Indian", ["French navy"]),
    ("Russia moved warships into the Gulf of Finland on Tuesday.", "Finland", ["Russia"]),
    ("Washington and Seoul discussed security on the Korean Peninsula.", "Korean", ["Washington", "Seoul"]),
    ("Iran seized a tanker in the Persian Gulf, the U.S. Navy said.", "Persian", ["Iran", "U.S. Navy"]),
])
def test_seas_and_straits_named_after_states_are_not_those_states(text: str, hidden: str, kept: list[str]) -> None:
    mentions = resolve(text)
    start = text.index(hidden)
    assert not entity_at(mentions, start, start + len(hidden)), [m.text for m in mentions]
    for name in kept:
        assert mention_for(mentions, text, name).entity.country is not None


def test_a_country_next_to_a_sea_of_its_name_is_still_the_country() -> None:
    text = "China sent three coast guard ships to the East China Sea, and Japan protested."
    mentions = resolve(text)
    assert [m.entity.country for m in mentions if m.text in ("China", "Japan")] == ["CHN", "JPN"]
    assert not entity_at(mentions, text.index("East"), text.index(" Sea") + 4)


def test_every_listed_feature_hides_a_name_of_the_dictionary() -> None:
    """features.yaml lists only seas and straits named after an actor; any other is dead data."""
    from aidtrace.extract.actors import _yaml

    d = ActorDictionary.load()
    for name in _yaml("actors", "features.yaml"):
        words = list(re.finditer(r"\S+", name))
        inner = [name[a.start():b.end()] for i, a in enumerate(words) for b in words[i:]
                 if name[a.start():b.end()] != name and name[a.start():b.end()] in d.entries]
        assert inner, f"{name!r} holds no dictionary name"
