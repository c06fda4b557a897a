"""Money amounts: find them in text, normalise to units and ISO 4217, convert to EUR and USD.

requires: a string (a sentence or a whole text) and optionally the event date
assigns:  ``Money`` objects whose ``start``/``end`` are offsets into that string

Conventions:
- ``amount`` is in units: "72 billion euros" -> 72_000_000_000.0.
- A range ("$1-2 billion", "between €2bn and €3bn") keeps the lower bound in ``amount``, the
  upper in ``amount_max``, and is approximate.
- A vague amount takes the lowest value its words allow, approximate: "hundreds of millions
  of dollars" -> 100 million, "tens of billions of euros" -> 10 billion, "billions of
  dollars" -> 1 billion.
- A parenthetical or ", or ..." amount in another currency right after an amount is the same
  value restated: it goes to ``equivalents`` of the first, never becomes a Money of its own.
Currency words, symbols and approximating qualifiers live in ``data/currencies.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from ..cache import cached
from ..datafiles import load_yaml
from ..errors import DataFileError
from ..model import Money

# Number words are grammar, not a lexicon of names: they stay in code.
_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
NUMBER_WORDS: dict[str, float] = {w: float(i) for i, w in enumerate(_UNITS)}
NUMBER_WORDS.update({w: float(v) for w, v in _TENS.items()})
NUMBER_WORDS.update({"a": 1.0, "an": 1.0, "single": 1.0, "a single": 1.0, "half a": 0.5, "half": 0.5,
                     "a dozen": 12.0, "dozen": 12.0, "a couple of": 2.0, "a pair of": 2.0,
                     "a hundred": 100.0, "one hundred": 100.0, "a thousand": 1000.0})
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}

SCALES: dict[str, float] = {
    "thousand": 1e3, "k": 1e3,
    "million": 1e6, "mn": 1e6, "mln": 1e6, "mil": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9,
    "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}
# "hundreds of millions": multiplier of the vague word, then the scale it multiplies.
VAGUE_MULTIPLIERS = {"tens": 10.0, "dozens": 12.0, "hundreds": 100.0, "several": 2.0}
VAGUE_SCALES = {"thousands": 1e3, "millions": 1e6, "billions": 1e9, "trillions": 1e12}

_WORD_NUM = "|".join(
    [rf"(?:{t})(?:[-\s](?:{'|'.join(_UNITS[1:10])}))?" for t in _TENS]
    + sorted((re.escape(w) for w in NUMBER_WORDS if w not in _TENS), key=len, reverse=True)
)
_FRAC = "".join(FRACTIONS)
NUMBER_RE = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?[{_FRAC}]|\s\d/\d)?|\d*[{_FRAC}]"
    rf"|(?:{_WORD_NUM})(?:\s+and\s+a\s+half)?"
)
"""Regex source for a number written in digits, with a fraction, or in words."""

_SCALE_RE = (r"(?:[\s-]?(?:trillion|billion|million|thousand|bln|mln|trn|bn|mn|tn|mil)|(?:m|b|k))"
             r"(?![A-Za-z])")
_DATA = "currencies.yaml"


def parse_number(text: str) -> float | None:
    """The value of a number as written: "1,250", "3.5", "3½", "3 1/2", "twenty-five", "a"."""
    s = text.strip().lower()
    half = s.endswith(" and a half")
    if half:
        s = s[: -len(" and a half")].strip()
    value = _parse_plain_number(s)
    if value is None:
        return None
    return value + 0.5 if half else value


def _parse_plain_number(s: str) -> float | None:
    if s in NUMBER_WORDS:
        return NUMBER_WORDS[s]
    tens = re.fullmatch(r"([a-z]+)[-\s]([a-z]+)", s)
    if tens and tens.group(1) in _TENS and tens.group(2) in NUMBER_WORDS:
        return _TENS[tens.group(1)] + NUMBER_WORDS[tens.group(2)]
    frac = 0.0
    if s and s[-1] in FRACTIONS:
        frac, s = FRACTIONS[s[-1]], s[:-1].strip()
    elif m := re.fullmatch(r"(.+)\s(\d)/(\d)", s):
        frac, s = int(m.group(2)) / int(m.group(3)), m.group(1)
    if not s:
        return frac or None
    try:
        return float(Decimal(s.replace(",", ""))) + frac
    except InvalidOperation:
        return None


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class _Lexicon:
    prefixes: dict[str, list[str]]  # lower-cased written form -> candidate ISO codes, default first
    suffixes: dict[str, list[str]]
    hints: dict[str, list[str]]  # ISO code -> words in the text that select it
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    """Read currencies.yaml once and compile the money pattern."""
    try:
        data = load_yaml(_DATA)
        prefixes, suffixes, hints = _forms(data["currencies"])
        qualifiers = [str(q) for q in data["qualifiers"]]
    except (KeyError, TypeError) as err:
        raise DataFileError(_DATA, f"cannot read the currency table ({err})") from err
    return _Lexicon(prefixes, suffixes, hints, _compile(prefixes, suffixes, qualifiers))


def _forms(table: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    prefixes: dict[str, list[str]] = {}
    suffixes: dict[str, list[str]] = {}
    hints: dict[str, list[str]] = {}
    for code, spec in table.items():
        for form in spec.get("prefixes", []):
            prefixes.setdefault(form.lower(), []).append(code)
        for form in spec.get("suffixes", []):
            suffixes.setdefault(form.lower(), []).append(code)
        hints[code] = list(spec.get("hints", []))
    return prefixes, suffixes, hints


def _alternation(forms: list[str]) -> str:
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True))


def _compile(prefixes: dict[str, list[str]], suffixes: dict[str, list[str]],
             qualifiers: list[str]) -> re.Pattern[str]:
    num, scale = NUMBER_RE, _SCALE_RE
    vague = (rf"(?:(?:{'|'.join(VAGUE_MULTIPLIERS)})\s+of\s+)?(?:{'|'.join(VAGUE_SCALES)})")
    source = rf"""
        (?<![\w$€£¥.,])
        (?:(?P<qual>{_alternation(qualifiers)})\s*)?
        (?:
          (?P<pre>{_alternation(list(prefixes))})\s?
            (?P<n1>{num})(?:(?P<lsc>{scale})?\s*(?:-|–|to)\s*(?P<n2>{num}))?(?P<sc>{scale})?
        | (?P<m1>{num})(?:(?P<lsc2>{scale})?\s*(?:-|–|to)\s*(?P<m2>{num}))?(?P<sc2>{scale})?
            (?P<sep>[\s-]+(?:of\s+)?)(?P<suf>{_alternation(list(suffixes))})
        | (?P<vague>{vague})\s+of\s+(?P<vsuf>{_alternation(list(suffixes))})
        )
        (?![\w$€£])
    """
    return re.compile(source, re.IGNORECASE | re.VERBOSE)


# --------------------------------------------------------------------------- finding

# Every amount has a digit or a scale word ("two billion", "hundreds of millions").
_MAYBE_MONEY = re.compile(r"\d|illion|thousand", re.IGNORECASE)


def find_money(text: str, on: date | None = None) -> list[Money]:
    """All money amounts in ``text``, in order, converted to EUR and USD as of ``on``.

    Args:
        text: the string searched; offsets of the results point into it.
        on: the date to convert at (the event date); None uses the latest ECB rates.
    """
    if not _MAYBE_MONEY.search(text):  # most sentences: skip the big pattern
        return []
    found = _merge_ranges(_scan(text, _lexicon()), text)
    found = _attach_equivalents(found, text)
    for money in found:
        _fill_conversion(money, on)
    return found


def _scan(text: str, lex: _Lexicon) -> list[Money]:
    """Every amount, left to right; a rejected match ("a GBP") does not hide one inside it."""
    found: list[Money] = []
    pos = 0
    while match := lex.pattern.search(text, pos):
        money = _to_money(match, text, lex)
        if money:
            found.append(money)
        pos = match.end() if money else match.start() + 1
    return found


def _to_money(match: re.Match[str], text: str, lex: _Lexicon) -> Money | None:
    """A Money from one regex match, or None if the match is not really money."""
    g = match.groupdict()
    if g["vague"]:
        amount, high = _vague_amount(g["vague"]), None
        currency = _pick(lex.suffixes[_norm(g["vsuf"])], text, lex)
    else:
        pre = bool(g["pre"])
        n1, n2, scale = (g["n1"], g["n2"], g["sc"]) if pre else (g["m1"], g["m2"], g["sc2"])
        low_scale = (g["lsc"] if pre else g["lsc2"]) or scale
        if not pre and _is_weight(g["suf"], g["sep"], text, match.end()):
            return None
        if _needs_scale(n1) and not scale:
            return None
        low, upper = parse_number(n1), parse_number(n2) if n2 else None
        if low is None:
            return None
        amount = low * _factor(low_scale)
        high = upper * _factor(scale) if upper is not None else None
        forms = lex.prefixes[_norm(g["pre"])] if g["pre"] else lex.suffixes[_norm(g["suf"])]
        currency = _pick(forms, text, lex)
    approximate = bool(g["qual"] or g["vague"] or high is not None)
    return Money(amount=_round(amount), currency=currency, text=match.group(0), approximate=approximate,
                 start=match.start(), end=match.end(), amount_max=_round(high) if high else None)


def _factor(scale: str | None) -> float:
    return SCALES[scale.strip(" -").lower()] if scale else 1.0


def _norm(form: str) -> str:
    return re.sub(r"\s+", " ", form.lower())


def _needs_scale(number: str) -> bool:
    # "a dollar", "two euros": word numbers without a scale are rarely aid amounts and
    # often something else ("a pound of", "one euro coin").
    return not any(ch.isdigit() for ch in number)


def _is_weight(suffix: str, sep: str, text: str, end: int) -> bool:
    """"500-pound bombs", "2,000 pounds of explosives": weight, not sterling."""
    if not suffix.lower().startswith("pound"):
        return False
    return "-" in sep or bool(re.match(r"\s+of\b", text[end:]))


def _vague_amount(words: str) -> float:
    parts = words.lower().split()
    scale = VAGUE_SCALES[parts[-1]]
    return VAGUE_MULTIPLIERS.get(parts[0], 1.0) * scale if len(parts) > 1 else scale


def _pick(candidates: list[str], text: str, lex: _Lexicon) -> str:
    """The currency of an ambiguous form ("kr", "kroner"): the one whose hint the text names."""
    if len(candidates) > 1:
        for code in candidates:
            if any(re.search(rf"\b{re.escape(h)}\b", text) for h in lex.hints.get(code, [])):
                return code
    return candidates[0]


def _round(value: float) -> float:
    # 1.85 * 1e9 must be 1_850_000_000.0, not 1849999999.9999998
    return float(round(value, 2))


_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to|and)\s*", re.IGNORECASE)
_BETWEEN = re.compile(r"\b(?:between|from)\s+$", re.IGNORECASE)


def _merge_ranges(found: list[Money], text: str) -> list[Money]:
    """Join "$1bn-$2bn", "between €2bn and €3bn", "from $1 billion to $2 billion"."""
    out: list[Money] = []
    for money in found:
        prev = out[-1] if out else None
        if prev and prev.amount_max is None and _is_range(prev, money, text):
            out[-1] = _range(prev, money, text)
        else:
            out.append(money)
    return out


def _is_range(low: Money, high: Money, text: str) -> bool:
    gap = text[low.end:high.start]
    if low.currency != high.currency or not _RANGE_GAP.fullmatch(gap):
        return False
    return "and" not in gap.lower() or bool(_BETWEEN.search(text[: low.start]))


def _range(low: Money, high: Money, text: str) -> Money:
    start = low.start or 0
    lead = _BETWEEN.search(text[:start])
    if lead:
        start = lead.start()
    amount = low.amount
    if amount < high.amount / 100 and not re.search(r"[a-z]\s*$", low.text, re.IGNORECASE):
        amount = amount * _scale_of(high)  # "between €2 and €3 billion"
    return Money(amount=_round(amount), currency=low.currency, text=text[start:high.end],
                 approximate=True, start=start, end=high.end, amount_max=high.amount)


def _scale_of(money: Money) -> float:
    m = re.search(_SCALE_RE + r"\s*\S*$", money.text, re.IGNORECASE)
    return SCALES[m.group(0).split()[0].strip(" -").lower()] if m else 1.0


_EQUIV_GAP = re.compile(r"\s*(?:\(\s*(?:or\s+)?|,\s*or\s+|\s[—–]\s*(?:or\s+)?)", re.IGNORECASE)
_EQUIV_CLOSE = re.compile(r"[^()]{0,40}\)")


def _attach_equivalents(found: list[Money], text: str) -> list[Money]:
    """Fold "72 billion euros (USD 85 billion)" into one Money with an equivalent."""
    out: list[Money] = []
    for money in found:
        main = out[-1] if out else None
        if main and _is_equivalent(main, money, text):
            main.equivalents.append(money)
        else:
            out.append(money)
    return out


def _is_equivalent(main: Money, other: Money, text: str) -> bool:
    if other.currency == main.currency or any(e.currency == other.currency for e in main.equivalents):
        return False
    anchor = main.equivalents[-1] if main.equivalents else main
    gap = text[anchor.end:other.start]
    if not _EQUIV_GAP.fullmatch(gap):
        return False
    return "(" not in gap or bool(_EQUIV_CLOSE.match(text, other.end))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- conversion


@lru_cache(maxsize=1)
def _converter() -> Any:
    """The ECB-rate converter, once per process: from the cache (``aidtrace.cache``), or read
    from the library's rate file (about half a second)."""
    return cached("exchange-rates", _build_converter)


def _build_converter() -> Any:
    from currency_converter import CurrencyConverter

    from ..cache import LazyValues

    converter = CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)
    # 41 currencies of 10,000 daily rates each: loaded from the cache, a currency's rates are
    # unpickled when it is first converted (the library only reads ``_rates[currency]``).
    if isinstance(getattr(converter, "_rates", None), dict):
        converter._rates = LazyValues(converter._rates)
    return converter


# A rate older than this before the requested date is not a rate for that date (RUB after 2022).
STALE_AFTER = timedelta(days=31)


def convert(amount: float, currency: str, on: date | None) -> tuple[float | None, float | None, str | None]:
    """``amount`` of ``currency`` in EUR and USD at the ECB reference rate of ``on``.

    Args:
        amount: units of the currency.
        currency: ISO 4217 code.
        on: the date of the rate; None takes the latest rate the bundled data has.
    Returns:
        (eur, usd, note); eur/usd are None, with the reason in note, when no rate exists.
    """
    conv = _converter()
    if currency not in conv.currencies:
        return None, None, f"no ECB rate for {currency}"
    first, last = conv.bounds[currency]
    if on is not None and (on - last > STALE_AFTER or first - on > STALE_AFTER):
        return None, None, f"no ECB rate for {currency} on {on.isoformat()} (ECB quotes it {first}..{last})"
    eur = amount if currency == "EUR" else _round(conv.convert(amount, currency, "EUR", date=on))
    usd = amount if currency == "USD" else _round(conv.convert(amount, currency, "USD", date=on))
    return eur, usd, _rate_note(on, last)


def _rate_note(on: date | None, last: date) -> str:
    if on is None:
        return f"no event date; ECB rate of {last.isoformat()}"
    if on > last:
        return f"ECB rate of {last.isoformat()} (latest bundled; asked {on.isoformat()})"
    return f"ECB rate of {on.isoformat()}"


def _fill_conversion(money: Money, on: date | None) -> None:
    """Set eur/usd/note, preferring an EUR or USD figure the text itself states."""
    money.eur, money.usd, money.note = convert(money.amount, money.currency, on)
    stated = {e.currency: e for e in money.equivalents}
    said = [code for code in ("EUR", "USD") if code in stated and code != money.currency]
    for code in said:
        setattr(money, code.lower(), stated[code].amount)
    if not said:
        return
    note = f"{' and '.join(said)} as stated in the text"
    if len(said) == 1 and (money.eur is None or money.usd is None):
        # the currency has no ECB rate, but the stated EUR/USD figure converts
        eur, usd, rate_note = convert(stated[said[0]].amount, said[0], on)
        money.eur, money.usd = money.eur if money.eur is not None else eur, money.usd if money.usd is not None else usd
        note += f"; the other from it ({rate_note})"
    elif money.note:
        note += f"; {money.note}"
    money.note = note
