"""Cross-document merge: per-report events become ledger events (clusters of reports).

requires: ``Report`` objects (``reports.report_from_record``) and the merge ``Rules``
assigns:  ``Cluster`` objects (stages of reports, each report with why it joined) and the
          connected component of every report

The merge is deterministic and local, so that adding documents one at a time gives the
same ledger as a full rebuild:

- Two reports can only merge when they share a blocking key (family, stage or anchor, and
  an actor>recipient pair) and their day intervals are within that key's window. The
  transitive closure of that relation splits the reports into *components*; a component
  is merged on its own, so re-merging the components a change touches is exact.
- Inside a component, reports are taken in canonical order (event date, publication,
  document, offset, id). Each joins the best compatible stage of an earlier cluster
  (a restatement), else moves an earlier cluster to a next stage (a progression:
  pledged -> delivered, halted -> resumed), else founds a new cluster.

Cost: sorting, plus for each report the clusters still *active* under its keys (those
with a report within the key's window), so it grows as n log n for a bounded density of
distinct events per key and window. No pair of reports is compared unless it shares a key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .reports import Report, Value
from .rules import Progression, Rules


@dataclass(eq=False)
class Stage:
    """One step of a ledger event (a status class) and the reports that tell it."""

    name: str
    order: int = 0  # creation order within its cluster
    reports: list[Report] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    pairs: set[str] = field(default_factory=set)
    best_date: Report | None = None
    best_value: Report | None = None
    items: dict[str, str | None] = field(default_factory=dict)  # canonical -> category
    triggers: set[str] = field(default_factory=set)  # the trigger words of its reports

    def add(self, rep: Report) -> None:
        self.reports.append(rep)
        self.documents.add(rep.document_id)
        self.triggers.add(_trigger(rep))
        self.pairs |= rep.pairs
        for item in rep.items:
            self.items.setdefault(item.canonical, item.category)
        if self.best_date is None or _date_rank(rep) < _date_rank(self.best_date):
            self.best_date = rep
        if rep.value is not None and (self.best_value is None or _value_rank(rep) < _value_rank(self.best_value)):
            self.best_value = rep

    @property
    def lo(self) -> int:
        return self.best_date.lo if self.best_date else 0


@dataclass
class Member:
    """A report in a cluster: which stage it tells and why it was merged."""

    report: Report
    stage: Stage
    how: str  # founder, restatement, progression
    matched: dict[str, Any]


@dataclass
class Cluster:
    """A ledger event under construction."""

    index: int
    family: str
    founder: Report
    stages: list[Stage] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    created: int = 0  # stages made so far (a stage's ``order`` never changes when one is prepended)

    @property
    def last(self) -> Stage:
        return self.stages[-1]

    @property
    def first(self) -> Stage:
        return self.stages[0]

    def new_stage(self, name: str, first: bool = False) -> Stage:
        """A new, empty stage at the end of the history (or, ``first``, at its start)."""
        stage = Stage(name, order=self.created)
        self.created += 1
        self.stages.insert(0, stage) if first else self.stages.append(stage)
        return stage


def _date_rank(rep: Report) -> tuple[int, int, tuple[int, int, str, int, str]]:
    """Smaller is better: a date from the text, then the shortest interval, then the earliest report."""
    return (0 if rep.explicit else 1, rep.hi - rep.lo, rep.order)


def _value_rank(rep: Report) -> tuple[int, tuple[int, int, str, int, str]]:
    assert rep.value is not None
    return (1 if rep.value.approximate else 0, rep.order)


# ---------------------------------------------------------------------- components


COARSE_DAYS = 31  # a date interval longer than this (a year, a long range) does not identify an act alone


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def components(reports: list[Report]) -> list[list[Report]]:
    """Reports linked by a shared key within its window, transitively (interval-graph sweeps)."""
    by_key: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for i, rep in enumerate(reports):
        for key, window in rep.keys:
            by_key[key].append((rep.lo, rep.hi, i, window))
    links = _UnionFind(len(reports))
    for entries in by_key.values():
        entries.sort()
        reach = None
        prev = -1
        for lo, hi, i, window in entries:
            if reach is not None and lo - reach <= window:
                links.union(prev, i)
            reach = hi if reach is None else max(reach, hi)
            prev = i
    groups: dict[int, list[Report]] = defaultdict(list)
    for i, rep in enumerate(reports):
        groups[links.find(i)].append(rep)
    return sorted(groups.values(), key=lambda g: min(r.event_id for r in g))


def component_id(reports: Iterable[Report]) -> str:
    """A component's id: its smallest event id (stable under re-merging the same reports)."""
    return min(r.event_id for r in reports)


# ---------------------------------------------------------------------- clustering


class _Active:
    """Per blocking key, the stages (of clusters) with a report whose interval ends at or after a
    point, with that latest end; entries that fall out of every window are dropped."""

    def __init__(self) -> None:
        self.by_key: dict[str, dict[tuple[int, int], tuple[int, Stage]]] = defaultdict(dict)

    def candidates(self, key: str, since: int) -> list[tuple[int, Stage, int]]:
        """(cluster index, stage, latest end) of entries whose latest end is at least ``since``."""
        entries = self.by_key.get(key)
        if not entries:
            return []
        dead = [k for k, (hi, _) in entries.items() if hi < since]
        for k in dead:
            del entries[k]
        # every caller picks its best candidate by a total order, so the iteration order does not matter
        return [(ci, stage, hi) for (ci, _), (hi, stage) in entries.items()]

    def add(self, key: str, cluster: int, stage: Stage, hi: int) -> None:
        entries = self.by_key[key]
        slot = (cluster, stage.order)
        previous = entries.get(slot)
        entries[slot] = (max(hi, previous[0]) if previous else hi, stage)


Placement = tuple["Cluster", Stage, str, dict[str, Any]]


def cluster_reports(reports: list[Report], rules: Rules) -> list[Cluster]:
    """Merge reports (any set of whole components) into clusters, in canonical order."""
    clusters: list[Cluster] = []
    active = _Active()
    for rep in sorted(reports, key=lambda r: r.order):
        placed = _restate(rep, clusters, active, rules) or _progress(rep, clusters, active, rules)
        if placed is None:
            cluster = Cluster(index=len(clusters), family=rep.family, founder=rep)
            clusters.append(cluster)
            stage = cluster.new_stage(rep.stage)
            placed = (cluster, stage, "founder", {})
        cluster, stage, how, matched = placed
        stage.add(rep)
        cluster.members.append(Member(rep, stage, how, matched))
        for key, _window in rep.keys:
            active.add(key, cluster.index, stage, rep.hi)
    return clusters


def _restate(rep: Report, clusters: list[Cluster], active: _Active, rules: Rules) -> Placement | None:
    """The best stage ``rep`` restates: same family and stage, compatible date, value, items."""
    best: tuple[tuple[int, ...], Cluster, Stage, dict[str, Any]] | None = None
    for key, window in rep.keys:
        if not key.startswith("r|"):
            continue
        for ci, stage, _hi in active.candidates(key, rep.lo - window):
            cluster = clusters[ci]
            matched = restatement_match(rep, stage, rules)
            if matched is None:
                continue
            score = (-matched.pop("_score"), ci, stage.order)
            if best is None or score < best[0]:
                best = (score, cluster, stage, matched)
    if best is None:
        return None
    return best[1], best[2], "restatement", best[3]


def _progress(rep: Report, clusters: list[Cluster], active: _Active, rules: Rules) -> Placement | None:
    """The cluster ``rep`` is a next step of (pledged -> delivered, halted -> resumed), else one it
    is the missing earlier step of (a pledge reported with a later date than its delivery)."""
    if rep.family not in rules.progress_families:
        return None
    best: tuple[tuple[int, int, int], Cluster, bool, dict[str, Any]] | None = None
    for key, window in rep.keys:
        if not key.startswith("p|"):
            continue
        anchor = key.rsplit("|", 1)[1]
        for ci, _stage, hi in active.candidates(key, rep.lo - window):
            cluster = clusters[ci]
            if cluster.family != rep.family:
                continue
            for before in (False, True):
                source, target = (rep.stage, cluster.first.name) if before else (cluster.last.name, rep.stage)
                step = rules.progression(source, target)
                matched = step and progression_match(rep, cluster, step, anchor, hi, rules, before)
                if matched:
                    score = (int(before), -(cluster.first.lo if before else cluster.last.lo), ci)
                    if best is None or score < best[0]:
                        best = (score, cluster, before, matched)
    if best is None:
        return None
    _, cluster, before, matched = best
    stage = cluster.new_stage(rep.stage, first=before)
    return cluster, stage, "progression", matched


# ---------------------------------------------------------------------- compatibility


def restatement_match(rep: Report, stage: Stage, rules: Rules) -> dict[str, Any] | None:
    """Why ``rep`` tells the same step as ``stage`` (the keys that matched), or None.

    The date must overlap the stage's best date; a stated value must agree with the stage's
    best value within rounding; items must share a system or a category. When either date is
    coarser than a month (a year, a long range), an anchor is needed too. A document that
    already tells this stage may only restate it with an anchor (a shared named system or
    an agreeing value): the coder keeps distinct events of one document apart, and merges
    most restatements itself, so a second event of a document is a different act unless
    something specific ties it to the first.
    """
    if stage.best_date is None:
        return None
    date_score = dates_agree(rep, stage.best_date, rules)
    if date_score is None:
        return None
    items = items_agree(rep, stage.items, rules)
    if items is None:
        return None
    value_text = "unstated"
    if rep.value is not None and stage.best_value is not None:
        assert stage.best_value.value is not None
        if not values_agree(rep.value, stage.best_value.value, rules):
            return None
        value_text = f"{rep.value.label()} ≈ {stage.best_value.value.label()}"
    anchored = bool(items[0]) or value_text != "unstated"
    if rep.document_id in stage.documents and not anchored:
        return None
    if not anchored and max(rep.hi - rep.lo, stage.best_date.hi - stage.best_date.lo) > COARSE_DAYS:
        return None  # "in 2022" on both sides says nothing about which act: something specific must tie them
    if not anchored and _one_party(rep) and _trigger(rep) not in stage.triggers:
        return None  # one party and no target ("the US declined", "the US asked"): too little to be one act
    against = stage.best_date
    return {
        "_score": date_score + len(items[0]) + (value_text != "unstated"),
        "against": against.event_id, "stage": stage.name,
        "type": f"{rep.type} ~ {against.type}" if rep.type != against.type else rep.type,
        "parties": sorted(rep.pairs & stage.pairs),
        "date": f"{date_text(rep)} ~ {date_text(against)}",
        "items": items[1], "value": value_text,
    }


def progression_match(rep: Report, cluster: Cluster, step: Progression, anchor: str, latest: int,
                      rules: Rules, before: bool = False) -> dict[str, Any] | None:
    """Why ``rep`` is the next step of ``cluster`` (or, ``before``, its missing earlier step):
    its anchor and the gap in days; None if it is not."""
    if step.anchor and anchor == "*":
        return None
    if rep.lo - latest > step.horizon_days:
        return None
    near = cluster.first if before else cluster.last
    near_date = near.best_date
    assert near_date is not None
    if before and rep.lo > near_date.hi + rules.day_tolerance:  # an earlier step is not dated after the next
        return None
    if not before and rep.hi + rules.day_tolerance < near.lo:  # a next step does not happen before the last one
        return None
    if items_agree(rep, near.items, rules) is None:
        return None
    if anchor.startswith("v:") and not any(
            m.report.value is not None and rep.value is not None and values_agree(rep.value, m.report.value, rules)
            for m in cluster.members):
        return None
    steps = (rep, near_date) if before else (near_date, rep)
    return {
        "against": near_date.event_id,
        "stage": f"{rep.stage} -> {near.name} (an earlier step)" if before else f"{near.name} -> {rep.stage}",
        "type": f"{steps[0].type} -> {steps[1].type}", "status": f"{steps[0].status} -> {steps[1].status}",
        "parties": sorted(rep.pairs & {p for s in cluster.stages for p in s.pairs}),
        "anchor": _anchor_text(anchor, rep), "days_after": rep.lo - near.lo,
    }


def _one_party(rep: Report) -> bool:
    return not rep.recipients and len(rep.actors) <= 1


def _trigger(rep: Report) -> str:
    return str((rep.record.get("evidence") or {}).get("trigger") or "").lower()


def _anchor_text(anchor: str, rep: Report) -> str:
    if anchor.startswith("i:"):
        return f"system {anchor[2:]}"
    if anchor.startswith("v:") and rep.value is not None:
        return f"value {rep.value.label()}"
    return "same parties (no anchor needed)"


def dates_agree(rep: Report, other: Report, rules: Rules) -> int | None:
    """2 for the same interval, 1 for overlapping ones (with day slack), None if they differ."""
    if (rep.lo, rep.hi) == (other.lo, other.hi):
        return 2
    slack_a = rules.day_tolerance if rep.explicit and rep.precision == "day" else 0
    slack_b = rules.day_tolerance if other.explicit and other.precision == "day" else 0
    if rep.lo - slack_a <= other.hi + slack_b and other.lo - slack_b <= rep.hi + slack_a:
        return 1
    return None


def date_text(rep: Report) -> str:
    """A report's date for explanations: "2025-06-12", "2025-06 (month)", "by 2025-06-14 (published)"."""
    when = rep.record.get("date") or {}
    start = when.get("start") or ""
    if not rep.explicit:
        doc = rep.record.get("document") or {}
        return f"by {doc.get('published') or start or '?'} (published)"
    cut = {"month": 7, "year": 4}.get(rep.precision, 10)
    text = start[:cut]
    if rep.precision == "range":
        text = f"{start[:10]}..{(when.get('end') or '')[:10]}"
    return text if rep.precision == "day" else f"{text} ({rep.precision})"


def values_agree(a: Value, b: Value, rules: Rules) -> bool:
    """Amounts within rounding: in the stated currency when shared, else in EUR."""
    tolerance = rules.approximate_tolerance if a.approximate or b.approximate else rules.value_tolerance
    if a.currency == b.currency:
        x_lo, x_hi, y_lo, y_hi = a.amount, a.amount_max or a.amount, b.amount, b.amount_max or b.amount
    elif a.eur is not None and b.eur is not None:
        x_lo = x_hi = a.eur
        y_lo = y_hi = b.eur
    else:
        return True  # not comparable: no conflict can be shown
    if x_lo <= y_hi and y_lo <= x_hi:  # overlapping ranges
        return True
    gap = max(x_lo, y_lo) - min(x_hi, y_hi)
    return gap <= tolerance * max(x_hi, y_hi)


def items_agree(rep: Report, items: dict[str, str | None],
                rules: Rules) -> tuple[list[str], list[str]] | None:
    """(shared systems, what matched) when the items are compatible, else None.

    Compatible: either side names nothing, or they share a system, or a category (generic
    categories such as "other" match anything).
    """
    mine = {i.canonical: i.category for i in rep.items}
    if not mine or not items:
        return [], ["none stated" if not mine else "none stated by the other reports"]
    shared = sorted(set(mine) & set(items))
    named = [s for s in shared if s in rules.named_items]
    if shared:
        return named, shared
    cats = {c for c in mine.values() if c} - rules.generic_categories
    other = {c for c in items.values() if c} - rules.generic_categories
    if not cats or not other:
        return [], ["generic items only"]
    common = sorted(cats & other)
    if common:
        return [], [f"category {c}" for c in common]
    return None
