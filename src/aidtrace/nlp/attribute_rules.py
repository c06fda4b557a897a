"""The attribute ruler's rules applied by table look-up: the same attributes at a fraction of the cost.

requires: a Doc tagged and parsed (the rules of ``en_core_web_sm`` test TAG, LOWER, DEP, IS_SPACE)
assigns:  what spaCy's ``attribute_ruler`` assigns (POS, MORPH, some LEMMA, TAG and DEP values)

spaCy's ``AttributeRuler`` runs a ``Matcher`` with all its patterns (179 in the small English
pipeline, mostly its tag map) over every token: a fifth of the parse time of a sentence.
Nearly all of them test only the token itself, so the rules that apply to a token depend only
on a few of its attributes; ``AttributeRules`` evaluates them once per distinct combination and
remembers the result. Patterns of several tokens (such as "gon na") are checked against the
neighbouring tokens where their first token matches.

The semantics are the ruler's: every pattern is matched against the Doc as it is before any
rule applies, and a token's attributes are set by the rules that match it in rule order, a
later rule overriding an earlier one (``AttributeRuler.match`` sorts matches by rule).
Patterns outside the supported subset (quantifiers, extension attributes, other operators)
make ``from_ruler`` return None, and the original component is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

# Token attributes a pattern may test: hashed strings, and boolean flags.
STRING_ATTRS = {"ORTH": "ORTH", "TEXT": "ORTH", "LOWER": "LOWER", "NORM": "NORM", "TAG": "TAG", "DEP": "DEP",
                "LEMMA": "LEMMA"}
FLAG_ATTRS = ("IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "LIKE_NUM")
FACTORY = "aidtrace_attribute_rules"
# Distinct raw tokens remembered (the memo starts again when full, so memory stays bounded).
ROW_MEMO = 200_000


class Unsupported(Exception):
    """A pattern these rules cannot evaluate exactly like spaCy's Matcher."""


@dataclass(frozen=True)
class _Test:
    """One attribute test of a token pattern: equality, IN, NOT_IN or REGEX (as the Matcher does)."""

    column: int
    slot: int  # its place among the tests of its column
    op: str
    value: Any

    def __call__(self, got: Any) -> bool:
        if self.op == "==":
            return bool(got == self.value)
        if self.op == "IN":
            return got in self.value
        if self.op == "NOT_IN":
            return got not in self.value
        return self.value.search(got) is not None


@dataclass(frozen=True)
class _Pattern:
    rule: int
    tokens: tuple[tuple[_Test, ...], ...]
    target: int  # which token of the match gets the rule's attributes


class AttributeRules:
    """The rules of an ``AttributeRuler``, applied with a few memo look-ups per token.

    A token is described by one signature per tested attribute: the outcomes of every test
    on that attribute (so "minister" and "reporters" share the signature of words no rule
    names). The rules that apply depend only on these signatures.
    """

    def __init__(self, vocab: Vocab, rules: list[tuple[list[list[dict[str, Any]]], dict[Any, Any], int]]):
        """Args: vocab; rules: (patterns, normalised attributes, index) in the ruler's order."""
        self.vocab = vocab
        self.attrs = [attrs for _, attrs, _ in rules]
        self.columns: list[str] = []
        self.tests: list[list[_Test]] = []
        self.patterns = [p for rule, (pats, _, index) in enumerate(rules) for p in self._compile(rule, pats, index)]
        self.single = [p for p in self.patterns if len(p.tokens) == 1]
        self.multi = [p for p in self.patterns if len(p.tokens) > 1]
        self._signatures: list[dict[int, tuple[bool, ...]]] = [{} for _ in self.columns]
        self._outcomes = [_ColumnOutcomes.of(tests) for tests in self.tests]
        self._memo: dict[tuple[tuple[bool, ...], ...], _Looked] = {}
        self._rows: dict[tuple[int, ...], _Looked] = {}  # the same, by the attributes' raw values

    @classmethod
    def from_ruler(cls, ruler: AttributeRuler) -> AttributeRules | None:
        """The rules of a loaded ruler, or None when one of its patterns is not supported."""
        rules: list[tuple[Any, dict[Any, Any], Any]] = [(p["patterns"], ruler.attrs[i], p["index"])
                                                         for i, p in enumerate(ruler.patterns)]
        try:
            return cls(ruler.vocab, rules)
        except Unsupported:
            return None

    # ------------------------------------------------------------------ compiling

    def _compile(self, rule: int, patterns: list[list[dict[str, Any]]], index: int) -> list[_Pattern]:
        if "_" in self.attrs[rule]:
            raise Unsupported("extension attributes")
        out = []
        for pattern in patterns:
            if not pattern or not -len(pattern) <= index < len(pattern):
                raise Unsupported(f"index {index} outside a pattern of {len(pattern)} tokens")
            tokens = tuple(tuple(self._test(k, v) for k, v in spec.items()) for spec in pattern)
            out.append(_Pattern(rule, tokens, index % len(pattern)))
        return out

    def _test(self, key: str, value: Any) -> _Test:
        name = key.upper()
        if name not in STRING_ATTRS and name not in FLAG_ATTRS:
            raise Unsupported(f"attribute {key}")
        attr = STRING_ATTRS.get(name, name)
        if attr not in self.columns:
            self.columns.append(attr)
            self.tests.append([])
        column = self.columns.index(attr)
        if not isinstance(value, dict):
            if attr in FLAG_ATTRS and not isinstance(value, bool):
                raise Unsupported(f"{key}: {value!r}")
            return self._add_test(column, "==", value if attr in FLAG_ATTRS else str(value))
        if len(value) != 1:
            raise Unsupported(f"{key}: {value!r}")
        (op, arg), = value.items()
        if op in ("IN", "NOT_IN") and attr not in FLAG_ATTRS:
            return self._add_test(column, op, frozenset(str(v) for v in arg))
        if op == "REGEX" and attr not in FLAG_ATTRS:
            return self._add_test(column, op, re.compile(arg))
        raise Unsupported(f"{key}: {value!r}")

    def _add_test(self, column: int, op: str, value: Any) -> _Test:
        for test in self.tests[column]:
            if (test.op, test.value) == (op, value):
                return test
        test = _Test(column, len(self.tests[column]), op, value)
        self.tests[column].append(test)
        return test

    # ------------------------------------------------------------------ applying

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import IDS
        from spacy.tokens._retokenize import set_token_attrs

        if not len(doc):
            return doc
        looked = []
        values = doc.to_array([IDS[c] for c in self.columns]).reshape(len(doc), -1) if self.columns else None
        rows: list[Any] = values.tolist() if values is not None else [[]] * len(doc)
        for row in map(tuple, rows):
            found = self._rows.get(row)
            if found is None:
                if len(self._rows) >= ROW_MEMO:
                    self._rows.clear()
                found = self._rows[row] = self._lookup(self._signature(row))
            looked.append(found)
        extra = self._multi_matches(looked)
        for i, found in enumerate(looked):
            attrs = self._merge([*found.rules, *extra[i]]) if i in extra else found.attrs
            if attrs:
                set_token_attrs(doc[i], attrs)
        return doc

    def _signature(self, row: tuple[int, ...]) -> tuple[tuple[bool, ...], ...]:
        """Per tested attribute, the outcome of each of its tests on this token."""
        out = []
        for column, value in enumerate(row):
            known = self._signatures[column].get(value)
            if known is None:
                got = self._value(column, value)
                known = self._signatures[column][value] = self._outcomes[column](got)
            out.append(known)
        return tuple(out)

    def _value(self, column: int, value: int) -> Any:
        if self.columns[column] in FLAG_ATTRS:
            return bool(value)
        return self.vocab.strings[value] if value else ""

    def _lookup(self, signature: tuple[tuple[bool, ...], ...]) -> _Looked:
        """A token's single-token rules and their attributes, and the (multi-token pattern,
        position) pairs it satisfies, computed once per distinct signature."""
        found = self._memo.get(signature)
        if found is None:
            def holds(spec: tuple[_Test, ...]) -> bool:
                return all(signature[t.column][t.slot] for t in spec)

            rules = tuple(sorted({p.rule for p in self.single if holds(p.tokens[0])}))
            hits = frozenset((n, j) for n, p in enumerate(self.multi) for j, spec in enumerate(p.tokens)
                             if holds(spec))
            found = self._memo[signature] = _Looked(rules, self._merge(rules), hits)
        return found

    def _multi_matches(self, looked: list[_Looked]) -> dict[int, list[int]]:
        """Rules of multi-token patterns, by the token they set: where every token of the
        pattern, from a start position on, satisfies its part."""
        extra: dict[int, list[int]] = {}
        for start, found in enumerate(looked):
            for n, j in found.hits:
                pattern = self.multi[n]
                if j or start + len(pattern.tokens) > len(looked):
                    continue
                if all((n, k) in looked[start + k].hits for k in range(1, len(pattern.tokens))):
                    extra.setdefault(start + pattern.target, []).append(pattern.rule)
        return extra

    def _merge(self, rules: Iterable[int]) -> dict[Any, Any]:
        merged: dict[Any, Any] = {}
        for rule in sorted(set(rules)):
            merged.update(self.attrs[rule])
        return merged


@dataclass(frozen=True)
class _ColumnOutcomes:
    """The outcomes of all the tests on one attribute for a value, from one dictionary look-up.

    A value that no equality or set test names (most words, for the ruler's 108 tests on LOWER)
    gets the default outcomes: False for == and IN, True for NOT_IN; the values the tests name
    flip their tests' outcomes; only regular expressions are run for each new value. The same
    outcomes as calling every ``_Test`` in turn.
    """

    default: tuple[bool, ...]
    named: dict[Any, tuple[int, ...]]  # value -> the slots of the == / IN / NOT_IN tests naming it
    searched: tuple[_Test, ...]  # REGEX tests

    @classmethod
    def of(cls, tests: list[_Test]) -> _ColumnOutcomes:
        named: dict[Any, list[int]] = {}
        for test in tests:
            values = [test.value] if test.op == "==" else test.value if test.op in ("IN", "NOT_IN") else []
            for value in values:
                named.setdefault(value, []).append(test.slot)
        return cls(tuple(test.op == "NOT_IN" for test in tests), {v: tuple(slots) for v, slots in named.items()},
                   tuple(test for test in tests if test.op == "REGEX"))

    def __call__(self, got: Any) -> tuple[bool, ...]:
        slots = self.named.get(got, ())
        if not slots and not self.searched:
            return self.default
        out = list(self.default)
        for slot in slots:
            out[slot] = not out[slot]
        for test in self.searched:
            out[test.slot] = test(got)
        return tuple(out)


@dataclass(frozen=True)
class _Looked:
    rules: tuple[int, ...]  # single-token rules that apply
    attrs: dict[Any, Any]  # their attributes, merged in rule order
    hits: frozenset[tuple[int, int]]  # (multi-token pattern, position) pairs the token satisfies


def install(nlp: Language) -> bool:
    """Replace the pipeline's ``attribute_ruler`` by ``AttributeRules`` made from it (same name
    and place); False, and nothing changed, when it has none or it uses unsupported patterns."""
    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler: Any = nlp.get_pipe("attribute_ruler")
    rules = AttributeRules.from_ruler(ruler)
    if rules is None:
        return False
    _register()
    component: Any = nlp.add_pipe(FACTORY, name="attribute_rules", before="attribute_ruler")
    component.rules = rules
    nlp.remove_pipe("attribute_ruler")
    return True


class _Component:
    """The pipeline component holding ``AttributeRules`` (set by ``install``)."""

    def __init__(self) -> None:
        self.rules: AttributeRules | None = None

    def __call__(self, doc: Doc) -> Doc:
        assert self.rules is not None
        return self.rules(doc)


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, func=lambda nlp, name: _Component())
