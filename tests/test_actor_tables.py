"""The actor tables (data/actors/countries.tsv, igos.yaml, nonstate.yaml): coverage and lookups."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pycountry
import pytest
import yaml

from aidtrace.extract.actors import ActorDictionary

ON = date(2010, 1, 1)

# ISO 3166-1 alpha-3 codes of the 193 UN member states (territories and dependencies left out).
_UN_CODES = """
AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN BOL BIH BWA BRA BRN
BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM COG COD CRI CIV HRV CUB CYP CZE DNK DJI DMA DOM
ECU EGY SLV GNQ ERI EST SWZ ETH FJI FIN FRA GAB GMB GEO DEU GHA GRC GRD GTM GIN GNB GUY HTI HND HUN
ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN LSO LBR LBY LIE
LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MDA MCO MNG MNE MAR MOZ MMR NAM NRU NPL NLD NZL
NIC NER NGA MKD NOR OMN PAK PLW PAN PNG PRY PER PHL POL PRT QAT ROU RUS RWA KNA LCA VCT WSM SMR STP
SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF SSD ESP LKA SDN SUR SWE CHE SYR TJK TZA THA TLS TGO TON
TTO TUN TUR TKM TUV UGA UKR ARE GBR USA URY UZB VUT VEN VNM YEM ZMB ZWE
"""
UN_MEMBERS = frozenset(_UN_CODES.split())
# non-members the table must also cover (observers, partially recognised states, territories in the news)
EXTRA = frozenset({"PSE", "XKX", "TWN", "HKG", "ESH", "VAT"})


def _rows() -> list[list[str]]:
    text = resources.files("aidtrace").joinpath("data", "actors", "countries.tsv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]


def _yaml(name: str) -> list[dict]:
    return yaml.safe_load(resources.files("aidtrace").joinpath("data", "actors", name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- coverage


def test_un_member_list_is_iso() -> None:
    assert len(UN_MEMBERS) == 193
    assert all(pycountry.countries.get(alpha_3=code) is not None for code in UN_MEMBERS)


def test_every_un_member_has_a_row() -> None:
    codes = {row[0] for row in _rows()}
    assert sorted(UN_MEMBERS - codes) == []
    assert sorted(EXTRA - codes) == []


def test_every_pycountry_sovereign_state_is_covered() -> None:
    """pycountry entries without a row are all territories/dependencies (none of them a UN member)."""
    codes = {row[0] for row in _rows()}
    missing = {c.alpha_3 for c in pycountry.countries} - codes
    assert not missing & UN_MEMBERS


def test_rows_are_well_formed() -> None:
    rows = _rows()
    codes = [row[0] for row in rows]
    assert len(codes) == len(set(codes)), "duplicate alpha3 rows"
    for row in rows:
        assert len(row) == 4, row
        assert len(row[0]) == 3 and row[0].isupper(), row
        assert row[1].strip(), f"{row[0]} has no names"
        for cell in row[1:]:
            assert all(x == x.strip() and x for x in cell.split("|") if cell), row


def test_table_names_are_not_shadowed() -> None:
    """Every name in the three tables resolves to its own row/entry (no earlier entry took it)."""
    d = ActorDictionary.load()
    for row in _rows():
        for cell in row[1:]:
            for name in filter(None, (x.strip() for x in cell.split("|"))):
                entry = d.entries[name]
                assert entry.entity is not None and entry.entity.country == row[0], (row[0], name)
    for part in ("igos.yaml", "nonstate.yaml"):
        for item in _yaml(part):
            for name in item.get("names", []):
                entry = d.entries[name]
                assert entry.entity is not None and entry.entity.id == item["id"], (part, name)


# --------------------------------------------------------------------------- lookups
# (phrase, expected country, else org, of the entity; required sectors or None)

CASES: list[tuple[str, str, list[str] | None]] = [
    # demonyms of states that had no row
    ("Liberians", "LBR", None),
    ("Liberian", "LBR", None),
    ("Burundian", "BDI", None),
    ("Burundians", "BDI", None),
    ("Gambian", "GMB", None),
    ("Gambians", "GMB", None),
    ("The Gambia", "GMB", None),
    ("Sierra Leoneans", "SLE", None),
    ("Guinean", "GIN", None),
    ("Bissau-Guinean", "GNB", None),
    ("Equatorial Guinean", "GNQ", None),
    ("Papua New Guinean", "PNG", None),
    ("Togolese", "TGO", None),
    ("Beninese", "BEN", None),
    ("Malawians", "MWI", None),
    ("Mozambican", "MOZ", None),
    ("Zambian", "ZMB", None),
    ("Namibians", "NAM", None),
    ("Basotho", "LSO", None),
    ("Swazi", "SWZ", None),
    ("Malagasy", "MDG", None),
    ("Mauritanian", "MRT", None),
    ("Djiboutian", "DJI", None),
    ("Comorian", "COM", None),
    ("Cape Verdean", "CPV", None),
    ("Gabonese", "GAB", None),
    ("Bhutanese", "BTN", None),
    ("Maldivian", "MDV", None),
    ("East Timorese", "TLS", None),
    ("Fijians", "FJI", None),
    ("Samoan", "WSM", None),
    ("Jamaicans", "JAM", None),
    ("Trinidadian", "TTO", None),
    ("Barbadian", "BRB", None),
    ("Guyanese", "GUY", None),
    ("Costa Rican", "CRI", None),
    ("Sahrawi", "ESH", None),
    ("Hong Kongers", "HKG", None),
    ("Monegasque", "MCO", None),
    # demonyms on existing rows
    ("Filipinos", "PHL", None),
    ("Filipino", "PHL", None),
    ("Philippine", "PHL", None),
    ("Kuwaitis", "KWT", None),
    ("Emiratis", "ARE", None),
    ("the Emirates", "ARE", None),
    # short forms and other names
    ("Ivory Coast", "CIV", None),
    ("Côte d'Ivoire", "CIV", None),
    ("DRC", "COD", None),
    ("Democratic Republic of Congo", "COD", None),
    ("Congo-Brazzaville", "COG", None),
    ("Republic of Congo", "COG", None),
    ("East Timor", "TLS", None),
    ("Swaziland", "SWZ", None),
    ("Eswatini", "SWZ", None),
    ("Macedonia", "MKD", None),
    ("Cabo Verde", "CPV", None),
    ("St. Lucia", "LCA", None),
    ("St Kitts and Nevis", "KNA", None),
    ("Sao Tome and Principe", "STP", None),
    ("Brunei", "BRN", None),
    ("Micronesia", "FSM", None),
    ("Northern Ireland", "GBR", None),
    ("Niger Delta", "NGA", None),
    # exact words only: Niger is not Nigeria
    ("Niger", "NER", None),
    ("Nigeria", "NGA", None),
    ("Nigerien", "NER", None),
    ("Nigerians", "NGA", None),
    ("Sudanese", "SDN", None),
    ("South Sudanese", "SSD", None),
    # capitals as metonyms for the government
    ("Monrovia", "LBR", ["GOV"]),
    ("Freetown", "SLE", ["GOV"]),
    ("Banjul", "GMB", ["GOV"]),
    ("Gitega", "BDI", ["GOV"]),
    ("Lusaka", "ZMB", ["GOV"]),
    ("Lilongwe", "MWI", ["GOV"]),
    ("Port Moresby", "PNG", ["GOV"]),
    ("Dili", "TLS", ["GOV"]),
    ("Brazzaville", "COG", ["GOV"]),
    ("Lomé", "TGO", ["GOV"]),
    # historical names -> successor state
    ("Zaire", "COD", None),
    ("Zairean", "COD", None),
    ("Kampuchea", "KHM", None),
    ("Kampuchean", "KHM", None),
    ("Burma", "MMR", None),
    ("Burmese", "MMR", None),
    ("Soviet Union", "RUS", None),
    ("USSR", "RUS", None),
    ("Soviet", "RUS", None),
    ("Yugoslavia", "SRB", None),
    ("Yugoslav", "SRB", None),
    ("Czechoslovakia", "CZE", None),
    ("Czechoslovak", "CZE", None),
    ("East Germany", "DEU", None),
    ("West Germany", "DEU", None),
    ("East German", "DEU", None),
    ("Rhodesia", "ZWE", None),
    ("Northern Rhodesia", "ZMB", None),
    ("Dahomey", "BEN", None),
    ("Upper Volta", "BFA", None),
    ("Ceylon", "LKA", None),
    ("Siam", "THA", None),
    ("Persia", "IRN", None),
    # misspellings seen in news data
    ("Quatar", "QAT", None),
    ("Afganistan", "AFG", None),
    ("Ethopia", "ETH", None),
    # IGOs
    ("European Community", "EU", None),
    ("EC", "EU", None),
    ("European Economic Community", "EU", None),
    ("EEC", "EU", None),
    ("common market", "EU", None),
    ("International Labour Organization", "ILO", None),
    ("International Labor Organization", "ILO", None),
    ("International Labor Office", "ILO", None),
    ("ILO", "ILO", None),
    ("Red Crescent", "ICRC", None),
    ("Red Cross", "ICRC", None),
    ("International Committee of the Red Cross", "ICRC", None),
    ("World Food Programme", "UN", None),
    ("World Food Program", "UN", None),
    ("WFP", "UN", None),
    ("UNHCR", "UN", None),
    ("UN refugee agency", "UN", None),
    ("UNICEF", "UN", None),
    ("WHO", "WHO", None),
    ("World Health Organisation", "WHO", None),
    ("IAEA", "IAEA", None),
    ("OSCE", "OSCE", None),
    ("African Union", "AU", None),
    ("AU", "AU", None),
    ("Organization of African Unity", "AU", None),
    ("OAU", "AU", None),
    ("ECOWAS", "ECOWAS", None),
    ("Economic Community of West African States", "ECOWAS", None),
    ("ASEAN", "ASEAN", None),
    ("Arab League", "ARL", None),
    ("League of Arab States", "ARL", None),
    ("Gulf Cooperation Council", "GCC", None),
    ("GCC", "GCC", None),
    ("Organization of Islamic Cooperation", "OIC", None),
    ("Organisation of the Islamic Conference", "OIC", None),
    ("SCO", "SCO", None),
    ("Shanghai Cooperation Organisation", "SCO", None),
    ("BRICS", "BRICS", None),
    ("CSTO", "CSTO", ["MIL"]),
    ("Commonwealth", "COMMONWEALTH", None),
    ("Commonwealth of Independent States", "CIS", None),
    ("Warsaw Pact", "WARSAW", ["MIL"]),
    # non-state actors
    ("Fatah", "PSE", ["PTY"]),
    ("PLO", "PSE", None),
    ("Palestine Liberation Organization", "PSE", None),
    ("Islamic Jihad", "PSE", ["REB"]),
    ("Jewish settlers", "ISR", ["CVL"]),
    ("Israeli settlers", "ISR", ["CVL"]),
    ("PKK", "TUR", ["REB"]),
    ("YPG", "SYR", ["REB"]),
    ("SDF", "SYR", ["REB"]),
    ("Syrian Democratic Forces", "SYR", ["REB"]),
    ("Peshmerga", "IRQ", ["MIL"]),
    ("Houthis", "YEM", ["REB"]),
    ("al-Shabaab", "SOM", ["REB"]),
    ("Boko Haram", "NGA", ["REB"]),
    ("ISIS", "ISIS", ["REB"]),
    ("Islamic State", "ISIS", ["REB"]),
    ("ISIL", "ISIS", ["REB"]),
    ("Daesh", "ISIS", ["REB"]),
    ("Wagner Group", "RUS", ["MIL"]),
    ("SPLM", "SSD", ["REB"]),
    ("SPLA", "SSD", ["REB"]),
    ("SPLM-N", "SDN", ["REB"]),
    ("Revolutionary United Front", "SLE", ["REB"]),
    ("RUF", "SLE", ["REB"]),
    ("UNITA", "AGO", None),
    ("MPLA", "AGO", ["PTY"]),
    ("ANC", "ZAF", ["PTY"]),
    ("African National Congress", "ZAF", ["PTY"]),
    ("Tamil Tigers", "LKA", ["REB"]),
    ("LTTE", "LKA", ["REB"]),
    ("Chechen rebels", "RUS", ["REB"]),
    ("Taliban", "AFG", ["REB"]),
]


@pytest.mark.parametrize(("phrase", "expected", "sectors"), CASES, ids=[c[0] for c in CASES])
def test_lookup(phrase: str, expected: str, sectors: list[str] | None) -> None:
    entity = ActorDictionary.load().lookup(phrase, ON)
    assert entity is not None, phrase
    assert (entity.country or entity.org) == expected, entity
    if sectors is not None:
        assert set(sectors) <= set(entity.sector), entity


def test_enough_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("phrase", ["Male", "Korea", "Persian Gulf", "Georgetown"])
def test_ambiguous_words_left_out(phrase: str) -> None:
    """Words deliberately not in the tables (a common word, two Koreas, a sea, a US university)."""
    assert ActorDictionary.load().lookup(phrase, ON) is None


def test_capital_after_locative_is_the_place() -> None:
    from aidtrace.extract.actors import resolve_mentions
    from aidtrace.model import Document

    text = "Talks were held in Monrovia. Freetown rejected the plan."
    doc = Document(id="t", external_id="t", source="test", raw_text=text, text=text, content_hash="t",
                   published=ON, dateline_place=None)
    mentions = {m.text: m.entity for m in resolve_mentions(doc, [])}
    assert mentions["Monrovia"].country == "LBR" and mentions["Monrovia"].sector == []
    assert mentions["Freetown"].country == "SLE" and mentions["Freetown"].sector == ["GOV"]
