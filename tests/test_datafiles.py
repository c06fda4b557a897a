"""The packaged data reader: every data file loads, and a bad one is named."""

from __future__ import annotations

from importlib import resources

import pytest

from aidtrace import datafiles
from aidtrace.errors import DataFileError

YAML_FILES = sorted(p.name for p in resources.files("aidtrace").joinpath("data").iterdir()
                    if p.name.endswith(".yaml"))


@pytest.mark.parametrize("name", YAML_FILES)
def test_every_packaged_yaml_file_loads_and_has_a_source_header(name: str) -> None:
    assert datafiles.load_yaml(name)
    assert datafiles.read_text(name).lstrip().startswith("#"), f"{name} needs a header naming its sources"


def test_a_missing_data_file_is_named() -> None:
    with pytest.raises(DataFileError, match="aidtrace/data/no_such_table.yaml"):
        datafiles.load_yaml("no_such_table.yaml")


def test_malformed_yaml_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datafiles, "read_text", lambda *parts: "key: [unclosed")
    with pytest.raises(DataFileError, match="not valid YAML"):
        datafiles.load_yaml("triggers.yaml")


def test_grammar_word_lists_are_all_words() -> None:
    doc = datafiles.load_yaml("grammar.yaml")
    for key, value in doc.items():
        lists = value.values() if isinstance(value, dict) else [value]
        for words in lists:
            assert words and all(isinstance(w, str) and w.strip() == w and w for w in words), key
    assert datafiles.grammar_words("plan_nouns")[0] == "plan"
    assert datafiles.grammar_table("recipient_preps")["AID"] == ("to", "for", "into")


def test_a_bare_on_in_the_grammar_lists_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # YAML reads a bare `on` as true: the reader says which list and how to fix it
    monkeypatch.setattr(datafiles, "_grammar", {"occasion_preps": ["at", True]})
    with pytest.raises(DataFileError, match="occasion_preps: expected a list of words"):
        datafiles.grammar_words("occasion_preps")
    with pytest.raises(DataFileError, match="no word list 'nothing'"):
        datafiles.grammar_words("nothing")
