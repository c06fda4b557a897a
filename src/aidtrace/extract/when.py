"""Time expressions: find them in a sentence and resolve them against the publication date.

requires: a sentence (str), the document's publication date, whether the clause is future
assigns:  ``DateSpan`` objects (ISO start/end, precision, words, offsets in the sentence)

How it works: a table of regex rules, each with a resolver, finds *base* expressions
("September 30", "last month", "Q3 2025", "nearly 3½ years ago"); the leftmost-longest
non-overlapping ones win. Then combinators join two bases into a range ("between March and
April", "from 2022 to 2024") and apply leading modifiers ("since June 2022" -> June 2022 ..
publication; "by the end of the year" -> publication .. 31 Dec). dateparser is used only by
``resolve_time`` as a fallback for a whole expression no rule understands, cached.

Conventions (documented choices, not facts):
- Weekdays: the most recent such day on or before publication; the next on or after when future.
- A bare month ("in March", "between March and April") is the most recent one not after
  publication; when future, the next one from the publication month on.
- A day and month without a year ("September 30") keeps the publication year; when future and
  already passed, next year; when not future and over six months ahead, the previous year.
- Parts: early/beginning = days 1-10 of a month, Jan-Apr of a year; mid = 11-20, May-Aug;
  late/end = 21-end, Sep-Dec ("the end/beginning of a year" = its last/first month).
- "in the coming days/weeks/months/years" = publication + 7 days / 6 weeks / 6 months / 3 years.
- "N units ago" is approximate: days -> that day, weeks -> that week, months -> that month,
  years -> that month when fractional or under two years, else that year; with a qualifier
  ("nearly", "more than", "about") a range of one month (one year when year-precise) to the
  side the qualifier points.
- US fiscal years: FY2026 = 2025-10-01 .. 2026-09-30. Seasons are northern meteorological.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from ..model import DateSpan, Precision
from .money import NUMBER_RE, parse_number

# --------------------------------------------------------------------------- calendar helpers


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months, the day clipped to the month's length."""
    idx = d.year * 12 + d.month - 1 + n
    y, m = divmod(idx, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _week_of(d: date) -> tuple[date, date]:
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def _add_units(d: date, n: float, unit: str) -> date:
    """``d`` moved by ``n`` days/weeks/months/years (fractions of months and years kept)."""
    if unit == "day":
        return d + timedelta(days=round(n))
    if unit == "week":
        return d + timedelta(days=round(7 * n))
    months = n if unit == "month" else 12 * n if unit == "year" else 120 * n
    return _add_months(d, round(months))


@dataclass(frozen=True)
class _Span:
    """A resolved period before it becomes a DateSpan."""

    start: date
    end: date | None
    precision: Precision


def _day(d: date) -> _Span:
    return _Span(d, d, "day")


def _month(y: int, m: int) -> _Span:
    return _Span(date(y, m, 1), _month_end(y, m), "month")


def _year(y: int) -> _Span:
    return _Span(date(y, 1, 1), date(y, 12, 31), "year")


def _range(a: date, b: date | None) -> _Span:
    return _Span(a, b, "range")


# --------------------------------------------------------------------------- vocabulary

# English month and weekday names from the stdlib (C locale), not typed-in lists.
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({abbr.lower(): i for i, abbr in enumerate(calendar.month_abbr) if abbr})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}  # first month
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4, "final": 4, "last": 4}
_FEW = {"a few": 3.0, "few": 3.0, "several": 4.0, "a couple of": 2.0, "couple of": 2.0}
_COMING = {"day": (7, "day"), "week": (6, "week"), "month": (6, "month"), "year": (3, "year")}

_MONTH_FULL = "|".join(n for n in calendar.month_name if n)
_MONTH_ANY = _MONTH_FULL + "|" + "|".join(a for a in calendar.month_abbr if a) + "|Sept"
_WEEKDAY = "|".join(calendar.day_name)
_YEAR = r"(?:19|20)\d\d"
_NUM = rf"(?:{NUMBER_RE}|a\s+few|few|several|a\s+couple\s+of|couple\s+of)"
_PART = (r"(?P<part>(?:the\s+)?(?:very\s+)?(?:(?:end|beginning|start|middle|close|turn)\s+of\s+(?:the\s+)?"
         r"|(?:early|late|mid|end)(?:\s*-\s*|\s+)|earlier\s+in\s+|later\s+in\s+))")
_QUAL = (r"(?P<qual>nearly|almost|just\s+under|less\s+than|more\s+than|over|just\s+over|about|around"
         r"|roughly|some|approximately|barely|only)")


@dataclass(frozen=True)
class _Ctx:
    published: date | None
    future: bool
    past: bool = False  # the clause tells of what happened: dates without a year lie behind


Resolver = Callable[[re.Match[str], _Ctx], "_Span | None"]


# --------------------------------------------------------------------------- year choice


def _year_for_month(month: int, ctx: _Ctx, rel: str | None = None) -> int | None:
    """The year of a bare month name, per the module's conventions."""
    pub = ctx.published
    if pub is None:
        return None
    rel = (rel or "").lower()
    if rel in ("last", "past", "previous"):
        return pub.year if month < pub.month else pub.year - 1
    if rel in ("next", "coming"):
        return pub.year if month > pub.month else pub.year + 1
    if rel == "this":
        return pub.year
    if ctx.future:
        return pub.year if month >= pub.month else pub.year + 1
    return pub.year if month <= pub.month else pub.year - 1  # (past and neutral alike)


def _day_month(month: int, day: int, ctx: _Ctx) -> date | None:
    """The date of "September 30" without a year, per the module's conventions."""
    pub = ctx.published
    if pub is None:
        return None
    try:
        when = date(pub.year, month, day)
        if ctx.future and when < pub:
            return date(pub.year + 1, month, day)
        if not ctx.future and when > pub + timedelta(days=0 if ctx.past else 183):
            return date(pub.year - 1, month, day)
    except ValueError:
        return None
    return when


def _part(span: _Span, part: str | None, unit: str) -> _Span:
    """Narrow a month, year or week to its early/mid/late part ("mid-July", "the end of 2024")."""
    if not part:
        return span
    p = part.lower()
    kind = "mid" if ("mid" in p or "middle" in p) else (
        "late" if any(w in p for w in ("late", "end", "close", "turn")) else "early")
    exact_edge = any(w in p for w in ("end", "close", "beginning", "start", "turn")) and "-" not in p
    s, e = span.start, span.end or span.start
    if unit == "month":
        bounds = {"early": (1, 10), "mid": (11, 20), "late": (21, e.day)}[kind]
        return _range(s.replace(day=bounds[0]), s.replace(day=bounds[1]))
    if unit == "week":
        offsets = {"early": (0, 2), "mid": (1, 3), "late": (3, 6)}[kind]
        return _range(s + timedelta(days=offsets[0]), s + timedelta(days=offsets[1]))
    months = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}[kind]
    if exact_edge:
        months = (12, 12) if kind == "late" else (1, 1)
    if "earlier in" in p or "later in" in p:
        return span
    return _range(date(s.year, months[0], 1), _month_end(s.year, months[1]))


# --------------------------------------------------------------------------- resolvers


def _r_iso(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    try:
        return _day(date(int(m["y"]), int(m["mo"]), int(m["d"])))
    except ValueError:
        return None


def _r_day_month(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    month, day = _MONTHS[m["mon"].lower().rstrip(".")], int(m["d"])
    try:
        when = date(int(m["y"]), month, day) if m["y"] else _day_month(month, day, ctx)
        last = when.replace(day=int(m["d2"])) if when and m["d2"] else None
    except ValueError:
        return None
    if when is None:
        return None
    return _range(when, last) if last and last > when else _day(when)


def _r_month_year(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    month = _MONTHS[m["mon"].lower().rstrip(".")]
    return _part(_month(int(m["y"]), month), m["part"], "month")


def _r_month(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    month = _MONTHS[m["mon"].lower()]
    y = _year_for_month(month, ctx, m["rel"])
    return None if y is None else _part(_month(y, month), m["part"], "month")


def _r_year(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    return _part(_year(int(m["y"])), m["part"], "year")


def _r_year_range(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """"2022-2024", "2022–24"."""
    first, last = int(m["y"]), m["y2"]
    end = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
    return _range(date(first, 1, 1), date(end, 12, 31)) if end > first else None


def _r_decade(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    y = int(m["y"])
    return _range(date(y, 1, 1), date(y + 9, 12, 31))


def _r_day_word(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    if ctx.published is None:
        return None
    w = " ".join(m.group(0).lower().split())
    delta = -2 if "before yesterday" in w else 2 if "after tomorrow" in w else (
        -1 if w.startswith(("yesterday", "last night")) else 1 if w.startswith("tomorrow") else 0)
    return _day(ctx.published + timedelta(days=delta))


def _r_weekday(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    pub = ctx.published
    if pub is None:
        return None
    wd, rel = _WEEKDAYS[m["wd"].lower()], (m["rel"] or "").lower()
    if rel in ("last", "past"):
        return _day(pub - timedelta(days=(pub.weekday() - wd - 1) % 7 + 1))
    if rel in ("next", "coming"):
        return _day(pub + timedelta(days=(wd - pub.weekday() - 1) % 7 + 1))
    if ctx.future:
        return _day(pub + timedelta(days=(wd - pub.weekday()) % 7))
    return _day(pub - timedelta(days=(pub.weekday() - wd) % 7))


def _r_relative(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """last/this/next/earlier this/later this + week/month/year/weekend."""
    pub = ctx.published
    if pub is None:
        return None
    rel, unit = " ".join((m["rel"] or "this").lower().split()), m["unit"].lower()
    if not rel.startswith(("last", "this", "next", "past", "coming", "current", "earlier", "later")) \
            and re.match(r"\s+(?:before|after)\b", m.string[m.end():]):
        return None  # "the week after the summit" is counted from the summit, not from today
    if unit == "weekend":
        return _weekend(pub, rel, ctx.future)
    step = -1 if rel in ("last", "previous", "past", "the previous", "the last") else (
        1 if rel in ("next", "coming", "the next", "the coming", "the following", "following") else 0)
    span = _unit_span(pub, unit, step)
    if rel.startswith("earlier"):
        return _range(span.start, pub)
    if rel.startswith("later"):
        return _range(pub, span.end)
    return _part(span, m["part"], unit)


def _unit_span(pub: date, unit: str, step: int) -> _Span:
    if unit == "week":
        monday, sunday = _week_of(pub + timedelta(weeks=step))
        return _range(monday, sunday)
    if unit == "month":
        first = _add_months(pub.replace(day=1), step)
        return _month(first.year, first.month)
    return _year(pub.year + step)


def _weekend(pub: date, rel: str, future: bool) -> _Span:
    ahead = rel in ("next", "coming", "the coming") or (future and rel in ("this", "the"))
    sat = pub + timedelta(days=(5 - pub.weekday()) % 7) if ahead else \
        pub - timedelta(days=(pub.weekday() - 5) % 7)
    if rel in ("last", "past", "the past") and pub.weekday() >= 5:
        sat -= timedelta(days=7)
    return _range(sat, sat + timedelta(days=1))


def _count(words: str | None) -> float | None:
    if not words:
        return 1.0
    w = " ".join(words.lower().split())
    return _FEW.get(w) or parse_number(w)


def _r_ago(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """"two weeks ago", "nearly 3½ years ago": approximate, see the module docstring."""
    n, pub = _count(m["n"]), ctx.published
    if n is None or pub is None:
        return None
    unit = m["unit"].lower()
    then = _add_units(pub, -n, unit)
    if unit == "day":
        span = _day(then)
    elif unit == "week":
        span = _range(*_week_of(then))
    elif unit == "month" or (unit == "year" and (n != int(n) or n < 2)):
        span = _month(then.year, then.month)
    else:
        span = _year(then.year)
    return _widen(span, m["qual"], pub)


def _widen(span: _Span, qual: str | None, pub: date) -> _Span:
    """Stretch an approximate span toward the side its qualifier points to."""
    if not qual or span.precision not in ("month", "year"):
        return span
    q = qual.lower()
    months = 1 if span.precision == "month" else 6
    later = _month_end(*_ym(_add_months(span.end or span.start, months)))
    earlier = _add_months(span.start, -months)
    if q in ("nearly", "almost", "barely", "only") or q.startswith(("just under", "less")):
        return _range(span.start, min(later, pub))
    if q.startswith(("more", "over", "just over")):
        return _range(earlier, span.end)
    return _range(earlier, min(later, pub))


def _ym(d: date) -> tuple[int, int]:
    return d.year, d.month


def _r_window(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """"within the next two weeks", "the past three years", "in the coming days"."""
    pub = ctx.published
    if pub is None:
        return None
    unit = m["unit"].lower().rstrip("s")
    n = _count(m["n"]) if m["n"] else None
    forward = m["dir"].lower() in ("next", "coming")
    if n is None:
        n, unit = _COMING[unit] if forward else (1, unit)
    other = _add_units(pub, n if forward else -n, unit)
    return _range(pub, other) if forward else _range(other, pub)


def _r_in_n(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """"in two weeks", "in three months": a point that far after publication."""
    n, pub = _count(m["n"] or m["n2"]), ctx.published
    if n is None or pub is None:
        return None
    unit = (m["unit"] or m["unit2"]).lower()
    then = _add_units(pub, n, unit)
    if unit in ("day", "week"):
        return _day(then)
    return _month(then.year, then.month) if unit == "month" else _year(then.year)


def _anchor_year(m: re.Match[str], ctx: _Ctx) -> int | None:
    """The year a quarter/half/season belongs to: explicit, "next year", or publication's."""
    if m["y"]:
        y = m["y"].lstrip("'")
        return int(y) if len(y) == 4 else 2000 + int(y)
    if ctx.published is None:
        return None
    rel = (m["yrel"] or "").lower()
    return ctx.published.year + (1 if rel == "next" else -1 if rel in ("last", "previous") else 0)


def _year_part(m: re.Match[str], ctx: _Ctx, months: int) -> _Span | None:
    """The n-th part of a year ("the first quarter", "Q3 2025", "the second half")."""
    y = _anchor_year(m, ctx)
    n = _ORDINALS.get((m["ord"] or "").lower()) or int(m["qn"])
    if y is None:
        return None
    y = _roll_forward(y, _month_end(y, months * n), m, ctx)
    return _range(date(y, months * (n - 1) + 1, 1), _month_end(y, months * n))


def _r_quarter(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    return _year_part(m, ctx, 3)


def _r_half(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    return _year_part(m, ctx, 6)


def _roll_forward(y: int, end: date, m: re.Match[str], ctx: _Ctx) -> int:
    """A future period without a year that has already ended is next year's."""
    implicit = not m["y"] and not m["yrel"]
    return y + 1 if implicit and ctx.future and ctx.published and end < ctx.published else y


def _r_fiscal(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """US fiscal year N runs 1 October N-1 .. 30 September N."""
    if m["y"]:
        y = int(m["y"]) if len(m["y"]) == 4 else 2000 + int(m["y"])
    elif ctx.published is not None:
        current = ctx.published.year + (1 if ctx.published.month >= 10 else 0)
        rel = (m["yrel"] or "").lower()
        y = current + (1 if rel == "next" else -1 if rel in ("last", "previous") else 0)
    else:
        return None
    return _range(date(y - 1, 10, 1), date(y, 9, 30))


def _r_season(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    first = _SEASONS[m["season"].lower()]
    y = int(m["y"]) if m["y"] else _season_year(first, ctx, (m["rel"] or "").lower())
    if y is None:
        return None
    start = date(y, first, 1)
    return _range(start, _month_end(*_ym(_add_months(start, 2))))


def _season_year(first: int, ctx: _Ctx, rel: str) -> int | None:
    """The year a season starts in: "last autumn" = the latest one that has ended."""
    pub = ctx.published
    if pub is None:
        return None
    y = pub.year - 1 if first == 12 and pub.month <= 2 else pub.year  # Jan/Feb: last December's winter
    start = date(y, first, 1)
    end = _month_end(*_ym(_add_months(start, 2)))
    if rel in ("last", "past", "previous"):
        y -= 1 if end >= pub else 0
    elif rel in ("next", "coming"):
        y += 1 if start <= pub else 0
    elif rel == "this":
        pass
    elif ctx.future:
        y += 1 if end < pub else 0
    elif start > pub:
        y -= 1
    return y


# --------------------------------------------------------------------------- rule table

_MONTH_Y = rf"(?P<mon>{_MONTH_ANY})\.?"
_DAY2 = r"(?:\s*[-–]\s*(?P<d2>\d{1,2})(?:st|nd|rd|th)?)?"  # "June 1-5", "1–5 June"
_WD_PREFIX = rf"(?:(?:{_WEEKDAY}),?\s+)?(?:the\s+)?"
_YEAR_REF = rf"(?:\s+(?:of\s+)?(?:(?P<y>{_YEAR})|(?P<yrel>this|next|last|previous|the)\s+year))?"

_RULES: list[tuple[str, str, Resolver, int]] = [
    # (name, regex source, resolver, regex flags beyond the default)
    ("iso", r"\b(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\b", _r_iso, 0),
    ("month_day", rf"{_WD_PREFIX}\b{_MONTH_Y}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?{_DAY2}\b(?:,?\s+(?P<y>{_YEAR})\b)?",
     _r_day_month, 0),
    ("day_month", rf"{_WD_PREFIX}\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?{_DAY2}\s+(?:of\s+)?{_MONTH_Y}\b(?:,?\s+(?P<y>{_YEAR})\b)?",
     _r_day_month, 0),
    ("month_year", rf"{_PART}?\b{_MONTH_Y},?\s+(?:of\s+)?(?P<y>{_YEAR})\b", _r_month_year, 0),
    ("month", rf"(?:(?P<rel>[Ll]ast|[Tt]his|[Nn]ext|[Cc]oming)\s+|{_PART})?\b(?P<mon>{_MONTH_FULL})\b", _r_month, 0),
    ("year_range", rf"(?<![\w$€£¥.,/-])(?P<y>{_YEAR})\s*[-–]\s*(?P<y2>{_YEAR}|\d\d)(?![\w%/-])", _r_year_range, 0),
    ("decade", r"\bthe\s+(?P<y>(?:19|20)\d0)s\b", _r_decade, 0),
    ("year", rf"{_PART}?(?:the\s+year\s+)?(?<![\w$€£¥.,/-])(?P<y>{_YEAR})(?![\w%/-]|\.\d|,\d)", _r_year, 0),
    ("day_word", r"\b(?:the\s+day\s+(?:before\s+yesterday|after\s+tomorrow)|today|tonight|yesterday(?:\s+(?:morning|afternoon|evening))?"
     r"|tomorrow(?:\s+(?:morning|afternoon|evening|night))?|this\s+(?:morning|afternoon|evening)|last\s+night|earlier\s+today"
     r"|later\s+today)\b", _r_day_word, re.IGNORECASE),
    ("weekday", rf"(?:\b(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Cc]oming|[Pp]ast)\s+)?\b(?P<wd>{_WEEKDAY})(?:\s+(?:morning|afternoon|evening|night))?\b",
     _r_weekday, 0),
    ("relative", rf"{_PART}?\b(?P<rel>earlier\s+this|later\s+this|last|previous|past|this|next|coming|current|the\s+following"
     r"|the\s+coming|the\s+previous|the|the\s+next)\s+(?P<unit>week|month|year|weekend)\b(?!\s+(?:of|ago)\b)",
     _r_relative, re.IGNORECASE),
    ("ago", rf"(?:\b{_QUAL}\s+)?\b(?P<n>{_NUM})\s+(?P<unit>day|week|month|year|decade)s?\s+ago\b", _r_ago, re.IGNORECASE),
    ("window", rf"(?:\b(?:within|over|in|during|for|throughout)\s+)?\bthe\s+(?P<dir>next|coming|past|last|previous)"
     rf"\s+(?:(?P<n>{_NUM})\s+)?(?P<unit>days?|weeks?|months?|years?)\b", _r_window, re.IGNORECASE),
    ("in_n", rf"(?:\bin\s+(?P<n>{_NUM})\s+(?P<unit>day|week|month|year)s?\b(?!\s+(?:ago|of|to|since|before))"
     rf"|\b(?P<n2>{_NUM})\s+(?P<unit2>day|week|month|year)s?\s+from\s+now\b)", _r_in_n, re.IGNORECASE),
    ("quarter", rf"(?:\b(?:the\s+)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|final|last)\s+quarter{_YEAR_REF}"
     r"|\bQ(?P<qn>[1-4])(?:(?:\s*|-|/)(?P<y2>(?:19|20)\d\d|'\d\d))?)\b", _r_quarter, re.IGNORECASE),
    ("half", rf"(?:\b(?:the\s+)?(?P<ord>first|second|1st|2nd)\s+half{_YEAR_REF}|\bH(?P<qn>[12])\s+(?P<y2>(?:19|20)\d\d))\b",
     _r_half, re.IGNORECASE),
    ("fiscal", r"\b(?:(?:the\s+)?(?:U\.?S\.?\s+)?(?:fiscal\s+(?:year\s+)?|FY\s?'?)(?P<y>(?:19|20)\d\d|\d\d)"
     r"|(?P<yrel>this|next|last|previous|the\s+current)\s+fiscal\s+year)\b", _r_fiscal, 0),
    ("season", rf"(?:\b(?P<rel>last|this|next|past|coming)\s+|\b(?:the\s+)?(?:early|late|mid-?)?\s*(?=(?:spring|summer|autumn|winter|fall)\s+(?:of\s+)?{_YEAR})"
     rf"|\bthe\s+|\b(?=(?:spring|summer|autumn|winter)\b))(?P<season>spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?(?P<y>{_YEAR}))?\b",
     _r_season, re.IGNORECASE),
]


# What a rule's pattern cannot match without: a digit ("#"), or one of its words, each a whole run
# of ASCII letters in every match (compared lower-cased when the pattern ignores case). A
# sentence without any is not searched with that pattern (``_Words``); the decisions are the
# patterns' own (tests/test_when.py compares them on every shared sentence).
_UNITS = ("day", "days", "week", "weeks", "month", "months", "year", "years")
_MONTH_WORDS = tuple(_MONTH_ANY.split("|"))
_NEEDS: dict[str, tuple[str, ...]] = {
    "iso": ("#",), "month_day": _MONTH_WORDS, "day_month": _MONTH_WORDS, "month_year": _MONTH_WORDS,
    "month": tuple(_MONTH_FULL.split("|")), "year_range": ("#",), "decade": ("#",), "year": ("#",),
    "day_word": ("today", "tonight", "yesterday", "tomorrow", "morning", "afternoon", "evening", "night"),
    "weekday": tuple(_WEEKDAY.split("|")), "relative": ("week", "month", "year", "weekend"), "ago": ("ago",),
    "window": _UNITS, "in_n": _UNITS, "quarter": ("quarter", "q"), "half": ("half", "h"), "fiscal": ("fiscal", "FY"),
    "season": ("spring", "summer", "autumn", "fall", "winter"),
}
_LETTERS = re.compile(r"[A-Za-z]+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    resolve: Resolver
    needs: frozenset[str] = frozenset()  # see _NEEDS; empty: always searched
    ignore_case: bool = False  # the pattern's flag

    def may_match(self, words: _Words) -> bool:
        return not self.needs or not self.needs.isdisjoint(words.lower if self.ignore_case else words.exact)


class _Words:
    """The letter runs of a sentence as written (and "#" if it has a digit), and lower-cased."""

    def __init__(self, sentence: str):
        self.exact = set(_LETTERS.findall(sentence)) | ({"#"} if _DIGIT.search(sentence) else set())
        # with the characters a case-insensitive search equates with a letter ("ſ", "K")
        self.lower = set(_LETTERS.findall(_folded(sentence).lower()))


def _folded(text: str) -> str:
    """``text`` with the characters that a case-insensitive search equates with an ASCII letter
    ("ſ" in "ſummer", the Kelvin sign) replaced by it, so that its words are found in the tables."""
    if text.isascii():
        return text
    from .candidates import automaton

    return text.translate(automaton().folding)


class _AltMatch:
    """A match whose alternative year group ("Q3 2025": ``y2``) is read as ``y``; its groups'
    text is ``_folded``."""

    def __init__(self, match: re.Match[str]):
        self._m = match

    def group(self, index: int = 0) -> str:
        return _folded(self._m.group(index))

    @property
    def string(self) -> str:
        return self._m.string

    def end(self, group: int = 0) -> int:
        return self._m.end(group)

    def __getitem__(self, key: str) -> Any:
        groups = self._m.groupdict()
        value = groups.get("y") or groups.get("y2") if key == "y" and "qn" in groups else groups.get(key)
        return _folded(value) if isinstance(value, str) else value


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    return tuple(_Rule(n, re.compile(src, flags), fn, frozenset(_NEEDS.get(n, ())), bool(flags & re.IGNORECASE))
                 for n, src, fn, flags in _RULES)


# --------------------------------------------------------------------------- finding


@dataclass
class _Found:
    start: int
    end: int
    span: _Span
    rule: str


_NEEDS_CONTEXT = {"May", "March"}  # month names that are also common English words
_MAY_CONTEXT = re.compile(r"(?:\b(?:in|since|by|until|till|through|of|from|between|and|to|early|late|mid|last|this|next"
                          r"|end|beginning|start|middle|during|before|after)\s*-?\s*|-)$", re.IGNORECASE)
_YEAR_CONTEXT = re.compile(r"(?:\b(?:in|since|by|until|till|through|of|from|between|and|to|or|during|before|after"
                           r"|early|late|mid|year|fiscal|end|start|beginning|summer|winter|spring|autumn|fall)\s*-?\s*"
                           r"|[,(–-]\s*|^\s*)$", re.IGNORECASE)


def _plausible(rule: str, m: re.Match[str], sentence: str) -> bool:
    """Drop matches that are words, designations or quantities rather than times."""
    before = sentence[: m.start()]
    if rule == "month" and m["mon"] in _NEEDS_CONTEXT and not (m["rel"] or m["part"]):
        after = sentence[m.end():]
        return bool(_MAY_CONTEXT.search(before) or re.match(rf"\s+(?:{_YEAR}|\d{{1,2}}\b)|\s*[-–]\s*(?:{_MONTH_FULL})", after))
    if rule == "relative" and m["rel"].lower() == "the" and not m["part"] and m["unit"].lower() != "weekend":
        return False
    if rule == "in_n" and re.search(r"\b(?:first|only|second|third)\s+(?:time|\w+)\s+$|\b(?:time|highest|lowest|worst|"
                                    r"best|largest|biggest)\s+$", before, re.IGNORECASE):
        return False  # "for the first time in a year", "the worst attack in ten years": a duration
    if rule == "year" and not m["part"]:
        after = sentence[m.end():]
        if re.match(r"\s*(?:mm|km|kg|percent|per\s+cent)\b|\s+[a-z]+s\b(?<!\bwas)(?<!\bhas)(?<!\bis)", after):
            return bool(_YEAR_CONTEXT.search(before))
        return not re.search(r"[A-Z][\w-]*\s+$", before) or bool(_YEAR_CONTEXT.search(before)) \
            or bool(re.search(rf"(?:{_MONTH_ANY})\.?\s+$", before))
    return True


def _base_times(sentence: str, ctx: _Ctx, guarded: bool = True) -> list[_Found]:
    """Every base expression, leftmost-longest, non-overlapping (``guarded``: patterns whose words
    the sentence lacks are not searched, see ``_NEEDS``)."""
    candidates: list[tuple[int, int, int, _Found]] = []
    words = _Words(sentence) if guarded else None
    for order, rule in enumerate(_rules()):
        if words is not None and not rule.may_match(words):
            continue
        for m in rule.pattern.finditer(sentence):
            if m.end() == m.start() or not _plausible(rule.name, m, sentence):
                continue
            span = rule.resolve(_AltMatch(m), ctx)  # type: ignore[arg-type]
            if span is not None:
                candidates.append((m.start(), -(m.end() - m.start()), order, _Found(m.start(), m.end(), span, rule.name)))
    chosen: list[_Found] = []
    for _, _, _, found in sorted(candidates, key=lambda c: c[:3]):
        if not chosen or found.start >= chosen[-1].end:
            chosen.append(found)
    return chosen


_JOIN = re.compile(r"\s*(?:-|–|—|to|and|until|till|through|thru)\s*", re.IGNORECASE)
_LEAD_RANGE = re.compile(r"\b(?:between|from)\s+$", re.IGNORECASE)
_LEAD_MOD = re.compile(r"\b(?P<mod>since|by|until|till|through|before|not\s+before|no\s+later\s+than)\s+$", re.IGNORECASE)


def _join_ranges(found: list[_Found], sentence: str, ctx: _Ctx) -> list[_Found]:
    """"between March and April", "from 2022 to 2024", "March-April 2025" -> one range."""
    out: list[_Found] = []
    for f in found:
        prev = out[-1] if out else None
        gap = sentence[prev.end:f.start] if prev else ""
        if prev and _JOIN.fullmatch(gap) and _joinable(prev, f, gap, sentence):
            lead = _LEAD_RANGE.search(sentence[: prev.start])
            start_at = lead.start() if lead else prev.start
            first = _align_first(prev, f, sentence, ctx)
            out[-1] = _Found(start_at, f.end, _range(first.start, f.span.end), "range")
        else:
            out.append(f)
    return out


def _joinable(a: _Found, b: _Found, gap: str, sentence: str) -> bool:
    if "and" in gap.lower() or gap.strip().lower() in ("to", "until", "till"):
        return bool(_LEAD_RANGE.search(sentence[: a.start]))
    same_kind = a.rule == b.rule or {a.rule, b.rule} <= {"month", "month_year", "month_day", "day_month"}
    return same_kind and a.span.start <= b.span.start if "-" in gap or "–" in gap else True


def _align_first(a: _Found, b: _Found, sentence: str, ctx: _Ctx) -> _Span:
    """Put a bare first month in the year of the second ("March to May 2022", "between March and April")."""
    if a.rule != "month" or b.rule not in ("month", "month_year"):
        return a.span
    month, end_month = a.span.start.month, b.span.start.month
    y = b.span.start.year if month <= end_month else b.span.start.year - 1
    return _month(y, month)


def _apply_modifiers(found: list[_Found], sentence: str, ctx: _Ctx) -> list[_Found]:
    """"since June 2022" -> June 2022 .. publication; "by March" -> publication .. 31 March."""
    out = []
    for f in found:
        lead = _LEAD_MOD.search(sentence[: f.start])
        if not lead:
            out.append(f)
            continue
        mod, pub = " ".join(lead["mod"].lower().split()), ctx.published
        if mod == "since":
            span = _range(f.span.start, pub if pub and pub >= f.span.start else f.span.end)
        elif pub and (f.span.end or f.span.start) >= pub:
            span = _range(pub, f.span.end)
        else:
            span = f.span
        out.append(_Found(lead.start(), f.end, span, f.rule))
    return out


def find_times(sentence: str, published: date | None, future: bool = False, past: bool = False) -> list[DateSpan]:
    """All time expressions in a sentence, resolved against the publication date.

    Args:
        sentence: the text searched; ``offset`` of each result points into it.
        published: the publication date relative expressions are resolved against; when
            None only absolute expressions ("24 February 2022", "2024") are returned.
        future: the clause is about the future ("will visit on Tuesday"): weekdays and
            dates without a year resolve forward.
        past: the clause tells of what happened ("came after the October 7 attack"): a date
            without a year is never later than publication.
    """
    ctx = _Ctx(published, future, past and not future)
    base = _base_times(sentence, ctx)
    if future:  # "since June" looks back even in a sentence about the future
        behind = {f.start: f for f in _base_times(sentence, _Ctx(published, False))}
        base = [behind.get(f.start, f) if _SINCE_BEFORE.search(sentence[:f.start]) else f for f in base]
    found = _apply_modifiers(_join_ranges(base, sentence, ctx), sentence, ctx)
    return [_to_datespan(f, sentence[f.start:f.end]) for f in found]


_SINCE_BEFORE = re.compile(r"\bsince\s+$", re.IGNORECASE)


def _to_datespan(f: _Found, text: str, offset: tuple[int, int] | None = None) -> DateSpan:
    end = f.span.end.isoformat() if f.span.end else None
    return DateSpan(f.span.start.isoformat(), end, f.span.precision, text,
                    offset if offset is not None else (f.start, f.end))


# --------------------------------------------------------------------------- single expression

_PREPOSITION = re.compile(r"^(?:on|in|at|during|of)\s+", re.IGNORECASE)


def resolve_time(expr: str, published: date | None, future: bool = False) -> DateSpan | None:
    """One time expression ("later this month", "on February 24, 2022") as a DateSpan, or None.

    Uses the rule table first; if no rule covers the expression, dateparser (cached).
    Args as for ``find_times``; ``offset`` of the result is None.
    """
    text = expr.strip()
    core = _PREPOSITION.sub("", text)
    spans = find_times(core, published, future)
    if len(spans) == 1 and spans[0].offset and spans[0].offset[1] - spans[0].offset[0] >= 0.6 * len(core):
        return replace(spans[0], text=text, offset=None)
    if published is not None:
        parsed = _dateparser(text, published.isoformat(), future)
    else:  # only an absolute date reads the same from two different "nows"
        parsed = _dateparser(text, "2001-03-05", future)
        parsed = parsed if parsed == _dateparser(text, "2011-08-17", future) else None
    if parsed is None:
        return None
    start, end, precision = parsed
    return DateSpan(start, end, precision, text, None)  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def _dateparser(expr: str, published: str, future: bool) -> tuple[str, str, str] | None:
    """dateparser's reading of a short expression: (start, end, precision), or None."""
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "future" if future else "past",
                                "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first",
                                "RELATIVE_BASE": datetime.fromisoformat(published)}
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(expr)
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    if data.period == "year":
        return _iso(_year(d.year))
    if data.period == "month":
        return _iso(_month(d.year, d.month))
    if data.period == "week":
        return _iso(_range(*_week_of(d)))
    return _iso(_day(d))


def _iso(span: _Span) -> tuple[str, str, str]:
    return span.start.isoformat(), (span.end or span.start).isoformat(), span.precision


# --------------------------------------------------------------------------- event date


def event_date(sentence: str, published: date | None, published_precision: str | None,
               future: bool = False, speech_span: tuple[int, int] | None = None) -> DateSpan:
    """The date of the event a sentence reports.

    Its own time expression first (the first one outside the reporting clause); else the
    time of the reporting clause ("officials said Tuesday"); else the publication date,
    whose precision says it was not stated (``text`` None).
    Args:
        sentence: the sentence.
        published, future: as for ``find_times``.
        published_precision: how exact the publication date is (day/month/year).
        speech_span: character span of the reporting clause in the sentence, if any.
    """
    times = find_times(sentence, published, future)
    inside = [t for t in times if speech_span and t.offset and _within(t.offset, speech_span)]
    own = [t for t in times if t not in inside]
    if own or inside:
        return (own or inside)[0]
    return publication_span(published, published_precision)


def _within(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def publication_span(published: date | None, precision: str | None) -> DateSpan:
    """The publication date as a DateSpan: the day, or its month/year when that is all we know."""
    if published is None:
        return DateSpan(None, None, None, None)
    if precision == "month":
        span = _month(published.year, published.month)
    elif precision == "year":
        span = _year(published.year)
    else:
        span = _day(published)
    end = span.end or span.start
    return DateSpan(span.start.isoformat(), end.isoformat(), span.precision, None)


# --------------------------------------------------------------------------- undated documents

_EXPLICIT_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_DEADLINE = re.compile(r"\b(?:by|until|till|before|through|to)\s*$", re.IGNORECASE)
# A dated line at the top of a page is its publication stamp ("– 2024-04-13 21:20").
HEADER_CHARS = 800


def infer_publication(text: str, in_office: list[tuple[date | None, date | None]] | None = None
                      ) -> tuple[date, Precision] | None:
    """The publication date of a document that carries none, read from its own dates.

    A fully dated expression near the top (a page stamp, a dated title) is the day; else a
    weekday with its month and day ("on Wednesday, July 10") in the latest year that fits, no
    earlier than the year before the latest year the text names; else that latest year (never a
    deadline: "by 2030"), at year precision.

    Args:
        text: the document text.
        in_office: when given, the spans [from, to) in which the officials the text names with
            their titles were in office: the day must fall in one of them.
    Returns None when the text names no year and no weekday date.
    """
    spans = [s for s in find_times(text, None) if s.start and s.text and _EXPLICIT_YEAR.search(s.text)
             and s.offset and not _DEADLINE.search(text[max(0, s.offset[0] - 12):s.offset[0]])]
    if not spans:
        return _weekday_date(text, _LATEST_YEAR - 12, in_office)
    head = [s for s in spans if s.offset and s.offset[0] < HEADER_CHARS and s.precision == "day"]
    if head:
        return date.fromisoformat(head[0].start[:10]), "day"  # type: ignore[index]
    latest = max(date.fromisoformat((s.end or s.start)[:10]) for s in spans)  # type: ignore[index]
    return _weekday_date(text, latest.year - 1, in_office) or (date(latest.year, 1, 1), "year")


_WEEKDAY_DATE = re.compile(
    r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+(?:(?P<d1>\d{1,2})\s+)?"
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+(?P<d2>\d{1,2}))?\b")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
# The latest year a weekday date without a year is looked for in.
_LATEST_YEAR = date.today().year


def _weekday_date(text: str, earliest: int, in_office: list[tuple[date | None, date | None]] | None = None
                  ) -> tuple[date, Precision] | None:
    """"on Tuesday, June 18" with no year: the latest year from ``earliest`` on in which that day
    was a Tuesday (and, with ``in_office``, fell in one of those spans) dates the article."""
    for m in _WEEKDAY_DATE.finditer(text):
        day = int(m["d1"] or m["d2"] or 0)
        if not day:
            continue
        month, weekday = _MONTH_NAMES.index(m["month"].lower()) + 1, _WEEKDAY_NAMES.index(m["wd"].lower())
        for year in range(_LATEST_YEAR, earliest - 1, -1):
            try:
                when = date(year, month, day)
            except ValueError:
                break
            if when.weekday() == weekday and when <= date.today() and (
                    not in_office or any((a is None or a <= when) and (b is None or when < b) for a, b in in_office)):
                return when, "day"
    return None


_ABSOLUTE = re.compile(r"\b(?:19|20)\d\d\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b",
                       re.IGNORECASE)


def is_relative(expression: str) -> bool:
    """Whether a time expression needs the publication day to mean anything ("on Monday",
    "last week"), unlike "in March 2024" or "2023"."""
    return _ABSOLUTE.search(expression) is None
