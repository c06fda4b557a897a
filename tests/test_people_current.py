"""Office holders of 2019-2026 (data/actors/people.yaml, with later roles of people_historical.yaml).

Three kinds of checks:

* the shape of people.yaml, with the rules tests/test_people_historical.py applies to the historical
  file (ids, names, dated roles with a valid country or organisation, sectors by office, roles of a
  person that do not overlap);
* consistency across both files: no two people hold the same national office on the same day
  since 2019 (Bosnia's three-member Presidency excepted), and the covered countries have a head of
  state or government, a foreign and a defence minister on sample dates (known vacancies excepted);
* a table of hand-written sentences, each with a publication date, resolved by the actor resolver:
  people found by their name, by their title or by a bare surname, coded with their country as of
  that date, as former officials (ELI) after leaving office, and bare surnames that two people share
  left unresolved.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pycountry
import pytest
import yaml

from aidtrace.extract.actors import ActorDictionary, entity_at, resolve_mentions
from aidtrace.model import Document, Mention
from aidtrace.nlp.pipeline import analyse

ACTORS = Path(__file__).resolve().parents[1] / "src" / "aidtrace" / "data" / "actors"
OFFICES = {"head_of_state", "head_of_government", "leader", "foreign_minister", "defence_minister",
           "vice_president"}
PERSON_KEYS = {"id", "name", "gender", "names", "surnames", "surname", "roles"}
ROLE_KEYS = {"country", "org", "sector", "office", "title", "from", "to"}
SINCE = date(2019, 1, 1)


def _load(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((ACTORS / name).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def current() -> list[dict[str, Any]]:
    return _load("people.yaml")


@pytest.fixture(scope="module")
def everyone(current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [*current, *_load("people_historical.yaml")]


# --------------------------------------------------------------------------- shape of people.yaml


def test_people_yaml_has_the_2019_2026_office_holders(current: list[dict[str, Any]]) -> None:
    assert len(current) >= 650
    countries = {r["country"] for p in current for r in p["roles"] if r.get("country") and r.get("office")}
    assert len(countries) >= 75


def test_entries_are_well_formed(current: list[dict[str, Any]]) -> None:
    orgs = {item["org"] for item in _load("igos.yaml") if item.get("org")}
    for person in current:
        pid = person["id"]
        assert set(person) <= PERSON_KEYS, pid
        assert pid.startswith("person:") and person["name"] in person["names"], pid
        assert person.get("gender") in {"m", "f"}, pid
        assert len(set(person["names"])) == len(person["names"]), pid
        assert all(isinstance(n, str) and n == n.strip() and n for n in person["names"]), pid
        if person.get("surname") is False:
            assert "surnames" not in person, pid
        for role in person["roles"]:
            assert set(role) <= ROLE_KEYS, (pid, role)
            assert ("country" in role) != ("org" in role), (pid, role)
            if "country" in role:
                assert pycountry.countries.get(alpha_3=role["country"]), (pid, role)
            else:
                assert role["org"] in orgs, (pid, role)
            office = set(role.get("office", []))
            assert office <= OFFICES, (pid, role)
            if office & {"head_of_state", "head_of_government", "leader"}:
                assert "GOV" in role["sector"], (pid, role)
            if "foreign_minister" in office:
                assert {"GOV", "DIP"} <= set(role["sector"]), (pid, role)
            if "defence_minister" in office:
                assert {"GOV", "MIL"} <= set(role["sector"]), (pid, role)
            assert isinstance(role["from"], date) and role["from"] <= date.today(), (pid, role)
            assert role.get("to") is None or role["from"] < role["to"], (pid, role)


def test_a_persons_roles_do_not_overlap(current: list[dict[str, Any]]) -> None:
    """Overlapping roles would hide all but the first; two offices held at once are one role."""
    for person in current:
        spans = sorted((r["from"], r.get("to") or date.max) for r in person["roles"])
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, person["id"]


# --------------------------------------------------------------------------- both files together


def _holders(everyone: list[dict[str, Any]]) -> dict[tuple[str, str], list[tuple[date, date, str]]]:
    spans: dict[tuple[str, str], list[tuple[date, date, str]]] = defaultdict(list)
    for person in everyone:
        for role in person["roles"]:
            for office in role.get("office", []):
                if role.get("country"):
                    spans[(role["country"], office)].append((role["from"], role.get("to") or date.max, person["id"]))
    return spans


def test_one_holder_per_office_and_day_since_2019(everyone: list[dict[str, Any]]) -> None:
    for (country, office), spans in _holders(everyone).items():
        if office not in {"head_of_state", "head_of_government", "foreign_minister", "defence_minister"}:
            continue
        if country == "BIH" and office == "head_of_state":
            continue  # three members of the Presidency
        recent = sorted(s for s in spans if s[1] > SINCE)
        for (_, end, first), (start, _, second) in zip(recent, recent[1:], strict=False):
            assert end <= start or first == second, (country, office, first, second)


COVERED = ["USA", "GBR", "CAN", "AUS", "NZL", "JPN", "KOR", "PRK", "CHN", "TWN", "IND", "PAK", "IDN",
    "PHL", "VNM", "ISR", "IRN", "TUR", "SAU", "ARE", "QAT", "EGY", "JOR", "LBN", "SYR", "IRQ", "CHE",
    "NOR", "ISL", "SRB", "BIH", "MKD", "MNE", "ALB", "ZAF", "NGA", "NER", "MLI", "BFA", "SDN", "ETH",
    "KEN", "BRA", "MEX", "ARG", "UKR", "RUS", "BLR", "MDA", "GEO", "ARM", "AZE", "KAZ", "AUT", "BEL",
    "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA", "LVA",
    "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE"]
# (country, office): why nobody holds it on some sample dates
VACANT = {
    ("ISL", "defence_minister"): "Iceland has no defence ministry",
    ("JOR", "defence_minister"): "the prime minister holds the defence portfolio",
    ("KOR", "defence_minister"): "vice-minister acting from December 2024 to July 2025",
    ("NGA", "foreign_minister"): "no ministers between 2023-05-29 and 2023-08-21",
    ("NGA", "defence_minister"): "no ministers between 2023-05-29 and 2023-08-21",
    ("SDN", "foreign_minister"): "acting foreign ministers after the 2021 coup are not listed",
    ("SDN", "defence_minister"): "not listed before September 2019",
    ("NER", "foreign_minister"): "not listed before April 2021",
    ("NER", "defence_minister"): "not listed before April 2021",
    ("BFA", "defence_minister"): "not listed from July 2021 to October 2022",
    ("IRQ", "defence_minister"): "vacant until June 2019",
    ("IRL", "defence_minister"): "held by the Taoiseach until June 2020",
    ("MDA", "defence_minister"): "not listed before June 2019",
    ("MLI", "foreign_minister"): "vacant after the August 2020 coup",
    ("MLI", "defence_minister"): "vacant after the August 2020 coup",
}
SAMPLE_DATES = [date(2019, 6, 1), date(2021, 3, 1), date(2022, 9, 1), date(2024, 1, 15), date(2025, 6, 1)]


def test_covered_countries_have_office_holders_on_sample_dates(everyone: list[dict[str, Any]]) -> None:
    spans = _holders(everyone)

    def held(country: str, office: str, on: date) -> bool:
        return any(start <= on < end for start, end, _ in spans[(country, office)])

    missing = []
    for country in COVERED:
        for on in SAMPLE_DATES:
            if not (held(country, "head_of_state", on) or held(country, "head_of_government", on)):
                missing.append((country, "head", on))
            for office in ("foreign_minister", "defence_minister"):
                if (country, office) not in VACANT and not held(country, office, on):
                    missing.append((country, office, on))
    assert not missing


# --------------------------------------------------------------------------- sentence table


def resolve(text: str, published: date) -> list[Mention]:
    sentences = next(analyse([text]))
    doc = Document(id="t", external_id="t", source="test", raw_text=text, text=text,
                   content_hash="t", published=published, dateline_place=None)
    return resolve_mentions(doc, sentences)


def mention_over(mentions: list[Mention], text: str, target: str) -> Mention | None:
    start = text.index(target)
    found = entity_at(mentions, start, start + len(target))
    return max(found, key=lambda m: m.end - m.start) if found else None


GOV, DIP, MIL, ELI = ["GOV"], ["GOV", "DIP"], ["GOV", "MIL"], ["ELI"]

# (sentence, publication date, target words, person id, country or org, exact sectors)
CASES: list[tuple[str, date, str, str, str, list[str]]] = [
    # Nordic and Baltic ministers, in office and after leaving it
    ("Defence Minister Peter Hultqvist inspected the Gotland garrison.", date(2020, 9, 1), "Peter Hultqvist", "peter-hultqvist", "SWE", MIL),
    ("Ann Linde urged both sides to return to talks.", date(2021, 6, 1), "Ann Linde", "ann-linde", "SWE", DIP),
    ("Foreign Minister Jeppe Kofod signed the agreement in Copenhagen.", date(2021, 5, 4), "Jeppe Kofod", "jeppe-kofod", "DNK", DIP),
    ("Jeppe Kofod now advises a shipping firm.", date(2024, 5, 1), "Jeppe Kofod", "jeppe-kofod", "DNK", ELI),
    ("Trine Bramsen announced a donation of artillery shells.", date(2022, 5, 2), "Trine Bramsen", "trine-bramsen", "DNK", MIL),
    ("King Frederik X received the Ukrainian president.", date(2024, 6, 3), "King Frederik X", "frederik-x", "DNK", GOV),
    ("Pekka Haavisto signed the accession protocol in Brussels.", date(2022, 7, 5), "Pekka Haavisto", "pekka-haavisto", "FIN", DIP),
    ("Antti Kaikkonen confirmed the order for 64 fighter jets.", date(2021, 12, 10), "Antti Kaikkonen", "antti-kaikkonen", "FIN", MIL),
    ("Antti Kaikkonen spoke at a party meeting.", date(2024, 6, 1), "Antti Kaikkonen", "antti-kaikkonen", "FIN", ELI),
    ("Anniken Huitfeldt pledged humanitarian aid.", date(2022, 3, 1), "Anniken Huitfeldt", "anniken-huitfeldt", "NOR", DIP),
    ("Bjørn Arild Gram announced new air defence deliveries.", date(2023, 3, 1), "Bjørn Arild Gram", "bjorn-arild-gram", "NOR", MIL),
    ("Tore O. Sandvik visited the frigate in port.", date(2025, 6, 1), "Tore O. Sandvik", "tore-o-sandvik", "NOR", MIL),
    ("Kristrún Frostadóttir hosted the Nordic leaders.", date(2025, 2, 1), "Kristrún Frostadóttir", "kristrun-frostadottir", "ISL", GOV),
    ("Kalle Laanet announced a purchase of howitzers.", date(2022, 4, 1), "Kalle Laanet", "kalle-laanet", "EST", MIL),
    ("Urmas Reinsalu called for tougher sanctions.", date(2023, 1, 15), "Urmas Reinsalu", "urmas-reinsalu", "EST", DIP),
    ("Urmas Reinsalu criticised the government.", date(2021, 6, 1), "Urmas Reinsalu", "urmas-reinsalu", "EST", ELI),
    ("Artis Pabriks welcomed the new battalion.", date(2022, 2, 1), "Artis Pabriks", "artis-pabriks", "LVA", MIL),
    ("Andris Sprūds signed the contract for coastal missiles.", date(2024, 6, 1), "Andris Sprūds", "andris-spruds", "LVA", MIL),
    ("Laurynas Kasčiūnas announced the purchase of tanks.", date(2024, 6, 1), "Laurynas Kasčiūnas", "laurynas-kasciunas", "LTU", MIL),
    ("Linas Linkevičius met his Polish colleague.", date(2020, 2, 1), "Linas Linkevičius", "linas-linkevicius", "LTU", DIP),
    # Western and Central Europe
    ("Wopke Hoekstra announced a new package of ammunition.", date(2022, 6, 1), "Wopke Hoekstra", "wopke-hoekstra", "NLD", DIP),
    ("Wopke Hoekstra presented the climate target.", date(2024, 6, 1), "Wopke Hoekstra", "wopke-hoekstra", "EU", ["IGO"]),
    ("Ank Bijleveld visited the troops in Lithuania.", date(2020, 6, 1), "Ank Bijleveld", "ank-bijleveld", "NLD", MIL),
    ("Ludivine Dedonder confirmed the delivery of F-16 jets.", date(2023, 4, 1), "Ludivine Dedonder", "ludivine-dedonder", "BEL", MIL),
    ("Theo Francken promised more drones.", date(2025, 4, 1), "Theo Francken", "theo-francken", "BEL", MIL),
    ("Bart De Wever opposed the use of frozen assets.", date(2025, 10, 1), "Bart De Wever", "bart-de-wever", "BEL", GOV),
    ("Margarita Robles announced the shipment of Leopard tanks.", date(2023, 1, 30), "Margarita Robles", "margarita-robles", "ESP", MIL),
    ("Helena Carreiras confirmed the transfer.", date(2023, 1, 30), "Helena Carreiras", "helena-carreiras", "PRT", MIL),
    ("Luís Montenegro met the Ukrainian president.", date(2025, 1, 20), "Luís Montenegro", "luis-montenegro", "PRT", GOV),
    ("Lorenzo Guerini signed the third aid decree.", date(2022, 4, 1), "Lorenzo Guerini", "lorenzo-guerini", "ITA", MIL),
    ("Luigi Di Maio visited the Gulf states.", date(2024, 1, 10), "Luigi Di Maio", "luigi-di-maio", "EU", ["IGO", "DIP"]),
    ("Klaudia Tanner joined the Sky Shield initiative.", date(2023, 7, 7), "Klaudia Tanner", "klaudia-tanner", "AUT", MIL),
    ("Beate Meinl-Reisinger flew to Kyiv.", date(2025, 6, 1), "Beate Meinl-Reisinger", "beate-meinl-reisinger", "AUT", DIP),
    ("Martin Pfister presented the air defence plan.", date(2025, 6, 1), "Martin Pfister", "martin-pfister", "CHE", MIL),
    ("Jana Černochová signed the deal for Leopard tanks.", date(2023, 6, 1), "Jana Černochová", "jana-cernochova", "CZE", MIL),
    ("Petr Pavel backed the ammunition initiative.", date(2024, 3, 1), "Petr Pavel", "petr-pavel", "CZE", GOV),
    ("Robert Kaliňák halted further military aid.", date(2024, 1, 10), "Robert Kaliňák", "robert-kalinak", "SVK", MIL),
    ("Jaroslav Naď announced the transfer of MiG-29s.", date(2023, 3, 17), "Jaroslav Naď", "jaroslav-nad", "SVK", MIL),
    ("Péter Szijjártó blocked the joint statement.", date(2023, 6, 1), "Péter Szijjártó", "peter-szijjarto", "HUN", DIP),
    ("Angel Tîlvăr confirmed the Patriot transfer.", date(2024, 9, 1), "Angel Tîlvăr", "angel-tilvar", "ROU", MIL),
    ("Nicușor Dan promised to keep supporting Kyiv.", date(2025, 7, 1), "Nicușor Dan", "nicusor-dan", "ROU", GOV),
    ("Todor Tagarev signed the agreement on armoured vehicles.", date(2023, 9, 1), "Todor Tagarev", "todor-tagarev", "BGR", MIL),
    ("Nikos Dendias met his Turkish counterpart.", date(2022, 1, 15), "Nikos Dendias", "nikos-dendias", "GRC", DIP),
    ("Nikos Dendias presented the new drone programme.", date(2024, 1, 15), "Nikos Dendias", "nikos-dendias", "GRC", MIL),
    # Western Balkans, Eastern Europe and the Caucasus
    ("Miloš Vučević visited the arms factory.", date(2023, 3, 1), "Miloš Vučević", "milos-vucevic", "SRB", MIL),
    ("Miloš Vučević chaired the cabinet meeting.", date(2024, 9, 1), "Miloš Vučević", "milos-vucevic", "SRB", GOV),
    ("Zukan Helez signed the cooperation plan.", date(2024, 5, 1), "Zukan Helez", "zukan-helez", "BIH", MIL),
    ("Dragan Krapović met NATO officials.", date(2024, 5, 1), "Dragan Krapović", "dragan-krapovic", "MNE", MIL),
    ("Pirro Vengu announced the new drone factory.", date(2024, 5, 1), "Pirro Vengu", "pirro-vengu", "ALB", MIL),
    ("Viktor Khrenin warned of a response.", date(2023, 5, 1), "Viktor Khrenin", "viktor-khrenin", "BLR", MIL),
    ("Anatolie Nosatîi received radars from the EU.", date(2023, 5, 1), "Anatolie Nosatîi", "anatolie-nosatii", "MDA", MIL),
    ("Suren Papikyan met the French defence minister.", date(2024, 6, 17), "Suren Papikyan", "suren-papikyan", "ARM", MIL),
    ("Jeyhun Bayramov rejected the proposal.", date(2023, 5, 1), "Jeyhun Bayramov", "jeyhun-bayramov", "AZE", DIP),
    # Asia and the Pacific
    ("Richard Marles announced the submarine deal.", date(2023, 3, 14), "Richard Marles", "richard-marles", "AUS", MIL),
    ("Penny Wong announced humanitarian funding.", date(2023, 11, 1), "Penny Wong", "penny-wong", "AUS", DIP),
    ("Judith Collins confirmed the deployment of trainers.", date(2024, 3, 1), "Judith Collins", "judith-collins", "NZL", MIL),
    ("Shinjiro Koizumi visited the destroyer.", date(2025, 11, 15), "Shinjiro Koizumi", "shinjiro-koizumi", "JPN", MIL),
    ("Minoru Kihara met the US ambassador.", date(2024, 1, 15), "Minoru Kihara", "minoru-kihara", "JPN", MIL),
    ("Yoon Suk Yeol ruled out lethal aid.", date(2023, 4, 19), "Yoon Suk Yeol", "yoon-suk-yeol", "KOR", GOV),
    ("Yoon Suk Yeol appeared in court.", date(2025, 6, 1), "Yoon Suk Yeol", "yoon-suk-yeol", "KOR", ELI),
    ("Shin Won-sik condemned the missile launch.", date(2024, 3, 1), "Shin Won-sik", "shin-won-sik", "KOR", MIL),
    ("Choe Son-hui travelled to Moscow.", date(2024, 11, 1), "Choe Son-hui", "choe-son-hui", "PRK", DIP),
    ("Dong Jun skipped the security forum.", date(2025, 5, 30), "Dong Jun", "dong-jun", "CHN", MIL),
    ("Wellington Koo described the new budget.", date(2025, 3, 1), "Wellington Koo", "wellington-koo", "TWN", MIL),
    ("Khawaja Asif warned of retaliation.", date(2025, 5, 1), "Khawaja Asif", "khawaja-asif", "PAK", MIL),
    ("Gilberto Teodoro inspected the new frigate.", date(2024, 3, 1), "Gilberto Teodoro", "gilberto-teodoro", "PHL", MIL),
    ("Phan Van Giang attended the arms fair.", date(2024, 12, 19), "Phan Van Giang", "phan-van-giang", "VNM", MIL),
    # Middle East
    ("Yoav Gallant ordered a complete siege.", date(2023, 10, 9), "Yoav Gallant", "yoav-gallant", "ISR", MIL),
    ("Yoav Gallant gave a television interview.", date(2025, 3, 1), "Yoav Gallant", "yoav-gallant", "ISR", ELI),
    ("Gideon Sa'ar met the German foreign minister.", date(2025, 3, 1), "Gideon Sa'ar", "gideon-saar", "ISR", DIP),
    ("Abbas Araghchi rejected direct talks.", date(2025, 3, 1), "Abbas Araghchi", "abbas-araghchi", "IRN", DIP),
    ("Aziz Nasirzadeh unveiled a new missile.", date(2025, 2, 1), "Aziz Nasirzadeh", "aziz-nasirzadeh", "IRN", MIL),
    ("Khalid bin Salman met the Pentagon chief.", date(2023, 6, 1), "Khalid bin Salman", "khalid-bin-salman", "SAU", MIL),
    ("Badr Abdelatty called for a ceasefire.", date(2025, 3, 1), "Badr Abdelatty", "badr-abdelatty", "EGY", DIP),
    ("Abu Mohammad al-Jolani addressed his fighters.", date(2023, 3, 1), "Abu Mohammad al-Jolani", "ahmed-al-sharaa", "SYR", ["REB"]),
    ("Ahmed al-Sharaa received the Saudi foreign minister.", date(2025, 3, 1), "Ahmed al-Sharaa", "ahmed-al-sharaa", "SYR", GOV),
    ("Murhaf Abu Qasra announced the merger of armed factions.", date(2025, 3, 1), "Murhaf Abu Qasra", "murhaf-abu-qasra", "SYR", MIL),
    ("Joseph Aoun deployed troops to the south.", date(2024, 11, 30), "Joseph Aoun", "joseph-aoun", "LBN", ["MIL"]),
    ("Joseph Aoun received the US envoy.", date(2025, 6, 1), "Joseph Aoun", "joseph-aoun", "LBN", GOV),
    ("Thabet al-Abbasi discussed the coalition drawdown.", date(2024, 9, 1), "Thabet al-Abbasi", "thabet-al-abbasi", "IRQ", MIL),
    # Africa and Latin America
    ("Angie Motshekga announced the withdrawal from Congo.", date(2025, 3, 1), "Angie Motshekga", "angie-motshekga", "ZAF", MIL),
    ("Abdourahamane Tchiani expelled the foreign troops.", date(2024, 3, 1), "Abdourahamane Tchiani", "abdourahamane-tchiani", "NER", ["GOV", "MIL"]),
    ("Sadio Camara received Russian helicopters.", date(2023, 1, 20), "Sadio Camara", "sadio-camara", "MLI", MIL),
    ("Mohamed Hamdan Dagalo signed the charter.", date(2021, 6, 1), "Mohamed Hamdan Dagalo", "mohamed-hamdan-dagalo", "SDN", ["GOV", "MIL"]),
    ("Mohamed Hamdan Dagalo ordered the assault on El Fasher.", date(2024, 6, 1), "Mohamed Hamdan Dagalo", "mohamed-hamdan-dagalo", "SDN", ["REB"]),
    ("William Ruto sent police officers to Haiti.", date(2024, 6, 25), "William Ruto", "william-ruto", "KEN", GOV),
    ("José Múcio ruled out sending ammunition.", date(2023, 4, 1), "José Múcio", "jose-mucio", "BRA", MIL),
    ("Claudia Sheinbaum rejected the deployment of US troops.", date(2025, 3, 1), "Claudia Sheinbaum", "claudia-sheinbaum", "MEX", GOV),
    ("Luis Petri signed the purchase of F-16 jets.", date(2024, 4, 16), "Luis Petri", "luis-petri", "ARG", MIL),
    # 2026 changes
    ("Mykhailo Fedorov presented the new drone procurement plan.", date(2026, 2, 1), "Mykhailo Fedorov", "mykhailo-fedorov", "UKR", MIL),
    ("Denys Shmyhal inspected the damaged power plant.", date(2026, 2, 1), "Denys Shmyhal", "denys-shmyhal", "UKR", GOV),
    ("Kyrylo Budanov met the American envoys.", date(2026, 2, 1), "Kyrylo Budanov", "kyrylo-budanov", "UKR", GOV),
    ("Rob Jetten hosted the coalition of the willing.", date(2026, 3, 1), "Rob Jetten", "rob-jetten", "NLD", GOV),
    ("Dilan Yeşilgöz announced more Patriot missiles.", date(2026, 3, 1), "Dilan Yeşilgöz", "dilan-yesilgoz", "NLD", MIL),
    ("Dick Schoof spoke at a conference.", date(2026, 3, 1), "Dick Schoof", "dick-schoof", "NLD", ELI),
    ("Péter Magyar met the Ukrainian president.", date(2026, 6, 1), "Péter Magyar", "peter-magyar", "HUN", GOV),
    ("Viktor Orbán criticised the new government.", date(2026, 6, 1), "Viktor Orbán", "viktor-orban", "HUN", ELI),
    ("Mojtaba Khamenei addressed the nation.", date(2026, 4, 1), "Mojtaba Khamenei", "mojtaba-khamenei", "IRN", GOV),
    # a title finds the holder of the day
    ("The Dutch defence minister visited the air base.", date(2021, 6, 1), "Dutch defence minister", "ank-bijleveld", "NLD", MIL),
    ("Norway's foreign minister arrived in Warsaw.", date(2022, 6, 1), "Norway's foreign minister", "anniken-huitfeldt", "NOR", DIP),
    ("The Japanese defence minister held talks in Manila.", date(2023, 1, 10), "Japanese defence minister", "yasukazu-hamada", "JPN", MIL),
    ("The South Korean president signed the budget.", date(2025, 2, 1), "South Korean president", "choi-sang-mok", "KOR", GOV),
    ("Israel's defence minister approved the operation.", date(2019, 6, 1), "Israel's defence minister", "benjamin-netanyahu", "ISR", MIL),
    ("The Swiss president opened the peace summit.", date(2024, 6, 15), "Swiss president", "viola-amherd", "CHE", MIL),
    ("The Czech president spoke in Prague.", date(2024, 3, 1), "Czech president", "petr-pavel", "CZE", GOV),
    ("The Romanian president called a meeting of the defence council.", date(2025, 3, 1), "Romanian president", "ilie-bolojan", "ROU", GOV),
    ("Kenya's president spoke at the summit.", date(2023, 5, 1), "Kenya's president", "william-ruto", "KEN", GOV),
    ("The Cypriot president met the Israeli prime minister.", date(2024, 2, 1), "Cypriot president", "nikos-christodoulides", "CYP", GOV),
    # a bare surname that belongs to one person
    ("Hultqvist said Sweden would send more equipment.", date(2020, 9, 1), "Hultqvist", "peter-hultqvist", "SWE", MIL),
    ("Szijjártó said Hungary would not send weapons.", date(2023, 6, 1), "Szijjártó", "peter-szijjarto", "HUN", DIP),
    ("Frederiksen said Denmark would give all its artillery.", date(2023, 1, 19), "Frederiksen", "mette-frederiksen", "DNK", GOV),
    ("Marles said the deal would create jobs.", date(2024, 6, 1), "Marles", "richard-marles", "AUS", MIL),
    ("Pezeshkian said Iran did not seek war.", date(2025, 1, 15), "Pezeshkian", "masoud-pezeshkian", "IRN", GOV),
    ("Tchiani said the junta would not hand over power.", date(2024, 3, 1), "Tchiani", "abdourahamane-tchiani", "NER", ["GOV", "MIL"]),
    ("Sheinbaum said Mexico would not accept an intervention.", date(2025, 3, 1), "Sheinbaum", "claudia-sheinbaum", "MEX", GOV),
    ("Sharaa said Syria would not be a threat.", date(2025, 3, 1), "Sharaa", "ahmed-al-sharaa", "SYR", GOV),
]


@pytest.mark.parametrize(("text", "published", "target", "pid", "owner", "sector"), CASES,
                         ids=[f"{i:03d}-{c[2]}" for i, c in enumerate(CASES)])
def test_sentence_table(text: str, published: date, target: str, pid: str, owner: str,
                        sector: list[str]) -> None:
    m = mention_over(resolve(text, published), text, target)
    assert m is not None, (text, target)
    assert m.entity.id == f"person:{pid}", m
    assert owner in (m.entity.country, m.entity.org), m
    assert sorted(m.entity.sector) == sorted(sector), m


def test_table_has_sixty_sentences() -> None:
    assert len(CASES) >= 60


# bare surnames that two people of the dictionaries share, or family names that are never matched alone
AMBIGUOUS = [
    ("Krivokapić said the coalition would hold.", date(2021, 6, 1), "Krivokapić"),  # Zdravko and Ranko
    ("Aoun said the army would deploy.", date(2020, 6, 1), "Aoun"),  # Michel and Joseph
    ("Koizumi said the ministry would buy drones.", date(2025, 11, 15), "Koizumi"),  # Junichiro and Shinjiro
    ("Dimitrov said the talks were useful.", date(2024, 6, 1), "Dimitrov"),  # Stefan and Nikola
    ("Traoré said the army would fight on.", date(2024, 6, 1), "Traoré"),  # several Traorés
    ("Maïga said the transition would last.", date(2023, 6, 1), "Maïga"),  # several Maïgas
    ("Kim said the missile test was a warning.", date(2024, 6, 1), "Kim"),
    ("Lee said the alliance was strong.", date(2025, 7, 1), "Lee"),
    ("Wong said Australia would send aid.", date(2023, 11, 1), "Wong"),
    ("Cohen said the ministry would respond.", date(2023, 6, 1), "Cohen"),
]


@pytest.mark.parametrize(("text", "published", "target"), AMBIGUOUS, ids=[c[2] for c in AMBIGUOUS])
def test_ambiguous_bare_surnames_stay_unresolved(text: str, published: date, target: str) -> None:
    m = mention_over(resolve(text, published), text, target)
    assert m is None or m.entity.kind != "person", m


def test_shared_surname_goes_to_the_one_person_who_may_be_named_by_it() -> None:
    """Two Harrises and two Frederiksens: the one marked ``surname: false`` never takes the bare name."""
    d = ActorDictionary.load()
    harris = d.lookup("Harris", date(2025, 3, 1))
    assert harris is not None and harris.id == "person:kamala-harris"
    assert d.lookup("Simon Harris", date(2025, 3, 1)).id == "person:simon-harris"  # type: ignore[union-attr]
    frederiksen = d.lookup("Frederiksen", date(2018, 1, 1))
    assert frederiksen is not None and frederiksen.id == "person:mette-frederiksen"


def test_names_that_are_also_places_stay_places() -> None:
    text = "Luís Montenegro flew to Montenegro for the summit."
    mentions = resolve(text, date(2025, 1, 20))
    person = mention_over(mentions, text, "Luís Montenegro")
    place = mention_over(mentions, text, "to Montenegro")
    assert person is not None and person.entity.country == "PRT"
    assert place is not None and place.entity.country == "MNE" and place.entity.kind == "state"
