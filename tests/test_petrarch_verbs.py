"""The generated CAMEO verb table and its loader (aidtrace.extract.petrarch_verbs)."""

from __future__ import annotations

from aidtrace.extract.petrarch_verbs import Coding, load_verb_patterns, verb_form_index


def test_table_is_large_and_typed() -> None:
    verbs = load_verb_patterns()
    assert len(verbs) > 1500
    assert all(isinstance(e.coding, Coding) for e in verbs.values())
    blocks = {e.block for e in verbs.values()}
    assert len(blocks) > 300


def test_irregular_and_multiword_forms() -> None:
    index = verb_form_index()
    assert index["sped"] == "speed"
    multi = [e for e in load_verb_patterns().values() if " " in e.lemma]
    assert multi and all(e.head in e.lemma.split() for e in multi)
    assert all(index[f] == e.lemma for e in multi for f in e.forms if index.get(f) == e.lemma)


def test_patterns_map_cameo_to_plover() -> None:
    verbs = load_verb_patterns()
    aid = [p for e in verbs.values() for p in e.patterns if p.coding.cameo == "072"]
    assert aid and all(p.coding.type == "AID" and "military" in p.coding.context for p in aid)
    sanctions = [p for e in verbs.values() for p in e.patterns if p.coding.cameo == "163"]
    assert sanctions and all(p.coding.type == "SANCTION" for p in sanctions)  # the project's choice
    roots_01_02 = [p for e in verbs.values() for p in e.patterns if (p.coding.cameo or "").startswith(("01", "02"))]
    assert roots_01_02 and all(p.coding.type is None for p in roots_01_02)


def test_no_event_patterns_and_reverse_codes() -> None:
    patterns = [p for e in load_verb_patterns().values() for p in e.patterns]
    assert any(p.no_event for p in patterns)
    visits = [p for p in patterns if p.reverse is not None and p.reverse.cameo == "043"]
    assert visits and all(p.reverse is not None and p.reverse.type == "CONSULT" for p in visits)


def test_synset_references_are_expanded() -> None:
    patterns = [p for e in load_verb_patterns().values() for p in e.patterns]
    slots = [alt for p in patterns for slot in (*p.before, *p.after) for alt in slot]
    assert not any("&" in s for s in slots)
    currency = [slot for p in patterns for slot in p.after if "euros" in slot]
    assert currency and all("dollars" in slot for slot in currency)
