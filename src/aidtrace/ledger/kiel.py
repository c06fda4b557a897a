"""Read the Kiel Ukraine Support Tracker: its website tables and, if given, its XLSX.

requires: a folder in the layout of ``../shared/data/kiel_ust_r29`` (``data_explorer.csv``,
          ``release_info.csv``; any ``*.xlsx`` in it is read too) or one ``.xlsx`` file
assigns:  ``KielData``: allocations and commitments per donor and month (EUR), and, from the
          XLSX, the individual entries (donor, announcement date, type, measure, value)

Allocated is what Kiel earmarked in that month (website ``total``; XLSX rows with measure
Allocation); committed is allocated plus committed but not yet allocated (website
``commitments``; XLSX Allocation plus Commitment rows). The files are third-party tables:
rows that cannot be read are skipped and counted (with the first reasons), never fatal; a
path that holds neither layout is a usage error.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..datafiles import load_yaml
from ..errors import UsageError

KINDS = ("financial", "humanitarian", "military")
SHOWN_PROBLEMS = 5


@dataclass
class DonorMonth:
    """Kiel's figures for one donor and month, in EUR."""

    donor: str
    name: str
    month: str  # YYYY-MM
    total: float = 0.0  # allocated
    financial: float = 0.0
    humanitarian: float = 0.0
    military: float = 0.0
    committed: float = 0.0

    def value(self, column: str) -> float:
        return float(getattr(self, column))


@dataclass
class KielEntry:
    """One row of the XLSX main sheet."""

    donor: str
    name: str
    day: date | None
    kind: str  # financial, humanitarian, military (lower case)
    measure: str  # allocation or commitment
    eur: float


@dataclass
class KielData:
    """What was read, from where, and what was skipped."""

    source: str
    release: str | None = None
    period: str | None = None  # the last month the release covers, YYYY-MM
    published: str | None = None
    months: list[DonorMonth] = field(default_factory=list)
    entries: list[KielEntry] = field(default_factory=list)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        self.skipped += 1
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(f"{where}: {reason}")

    @property
    def first_month(self) -> str | None:
        return min((m.month for m in self.months), default=None)

    @property
    def last_month(self) -> str | None:
        return self.period or max((m.month for m in self.months), default=None)


@lru_cache(maxsize=1)
def _layout() -> dict[str, Any]:
    return dict(load_yaml("kiel.yaml"))


def read_kiel(path: str) -> KielData:
    """Kiel's tables from a folder (website tables, plus any XLSX in it) or one XLSX file.

    Raises:
        UsageError: the path holds neither layout.
    """
    where = Path(path)
    layout = _layout()
    if where.is_file() and where.suffix.lower() == ".xlsx":
        data = KielData(source=str(where))
        _read_xlsx(where, data, {})
        data.months = _months_from_entries(data.entries)
        return data
    table = where / layout["website"]["donor_months"]
    xlsx = sorted(where.glob("*.xlsx")) if where.is_dir() else []
    if not where.is_dir() or (not table.is_file() and not xlsx):
        raise UsageError(f"{path}: no Kiel tracker tables there — pass the folder of the tracker's website "
                         f"tables (with {layout['website']['donor_months']}, as in ../shared/data/kiel_ust_r29) "
                         "or the tracker's .xlsx file")
    data = KielData(source=str(where))
    names: dict[str, str] = {}
    if table.is_file():
        _read_donor_months(table, data, names)
        _read_release(where / layout["website"]["release"], data)
    for book in xlsx:
        _read_xlsx(book, data, names)
    if not data.months:
        data.months = _months_from_entries(data.entries)
    return data


def _number(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    return float(str(value).replace(",", "").replace("€", "").strip())


def _read_donor_months(path: Path, data: KielData, names: dict[str, str]) -> None:
    unit, limit = float(_layout()["website"]["unit"]), int(_layout()["website"]["max_rows"])
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            if line > limit + 1:
                data.skip(f"{path.name}", f"more than {limit} rows; the rest is not read")
                break
            try:
                iso, name = row["iso"].strip().upper(), row["country"].strip()
                month = f"{int(row['year']):04d}-{int(row['month']):02d}"
                data.months.append(DonorMonth(
                    donor=iso, name=name, month=month, total=_number(row["total"]) * unit,
                    financial=_number(row["financial"]) * unit, humanitarian=_number(row["humanitarian"]) * unit,
                    military=_number(row["military"]) * unit, committed=_number(row["commitments"]) * unit))
                names[name.lower()] = iso
            except (KeyError, ValueError, TypeError, AttributeError) as err:
                data.skip(f"{path.name}:{line}", f"unreadable row ({err})")


def _read_release(path: Path, data: KielData) -> None:
    if not path.is_file():
        return
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            data.release, data.published = row.get("release"), row.get("date")
            period = (row.get("period") or "").strip()  # "04/2026"
            if "/" in period:
                month, year = period.split("/", 1)
                data.period = f"{int(year):04d}-{int(month):02d}"
            return


def _read_xlsx(path: Path, data: KielData, names: dict[str, str]) -> None:
    from openpyxl import load_workbook

    spec = _layout()["xlsx"]
    try:
        book = load_workbook(filename=str(path), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a broken file  # noqa: BLE001
        raise UsageError(f"{path}: cannot read this XLSX ({type(err).__name__}: {err}) — pass the Kiel "
                         "tracker's workbook as downloaded") from err
    try:
        if spec["sheet"] not in book.sheetnames:
            raise UsageError(f"{path}: no sheet {spec['sheet']!r} — pass the Kiel tracker's workbook "
                             f"(sheets here: {', '.join(book.sheetnames[:8])})")
        rows = book[spec["sheet"]].iter_rows(values_only=True)
        header = [str(c or "").strip().lower() for c in next(rows, ())]
        where = {key: _column(header, names_) for key, names_ in spec["columns"].items()}
        missing = [k for k, v in where.items() if v is None]
        if missing:
            raise UsageError(f"{path}: sheet {spec['sheet']!r} has no column for {', '.join(missing)} — "
                             "pass the tracker's main workbook")
        for line, row in enumerate(rows, start=2):
            if line > int(spec["max_rows"]) + 1:
                data.skip(path.name, "too many rows; the rest is not read")
                break
            _entry(row, where, line, path, data, names)
    finally:
        book.close()


def _column(header: list[str], wanted: list[str]) -> int | None:
    for name in wanted:
        if name.lower() in header:
            return header.index(name.lower())
    return None


def _entry(row: tuple[Any, ...], where: dict[str, int | None], line: int, path: Path, data: KielData,
           names: dict[str, str]) -> None:
    spec = _layout()["xlsx"]
    cells = {k: row[i] if i is not None and i < len(row) else None for k, i in where.items()}
    name = str(cells["donor"] or "").strip()
    if not name:
        return
    measure = str(cells["measure"] or "").strip().lower()
    if measure not in (spec["allocation"].lower(), spec["commitment"].lower()):
        data.skip(f"{path.name}:{line}", f"measure {measure!r} is neither allocation nor commitment")
        return
    try:
        eur = _number(cells["value"]) * float(spec["unit"])
    except ValueError:
        data.skip(f"{path.name}:{line}", f"value {cells['value']!r} is not a number")
        return
    donor = donor_code(name, names)
    if donor is None:
        data.skip(f"{path.name}:{line}", f"donor {name!r} is not a known country — add it to donor_aliases in "
                                         "data/kiel.yaml")
        return
    kind = str(cells["type"] or "").strip().lower()
    data.entries.append(KielEntry(donor=donor, name=name, day=_day(cells["date"]),
                                  kind=kind if kind in KINDS else "other",
                                  measure="allocation" if measure == spec["allocation"].lower() else "commitment",
                                  eur=eur))


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def donor_code(name: str, known: dict[str, str] | None = None) -> str | None:
    """A Kiel donor name as a country or org code ("Germany" -> DEU, "EU (Commission and Council)" -> EU)."""
    if known and name.lower() in known:
        return known[name.lower()]
    aliases = {k.lower(): v for k, v in _layout()["donor_aliases"].items()}
    if name.lower() in aliases:
        return str(aliases[name.lower()])
    import pycountry

    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def _months_from_entries(entries: list[KielEntry]) -> list[DonorMonth]:
    """Donor-month totals from XLSX entries (dated ones): allocations by kind, and commitments."""
    months: dict[tuple[str, str], DonorMonth] = {}
    names: dict[str, str] = defaultdict(str)
    for e in entries:
        names[e.donor] = names[e.donor] or e.name
        if e.day is None:
            continue
        key = (e.donor, e.day.isoformat()[:7])
        month = months.setdefault(key, DonorMonth(donor=e.donor, name=e.name, month=key[1]))
        if e.measure == "allocation":
            month.total += e.eur
            if e.kind in KINDS:
                setattr(month, e.kind, month.value(e.kind) + e.eur)
        month.committed += e.eur
    return sorted(months.values(), key=lambda m: (m.donor, m.month))
