"""The merge rules of the ledger, read once from ``data/ledger.yaml`` (and the item taxonomy).

requires: the packaged data files ``ledger.yaml`` and ``items.yaml``
assigns:  a frozen ``Rules`` object: stages, families, progressions, windows and tolerances
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..datafiles import load_yaml
from ..errors import DataFileError
from ..model import STATUSES

_DATA = "ledger.yaml"
EVENT_STAGE = "event"  # the stage of a report without a status


@dataclass(frozen=True)
class FamilyRule:
    """One way a per-report event belongs to a merge family."""

    family: str
    type: str
    mode: str | None = None
    stages: frozenset[str] | None = None
    directed: bool = False
    requires_any: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Progression:
    """A step a ledger event may take from its latest stage to a new one."""

    source: str
    target: str
    anchor: bool
    horizon_days: int


@dataclass(frozen=True)
class Rules:
    """Everything the merge needs to know that is data, not code."""

    stage_of: dict[str, str]            # status -> stage
    specificity: dict[str, int]         # status -> rank within its stage (higher: more specific)
    stage_order: tuple[str, ...]
    family_rules: tuple[FamilyRule, ...]
    progress_families: frozenset[str]
    progressions: tuple[Progression, ...]
    day_tolerance: int
    reporting_lag: int
    longest_interval: int
    value_tolerance: float
    approximate_tolerance: float
    restatement_window: int
    generic_categories: frozenset[str]
    named_items: frozenset[str]
    totals_types: tuple[str, ...]

    def stage(self, status: str | None) -> str:
        """The stage of a status ("pledged" -> "commitment"); "event" for none."""
        return self.stage_of.get(status or "", EVENT_STAGE)

    def progression(self, source: str, target: str) -> Progression | None:
        """The allowed step from stage ``source`` to stage ``target``, if any."""
        for step in self.progressions:
            if step.source == source and step.target == target:
                return step
        return None

    @property
    def longest_horizon(self) -> int:
        return max((p.horizon_days for p in self.progressions), default=0)

    @property
    def value_bucket_base(self) -> float:
        """Log base of the value blocking buckets: two agreeing amounts are at most one bucket apart."""
        return 1.0 / (1.0 - max(self.value_tolerance, self.approximate_tolerance)) + 0.01


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """Read ``ledger.yaml`` once (a malformed file is a ``DataFileError``)."""
    try:
        return _build(load_yaml(_DATA))
    except (KeyError, TypeError, ValueError) as err:
        raise DataFileError(f"aidtrace/data/{_DATA}", f"cannot read the ledger rules ({err})") from err


def _build(data: dict[str, Any]) -> Rules:
    stage_of, specificity = _stages(data["stages"])
    dates, values = data["dates"], data["values"]
    return Rules(
        stage_of=stage_of, specificity=specificity, stage_order=tuple(data["stages"]),
        family_rules=tuple(_family_rules(data["families"], set(data["stages"]))),
        progress_families=frozenset(data["progress_families"]),
        progressions=tuple(_progressions(data["progressions"], set(data["stages"]))),
        day_tolerance=int(dates["day_tolerance_days"]), reporting_lag=int(dates["reporting_lag_days"]),
        longest_interval=int(dates["longest_interval_days"]),
        value_tolerance=float(values["tolerance"]),
        approximate_tolerance=float(values["approximate_tolerance"]),
        restatement_window=int(data["blocking"]["restatement_window_days"]),
        generic_categories=frozenset(data["generic_item_categories"]),
        named_items=named_items(), totals_types=tuple(data["totals_types"]),
    )


def _stages(spec: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, int]]:
    stage_of: dict[str, str] = {}
    specificity: dict[str, int] = {}
    for stage, statuses in spec.items():
        for rank, status in enumerate(statuses):
            if status not in STATUSES:
                raise ValueError(f"stage {stage}: {status!r} is not a status of CONTRACT.md")
            stage_of[status], specificity[status] = stage, rank
    return stage_of, specificity


def _family_rules(spec: list[dict[str, Any]], stages: set[str]) -> list[FamilyRule]:
    rules = []
    for family in spec:
        for rule in family["rules"]:
            wanted = frozenset(rule["stages"]) if "stages" in rule else None
            if wanted and not wanted <= stages:
                raise ValueError(f"family {family['name']}: unknown stage in {sorted(wanted)}")
            rules.append(FamilyRule(family=family["name"], type=rule["type"], mode=rule.get("mode"),
                                    stages=wanted, directed=bool(rule.get("directed")),
                                    requires_any=frozenset(rule.get("requires_any", []))))
    return rules


def _progressions(spec: list[dict[str, Any]], stages: set[str]) -> list[Progression]:
    steps = []
    for step in spec:
        if step["from"] not in stages or step["to"] not in stages:
            raise ValueError(f"progression {step['from']} -> {step['to']}: unknown stage")
        steps.append(Progression(step["from"], step["to"], bool(step["anchor"]), int(step["horizon_days"])))
    return steps


def named_items() -> frozenset[str]:
    """Canonical names of named weapon systems (IRIS-T, F-16), as opposed to classes ("drone").

    Derived from ``items.yaml``: an entry is a named system when it is matched by proper
    names or designations only (no generic ``words``) and its canonical name is not a template.
    """
    try:
        entries = load_yaml("items.yaml")["items"]
        return frozenset(str(e["canonical"]) for e in entries
                         if not e.get("words") and "{" not in str(e["canonical"]))
    except (KeyError, TypeError) as err:
        raise DataFileError("aidtrace/data/items.yaml", f"cannot read the item taxonomy ({err})") from err
