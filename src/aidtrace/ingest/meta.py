"""Metadata: build a ``Document`` from a ``RawRecord`` (cleaning plus date, dateline, agency, title).

Requires: a RawRecord from ingest/readers.py. Assigns: Document.text (clean), content_hash,
id, title, published + published_precision, agency, dateline_place, furniture (captions kept
for context, never coded); raw_text is the record's text untouched.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import PurePath

from ..model import Document, Precision, RawRecord
from .clean import CleanText, Dateline, canonical_agency, clean_text

_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?$")
_RANK: dict[str | None, int] = {None: 0, "year": 1, "month": 2, "range": 2, "day": 3}


def content_hash(text: str) -> str:
    """SHA-256 hex of the text with whitespace collapsed (the dedupe key; letter case counts,
    so a case-only edit is a new version).

    Args:
        text: the cleaned text.
    """
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def parse_published(value: str | None) -> tuple[date | None, Precision | None]:
    """A publication date and its precision from ISO ("2025", "2025-07", "2025-07-02T..."),
    RFC 2822 ("Wed, 02 Jul 2025 10:00:00 GMT") or, failing those, dateparser.

    Args:
        value: the date as the input wrote it.
    """
    text = (value or "").strip()
    if not text:
        return None, None
    if match := _ISO_RE.match(text):
        return _from_iso_parts(*match.groups())
    try:
        return parsedate_to_datetime(text).date(), "day"
    except (TypeError, ValueError, IndexError):
        pass
    return _from_dateparser(text)


def _from_iso_parts(year: str, month: str | None, day: str | None) -> tuple[date | None, Precision | None]:
    """A date from ISO parts; precision is the finest part given."""
    try:
        parsed = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None, None
    return parsed, "day" if day else "month" if month else "year"


def _from_dateparser(text: str) -> tuple[date | None, Precision | None]:
    """Free-form dates: "2 July 2025" (day) or "July 2025" (month); a year alone is not enough."""
    import dateparser  # imported here: slow to load, and only rare inputs get this far

    levels: tuple[tuple[list[str], Precision], ...] = ((["day", "month", "year"], "day"),
                                                       (["month", "year"], "month"))
    for parts, precision in levels:
        parsed = dateparser.parse(text, languages=["en"],
                                  settings={"REQUIRE_PARTS": parts, "PREFER_DAY_OF_MONTH": "first"})
        if parsed:
            return parsed.date(), precision
    return None, None


def _best_date(*values: str | None) -> tuple[date | None, Precision | None]:
    """The most precise of several date strings (the first wins a tie)."""
    best: tuple[date | None, Precision | None] = (None, None)
    for value in values:
        candidate = parse_published(value)
        if _RANK[candidate[1]] > _RANK[best[1]]:
            best = candidate
    return best


_HINT_DATE = "write it as YYYY-MM-DD (or pass --date for inputs without one)"


def dropped_dates(given: str | None, header: str | None, chosen: date | None,
                  dateline: Dateline | None) -> list[str]:
    """A warning for every date of a record that was not used, saying why.

    Args:
        given: the record's date field (or --date); header: the ``date`` header of the text.
        chosen: the publication date kept; dateline: the parsed dateline, if any.
    """
    notes: list[str] = []
    for what, value in (("date", given), ("date header", header)):
        if value and value.strip() and parse_published(value)[0] is None:
            notes.append(f"the {what} {_shown(value)} is not a date aidtrace can read and was ignored — "
                         f"{_HINT_DATE}")
    parsed = [(what, value, parse_published(value)) for what, value in (("date", given), ("date header", header))
              if value]
    for what, value, (day, precision) in parsed:
        if day is not None and chosen is not None and not _agrees(day, precision, chosen):
            notes.append(f"the {what} {_shown(value)} disagrees with the publication date kept "
                         f"({chosen.isoformat()}) and was ignored — check which is right")
    if dateline is not None and dateline.month and dateline.day and chosen is not None \
            and (chosen.month, chosen.day) != (dateline.month, dateline.day):
        notes.append(f"the dateline date {_shown(dateline.text)} disagrees with the publication date "
                     f"{chosen.isoformat()} and was ignored — check which is right")
    return notes


def _agrees(day: date, precision: Precision | None, chosen: date) -> bool:
    """Whether a date at its precision contains the chosen date."""
    if precision == "year":
        return day.year == chosen.year
    if precision == "month":
        return (day.year, day.month) == (chosen.year, chosen.month)
    return day == chosen


def _shown(value: str) -> str:
    text = " ".join(value.split())
    return repr(text if len(text) <= 60 else text[:59] + "…")


def refine_with_dateline(published: date | None, precision: Precision | None,
                         dateline: Dateline | None) -> tuple[date | None, Precision | None]:
    """Use the dateline's day when the publication date is only a month or year.

    "2025-07" + "Kyiv, Jul 2 (AP)" gives 2025-07-02 (day); a dateline whose month disagrees
    with the header's month is ignored, since the header is the outlet's own date.

    Args:
        published: the date from the input or header.
        precision: its precision.
        dateline: the parsed dateline, if any.
    """
    if dateline is None or dateline.month is None or dateline.day is None:
        return published, precision
    if published is None:
        year = dateline.year
    elif precision == "year" or (precision == "month" and published.month == dateline.month):
        year = published.year
    else:
        return published, precision
    if year is None:
        return published, precision
    try:
        return date(year, dateline.month, dateline.day), "day"
    except ValueError:
        return published, precision


def dateline_place(dateline: Dateline | None) -> str | None:
    """The city of a dateline, in title case when the wire wrote it in capitals ("KYIV" -> "Kyiv").

    Args:
        dateline: the parsed dateline, if any.
    """
    if dateline is None:
        return None
    city = dateline.place.split(",")[0].strip()
    return city.title() if city.isupper() else city


def _agency(clean: CleanText) -> str | None:
    """The dateline's agency (canonical name when known), else the credit line's."""
    written = clean.dateline.agency if clean.dateline else None
    if written:
        return canonical_agency(written) or written
    return clean.credit


def build_document(rec: RawRecord) -> Document:
    """Clean a record and read its metadata into a Document.

    Args:
        rec: one article from ``read_inputs``.
    """
    clean = clean_text(rec.text)
    digest = content_hash(clean.text)
    published, precision = refine_with_dateline(*_best_date(rec.published, clean.header_date),
                                                clean.dateline)
    notes = dropped_dates(rec.published, clean.header_date, published, clean.dateline)
    return Document(
        id=digest[:16],
        external_id=rec.external_id or PurePath(rec.source).name or rec.source,
        source=rec.source,
        raw_text=rec.text,
        text=clean.text,
        content_hash=digest,
        url=rec.url,
        title=(rec.title or "").strip() or clean.title,
        published=published,
        published_precision=precision,
        agency=_agency(clean),
        dateline_place=dateline_place(clean.dateline),
        outlet=rec.outlet,
        format=rec.format,
        extra=dict(rec.extra),
        furniture=clean.furniture,
        notes=notes,
        line=rec.line,
    )
