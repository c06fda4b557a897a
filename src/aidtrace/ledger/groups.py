"""Donor groups (EU member states, European donors, NATO, G7) with dated membership.

requires: the packaged data file ``donor_groups.yaml``
assigns:  ``DonorGroup`` objects: does a set of donor codes belong to a group on a date?
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..datafiles import load_yaml
from ..errors import DataFileError

_DATA = "donor_groups.yaml"


@dataclass(frozen=True)
class DonorGroup:
    """A named group of donors; ``members`` maps ISO3 codes to (since, until) dates."""

    code: str
    name: str
    orgs: frozenset[str]
    members: dict[str, tuple[date, date | None]]

    def member(self, code: str, when: date | None) -> bool:
        """Is a country or org code part of the group on ``when`` (today's membership if None)?"""
        if code in self.orgs:
            return True
        span = self.members.get(code)
        if span is None:
            return False
        since, until = span
        day = when or date.today()
        return since <= day and (until is None or day <= until)

    def holds(self, codes: tuple[str, ...], when: date | None) -> bool:
        """Every donor of an event is in the group on its date (joint donations of members count)."""
        return bool(codes) and all(self.member(c, when) for c in codes)


@lru_cache(maxsize=1)
def donor_groups() -> tuple[DonorGroup, ...]:
    """The groups of ``donor_groups.yaml``, in file order."""
    try:
        data = load_yaml(_DATA)["groups"]
        return tuple(DonorGroup(code=code, name=str(spec["name"]), orgs=frozenset(spec.get("orgs") or []),
                                members={iso: (_day(span[0]), _day(span[1]) if span[1] else None)
                                         for iso, span in spec["members"].items()})
                     for code, spec in data.items())
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise DataFileError(f"aidtrace/data/{_DATA}", f"cannot read the donor groups ({err})") from err


def _day(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
