"""scripts/convert_petrarch.py: regenerating gives the committed tables; parsing of the dictionary
syntax on small examples written for these tests (invented names, codes in the CAMEO layout)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GENERATED = ROOT / "src" / "aidtrace" / "data" / "petrarch"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("convert_petrarch", ROOT / "scripts" / "convert_petrarch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["convert_petrarch"] = module
    spec.loader.exec_module(module)
    return module


conv = _load_script()


@pytest.fixture(scope="module")
def review():
    return conv.Review.load(GENERATED / "review.yaml")


@pytest.fixture(scope="module")
def lexicon():
    return conv.Lexicon.from_spacy()


# --------------------------------------------------------------------------- regeneration


@pytest.fixture(scope="module")
def fresh(lexicon):
    return conv.convert(SHARED, lexicon=lexicon)


@pytest.mark.parametrize("name", ["actors.tsv", "places.tsv", "agents.yaml", "verbs.yaml"])
def test_regenerating_gives_the_committed_files(fresh, name: str) -> None:
    committed = (GENERATED / name).read_text(encoding="utf-8")
    assert fresh.files[name] == committed, f"{name} is out of date: run .venv/bin/python scripts/convert_petrarch.py"


@pytest.mark.parametrize("name", ["actors.tsv", "places.tsv", "agents.yaml", "verbs.yaml"])
def test_headers_name_source_commit_licence_and_command(name: str) -> None:
    head = (GENERATED / name).read_text(encoding="utf-8")[:4000]
    assert "https://github.com/openeventdata/petrarch2" in head
    assert conv.COMMIT in head
    assert "MIT License" in head and "Permission is hereby granted" in head
    assert "scripts/convert_petrarch.py" in head


def test_check_mode_passes_on_the_committed_files(tmp_path: Path, fresh) -> None:
    for name, text in fresh.files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert conv.main(["--shared", str(SHARED), "--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "agents.yaml").write_text("roles: []\n", encoding="utf-8")
    assert conv.main(["--shared", str(SHARED), "--out", str(tmp_path), "--check"]) == 1


def test_report_counts_what_was_dropped(fresh) -> None:
    actors = fresh.report["actors"]
    assert actors["converted: person"] > 5000
    assert actors["entry dropped: place name (bare country code; countries.tsv covers countries)"] > 100
    verbs = fresh.report["verbs"]
    assert verbs["verb lemmas converted"] > 1500
    assert verbs["patterns converted: no event ([---])"] > 0


# --------------------------------------------------------------------------- dates and codes


@pytest.mark.parametrize(("text", "expected"), [
    ("991231", date(1999, 12, 31)),
    ("300101", date(2030, 1, 1)),
    ("310101", date(1931, 1, 1)),
    ("19451108", date(1945, 11, 8)),
    ("991332", None),
    ("2004017", None),
])
def test_parse_date(text: str, expected: date | None) -> None:
    assert conv.parse_date(text) == expected


def test_parse_code_forms() -> None:
    assert conv.parse_code("FRAGOV 010101-051231") == conv.Code("FRAGOV", date(2001, 1, 1), date(2005, 12, 31), True)
    assert conv.parse_code("FRAGOV >120515") == conv.Code("FRAGOV", date(2012, 5, 15), None, True)
    assert conv.parse_code("FRAGOV  > 120515") == conv.Code("FRAGOV", date(2012, 5, 15), None, True)
    assert conv.parse_code("FRAGOV <061231") == conv.Code("FRAGOV", None, date(2006, 12, 31), True)
    assert conv.parse_code("FRAMIL") == conv.Code("FRAMIL")
    assert conv.parse_code("FRAGOV 051231-010101") is None  # runs backwards
    assert conv.parse_code("C214") is None
    assert conv.parse_code("---") is None


def test_decode_codes(review) -> None:
    iso3 = frozenset({"FRA", "DEU", "KEN"})
    assert conv.decode("FRAGOVLEG", review, iso3) == conv.Decoded("FRA", None, ("GOV", "LEG"), "institution")
    assert conv.decode("KENREB", review, iso3) == conv.Decoded("KEN", None, ("REB",), "group")
    assert conv.decode("DEU", review, iso3) == conv.Decoded("DEU", None, (), "state")
    assert conv.decode("DDRMIL", review, iso3).country == "DEU"  # review.yaml: East Germany -> DEU
    assert conv.decode("IGOUNOHLHWHO", review, iso3) == conv.Decoded(None, "WHO", ("IGO", "HLH"), "igo")
    assert conv.decode("MNCKEN", review, iso3) == conv.Decoded("KEN", None, ("BUS",), "company")
    assert conv.decode("FRACHRGOV", review, iso3).sector == ("GOV",)  # religion blocks are not sectors
    assert isinstance(conv.decode("WEUREB", review, iso3), str)  # a region, no country
    assert isinstance(conv.decode("IGOXYZ", review, iso3), str)
    assert isinstance(conv.decode("NGO", review, iso3), str)


# --------------------------------------------------------------------------- actor entries

ACTOR_EXAMPLE = """\
# an invented dictionary in the Phoenix layout
ORLANDO_QUIXBY_  # a test person
+PRESIDENT_ORLANDO_QUIXBY
+ORLANDO_Q._QUIXBY_
+QUIXBY
\t[FRAELI 700101-010101]
\t[FRAGOV 010101-051231]
\t[FRAGOV 030101-060630]
\t[FRAELI]
ZORBLAT_WIDGET_WORKS_ [MNCKEN] # invented company
+ZORBLAT_WIDGETS
PLACEVILLE_ [FRA]
+PLACEVILLE_CENTRAL_
AMIRA_AL-TESTANI_\t[KENGOV >150301] [KENELI]
"""


def test_parse_actor_file_groups_variants_and_codes() -> None:
    raws = conv.parse_actor_file(ACTOR_EXAMPLE.splitlines(), "example")
    assert [r.name for r in raws] == ["ORLANDO_QUIXBY_", "ZORBLAT_WIDGET_WORKS_", "PLACEVILLE_", "AMIRA_AL-TESTANI_"]
    assert raws[0].variants == ["PRESIDENT_ORLANDO_QUIXBY", "ORLANDO_Q._QUIXBY_", "QUIXBY"]
    assert len(raws[0].codes) == 4 and raws[0].codes[1].start == date(2001, 1, 1)
    assert raws[1].codes == [conv.Code("MNCKEN")]
    assert raws[3].codes == [conv.Code("KENGOV", date(2015, 3, 1), None, True), conv.Code("KENELI")]


def test_names_broken_by_a_lost_letter_are_dropped() -> None:
    # a control character stands where the source lost an accented letter
    text = ("NADIA_BR\x1aMONT_  # broken base, no variant\n\t[FRAGOV 010101-051231]\n"
            "OSKAR_VELD\x1aN_  # broken base, good variant\n+OSKAR_VELDEN\n+O._VELD\x1aN\n\t[FRAELI]\n"
            "LENA_ORTIZ_\n\t[FRAELI]\n")
    raws = conv.parse_actor_file(text.splitlines(), "example")
    assert [(r.name, r.variants) for r in raws] == [("OSKAR_VELDEN", []), ("LENA_ORTIZ_", [])]
    # the broken entry's codes did not leak onto its neighbour
    assert [c.code for c in raws[0].codes] == ["FRAELI"] and [c.code for c in raws[1].codes] == ["FRAELI"]


def test_convert_actor_entries(review, lexicon) -> None:
    raws = conv.parse_actor_file(ACTOR_EXAMPLE.splitlines(), "example")
    namer = conv.Namer(review, lexicon)
    iso3 = frozenset({"FRA", "KEN"})
    report: Counter[str] = Counter()
    person, company, place, amira = (conv.convert_actor(r, review, iso3, namer, report) for r in raws)
    assert person.kind == "person" and person.id == "person:orlando-quixby"
    # the title is stripped, the bare surname is not a safe form
    assert person.names == ["Orlando Quixby", "Orlando Q. Quixby"]
    # overlapping spells of one role are joined; the undated ELI default is aidtrace's out-of-office rule
    assert person.roles == [("FRA", ("ELI",), date(1970, 1, 1), date(2001, 1, 1)),
                            ("FRA", ("GOV",), date(2001, 1, 1), date(2006, 6, 30))]
    assert (company.kind, company.country, company.sector) == ("company", "KEN", ("BUS",))
    assert company.names == ["Zorblat Widget Works", "Zorblat Widgets"]
    assert place is None and report["entry dropped: place name (bare country code; countries.tsv covers countries)"] == 1
    # open-ended roles end at the source's horizon; both spellings of the al- particle
    assert amira.roles == [("KEN", ("GOV",), date(2015, 3, 1), conv.HORIZON)]
    assert amira.names == ["Amira al-Testani", "Amira Al-Testani"]


@pytest.mark.parametrize(("source", "expected"), [
    ("MARIA_DE_LA_QUIXOTA", ["Maria de la Quixota"]),
    ("SEAN_MCGLIMMER", ["Sean McGlimmer"]),
    ("PATRICK_O'FLIBBERT_", ["Patrick O'Flibbert"]),
    ("MR_HAMISH_GRUNDLE", ["Hamish Grundle"]),
    ("UNITED_NATIONS_SECRETARY_GENERAL_HAMISH_GRUNDLE", ["Hamish Grundle"]),
    ("GRUNDLE_ADMINISTRATION", []),
    ("ABDUL_FLORIM", []),  # a compound given name alone
    ("GRUNDLE", []),
])
def test_person_name_forms(review, lexicon, source: str, expected: list[str]) -> None:
    assert conv.Namer(review, lexicon).person_forms(source) == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("THE_ZORBLAT_FRONT_FOR_THE_LIBERATION_OF_QUUX_", ["Zorblat Front for the Liberation of Quux"]),
    ("ZLFQ_", ["ZLFQ"]),
    ("UN_ZORBLAT_MISSION", ["UN Zorblat Mission"]),
    ("SHELL_", []),  # an English word alone
    ("QUUX_SECRETARY_OF_WIDGETS", []),  # an office, composed from agents.yaml instead
])
def test_org_name_forms(review, lexicon, source: str, expected: list[str]) -> None:
    assert conv.Namer(review, lexicon).org_forms(source) == expected


def test_a_name_two_entries_claim_is_dropped() -> None:
    a = conv.Actor("person:a", "person", "Jan Quux", ["Jan Quux", "J. Quux"], roles=[("FRA", ("GOV",), None, None)])
    b = conv.Actor("person:b", "person", "Jon Quux", ["Jon Quux", "J. Quux"], roles=[("KEN", ("GOV",), None, None)])
    report: Counter[str] = Counter()
    kept = conv.resolve_clashes([a, b], report)
    assert [x.names for x in kept] == [["Jan Quux"], ["Jon Quux"]]
    assert report["name forms dropped: claimed by two different entries"] == 2


# --------------------------------------------------------------------------- agents

AGENT_EXAMPLE = """\
!PERSON! = MAN, WOMAN
WIDGET!PERSON! [~BUS]  # an invented agent
QUUX_OFFICER {} [~GOV]
ZORBLAT_RANGER {ZORBLAT_RANGERI} [~MILCHR]
RIGHTS_WATCHER [NGO~]
TEMPLE_KEEPER [~BUD]
"""


def test_parse_agent_lines() -> None:
    parsed = list(conv.parse_agent_lines(AGENT_EXAMPLE.splitlines()))
    assert [forms for _, _, forms in parsed] == [
        ["widgetman", "widgetwoman"], ["quux officer"], ["zorblat ranger", "zorblat rangeri"],
        ["rights watcher", "rights watchers"], ["temple keeper", "temple keepers"]]
    assert [code for _, code, _ in parsed] == ["~BUS", "~GOV", "~MILCHR", "NGO~", "~BUD"]


def test_convert_agents_keeps_safe_forms_and_sectors(review, lexicon) -> None:
    roles = conv.convert_agents(AGENT_EXAMPLE.splitlines(), review, lexicon, Counter())
    by_form = {f: r["sector"] for r in roles for f in r["forms"]}
    assert by_form["quux officer"] == ["GOV"]
    assert by_form["zorblat ranger"] == ["MIL"]  # the religion block is no sector
    assert by_form["rights watchers"] == ["NGO"]
    assert "zorblat rangeri" not in by_form  # not an English word: a stem or misspelling
    assert "temple keeper" not in by_form  # religion only: not kept


# --------------------------------------------------------------------------- verbs

VERB_EXAMPLE = """\
# an invented verb dictionary in the CAMEO.2.0 layout
&GADGET
+WIDGET
+GIZMO_

&PLAIN_
+QUUX

####### VERB PATTERNS #######

---  BESTOW   [070]  ---
BESTOW
+HAND_OVER {+HANDS_OVER +HANDED_OVER +HANDING_OVER} [072]
FLY {FLIES FLEW FLOWN FLYING}
CARRY [---]
- * &GADGET                       [072]   # BESTOW
- $ * (TO +)                      [042:043]  # FLY
- * {EMPTY &GADGET}               [---]   # BESTOW
- * (FOR {COURT CASE})            [:173]  # CARRY
- * &UNDEFINED                    [070]

######## TRANSFORMATIONS ##########
~ a (a b BESTOW) SAY = a b 010
"""


@pytest.fixture(scope="module")
def parsed_verbs():
    report: Counter[str] = Counter()
    synsets, blocks = conv.parse_verbs(VERB_EXAMPLE, report)
    return synsets, blocks, report


def test_synsets_get_plurals_unless_marked(parsed_verbs) -> None:
    synsets, _, _ = parsed_verbs
    assert synsets["&GADGET"] == ["widget", "widgets", "gizmo"]
    assert synsets["&PLAIN"] == ["quux"]


def test_verb_lines(parsed_verbs) -> None:
    _, blocks, report = parsed_verbs
    (block,) = blocks
    assert (block.name, block.code) == ("BESTOW", "070")
    verbs = {v.lemma: v for v in block.verbs}
    assert verbs["bestow"].forms == ["bestows", "bestowed", "bestowing"] and verbs["bestow"].code == "070"
    assert verbs["hand over"].head == "hand" and verbs["hand over"].code == "072"
    assert verbs["hand over"].forms == ["hands over", "handed over", "handing over"]
    assert verbs["fly"].forms == ["flies", "flew", "flown", "flying"]
    assert verbs["carry"].code is None
    assert report["transformations left out (not verb patterns)"] == 1


def test_patterns(parsed_verbs) -> None:
    _, blocks, report = parsed_verbs
    gadget, visit, empty, court = blocks[0].patterns
    assert (gadget.code, gadget.after, gadget.verb) == ("072", [["&GADGET"]], "bestow")
    assert (visit.code, visit.reverse, visit.source) == ("042", "043", ["before"])
    assert visit.preps == [{"prep": "to", "objects": [], "role": "target"}]
    assert empty.code is None and empty.after == [["empty &GADGET"]]
    assert (court.code, court.reverse) == (None, "173")
    assert court.preps == [{"prep": "for", "objects": [["court case"]]}]
    assert report["patterns dropped: undefined synset &UNDEFINED"] == 1


CAMEO2PLOVER_EXAMPLE = """\
07: AID
070: AID,   ,  # a comment
072: AID,   ,   military # another
163: COERCE, restrict, economic;legal # both contexts
"""


def test_cameo_to_plover(review) -> None:
    table = conv.read_cameo2plover(CAMEO2PLOVER_EXAMPLE, review)
    assert table["072"] == conv.Plover("AID", None, ("military",))
    assert conv.plover_of("0721", table) == table["072"]  # the nearest parent
    assert conv.plover_of("010", table) is None  # root 01 has no PLOVER type
    assert table["163"].type == "SANCTION"  # review.yaml follows the manual, as docs/CODING.md says


def test_verbs_document_marks_no_event_and_maps_codes(parsed_verbs, review) -> None:
    synsets, blocks, _ = parsed_verbs
    table = conv.read_cameo2plover(CAMEO2PLOVER_EXAMPLE + "042: CONSULT, visit,\n043: CONSULT, visit,\n", review)
    doc = conv.verbs_document(blocks, table, Counter())
    (block,) = doc["blocks"]
    assert block["type"] == "AID"
    gadget, visit, empty, _ = block["patterns"]
    assert gadget["type"] == "AID" and gadget["context"] == ["military"]
    assert visit["reverse_cameo"] == "043" and visit["reverse"] == {"type": "CONSULT", "mode": "visit"}
    assert empty["no_event"] is True
    assert conv.used_sets(doc, synsets) == {"GADGET": ["widget", "widgets", "gizmo"]}


# --------------------------------------------------------------------------- places

PLACE_EXAMPLE = """
QUUXLAND_ [QUX]
+QUUXVILLE_
+NORTH_QUUX_PROVINCE
+SPLIT_
+QX_
NEWLAND_
+NEWLAND_CITY
+OLDPORT_
\t[QUXNEW <20110709]
\t[NEW >20110709]
TYPOLAND_
+TYPOVILLE_
\t[USRTYP >911016]
\t[TYP >911221]
"""


def test_places_come_from_bare_country_entries_with_their_history(review, lexicon) -> None:
    raws = conv.parse_actor_file(PLACE_EXAMPLE.splitlines(), "example")
    report: Counter[str] = Counter()
    review = conv.Review(**{**review.__dict__, "countries": {**review.countries, "QUX": "QUX", "NEW": "NEW",
                                                             "TYP": "TYP", "USR": "RUS"}})
    places = {p.name: p.spells for p in conv.convert_places(raws, review, frozenset({"QUX", "NEW", "TYP"}),
                                                             conv.Namer(review, lexicon), report)}
    assert places["Quuxville"] == [("QUX", None, None)]
    assert places["North Quux Province"] == [("QUX", None, None)]
    assert "Split" not in places and "QX" not in places  # an English verb; too short
    # part of Quuxland until independence on 9 July 2011
    assert places["Oldport"] == [("QUX", None, date(2011, 7, 9)), ("NEW", date(2011, 7, 9), None)]
    # overlapping spells (a typo in the source): the country it belongs to now
    assert places["Typoville"] == [("TYP", None, None)]


def test_a_place_name_two_countries_claim_is_dropped(review, lexicon) -> None:
    text = "QUUXLAND_ [QUX]\n+TWINTOWN_\nNEWLAND_ [NEW]\n+TWINTOWN_\n+SOLOTOWN_\n"
    review = conv.Review(**{**review.__dict__, "countries": {**review.countries, "QUX": "QUX", "NEW": "NEW"}})
    report: Counter[str] = Counter()
    places = conv.convert_places(conv.parse_actor_file(text.splitlines(), "example"), review,
                                 frozenset({"QUX", "NEW"}), conv.Namer(review, lexicon), report)
    assert [p.name for p in places] == ["Newland", "Quuxland", "Solotown"]  # the base names are places too
    assert report["place names dropped: listed under two countries"] == 1
