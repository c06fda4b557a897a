"""Scoring an export against a gold JSONL file.

The matching rules are the acceptance scorer's (../shared/tools/score_events.py), so both
print the same figures on the same files; tests/test_eval.py checks that on real files.
Gold line kinds: event, negated, claim, forbid, none; actor/meta lines are informational.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import GoldFileError

Record = dict[str, Any]


# Gold kinds the scorer reports by their "id".
IDENTIFIED_KINDS = ("event", "claim", "negated", "forbid", "none")


def load_gold(path: str | Path) -> list[Record]:
    """Gold records (the format of score_events.py); a line the scorer cannot report on (an
    event, claim or rule without an "id") raises GoldFileError naming the line."""
    return load_jsonl(path, gold=True)


def load_jsonl(path: str | Path, gold: bool = False) -> list[Record]:
    """Records of a JSONL file; a broken line raises GoldFileError naming the line."""
    out: list[Record] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise GoldFileError(str(path), None, f"cannot read ({err})") from err
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            raise GoldFileError(str(path), number, f"not valid JSON ({err.msg})") from err
        if not isinstance(rec, dict):
            raise GoldFileError(str(path), number, "not a JSON object")
        if gold and rec.get("kind") in IDENTIFIED_KINDS and not isinstance(rec.get("id"), str):
            raise GoldFileError(str(path), number, f'a gold {rec["kind"]} has no "id": add one (a string naming it in the report)')
        out.append(rec)
    return out


def norm(text: str | None) -> str:
    """Lower-case, straight quotes, single spaces (as the scorer compares evidence)."""
    s = (text or "").replace("\u2019", "'").replace("\u2018", "'")
    s = s.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


def doc_keys(rec: Record) -> set[str]:
    """Every key a gold line may use to name the record's document."""
    d = rec.get("document") or {}
    keys: set[str] = set()
    for k in ("external_id", "id", "source", "url", "name"):
        v = d.get(k)
        if isinstance(v, str) and v:
            keys.add(v)
            keys.add(v.rsplit("/", 1)[-1])
            if "#" in v:
                keys.add(v.rsplit("#", 1)[-1])
    return keys


def codes(entities: Iterable[Any] | None) -> set[str]:
    """Country/org/group codes of a list of entities."""
    out: set[str] = set()
    for e in entities or []:
        if isinstance(e, str):
            out.add(e.upper())
            continue
        for k in ("country", "org", "code", "group"):
            v = e.get(k)
            if isinstance(v, str) and v:
                out.add(v.upper())
    return out


def evidence_text(rec: Record) -> str:
    ev = rec.get("evidence") or {}
    return norm(ev.get("sentence") if isinstance(ev, dict) else ev)


def date_ok(gold: Record, pred: Record) -> bool | None:
    """Whether the predicted date range overlaps the gold one (None when gold has no date)."""
    g = gold.get("date")
    if not g:
        return None
    d = pred.get("date") or {}
    start = (d.get("start") or "")[:10]
    end = (d.get("end") or start)[:10]
    if not start:
        return False
    if len(start) == 7:
        start += "-01"
    if len(end) == 7:
        end += "-31"
    return bool(start <= g["to"] and end >= g["from"])


def is_domain(p: Record) -> bool:
    """Aid-domain events: the ones gold files list exhaustively."""
    t, ctx = p.get("type"), set(p.get("context") or [])
    if p.get("negated"):
        return False
    return t in ("AID", "COOPERATE") or (t in ("SANCTION", "AGREE") and "military" in ctx)


def _evidence_hit(g: Record, p: Record) -> bool:
    ev = evidence_text(p)
    return not g.get("evidence") or any(norm(s) in ev for s in g["evidence"])


def event_matches(g: Record, p: Record) -> bool:
    if p.get("type") not in g["type"] or not _evidence_hit(g, p):
        return False
    pa, pr = codes(p.get("actor")), codes(p.get("recipient"))
    if g.get("reciprocal"):
        return set(g["actor"]) <= (pa | pr)
    if g.get("actor") and not (pa & set(g["actor"])):
        return False
    return not (g.get("recipient") and not (pr & set(g["recipient"])))


def _value_ok(want: Record, v: Record | None) -> bool:
    v = v or {}
    amt = v.get("amount")
    return (amt is not None and (v.get("currency") or "").upper() == want["currency"]
            and abs(float(amt) - want["amount"]) <= 0.01 * want["amount"])


def claim_matches(g: Record, p: Record) -> bool:
    if not _evidence_hit(g, p):
        return False
    if g.get("subject") and not (codes(p.get("subject")) & set(g["subject"])):
        return False
    return not g.get("value") or _value_ok(g["value"], p.get("value"))


def _attribute_checks(g: Record, best: Record) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    if g.get("status"):
        checks["status"] = best.get("status") in g["status"]
    if g.get("mode"):
        checks["mode"] = best.get("mode") in g["mode"]
    if g.get("context"):
        checks["context"] = bool(set(best.get("context") or []) & set(g["context"]))
    dk = date_ok(g, best)
    if dk is not None:
        checks["date"] = dk
    if g.get("items"):
        txt = " ".join(norm(i.get("text", "") + " " + (i.get("category") or "")) for i in best.get("items") or [])
        checks["items"] = all(norm(i) in txt for i in g["items"])
    if g.get("value"):
        checks["value"] = _value_ok(g["value"], best.get("value"))
    if best.get("negated"):
        checks["not_negated"] = False
    return checks


class _Scoring:
    """Mutable state of one scoring pass (which predictions are used, rows, attributes)."""

    def __init__(self, preds: list[Record], gold: list[Record]):
        self.by_doc: dict[str, list[Record]] = defaultdict(list)
        for p in preds:
            for k in doc_keys(p):
                self.by_doc[k].append(p)
        gold_docs = {g["doc"] for g in gold if "doc" in g}
        in_scope = [p for p in preds if doc_keys(p) & gold_docs]
        self.events = [p for p in in_scope if p.get("record", "event") == "event"]
        self.claims = [p for p in in_scope if p.get("record") == "claim"]
        self.used: set[int] = set()
        self.rows: list[tuple[str, str, int, dict[str, bool]]] = []
        self.attr: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.required = self.required_found = 0
        self.claims_required = self.claims_found = 0

    def event_hits(self, g: Record) -> list[Record]:
        return [p for p in self.by_doc.get(g.get("doc", ""), [])
                if p.get("record", "event") == "event" and event_matches(g, p)]

    def gold_event(self, g: Record) -> None:
        hits = self.event_hits(g)
        self.required += bool(g.get("required"))
        if not hits:
            self.rows.append((g["id"], "MISS" if g.get("required") else "miss(optional)", 0, {}))
            return
        self.required_found += bool(g.get("required"))
        # prefer a prediction no other gold item has taken: two gold events may share a sentence
        fresh = [h for h in hits if id(h) not in self.used]
        best = (fresh or hits)[0]
        self.used.add(id(best))
        checks = _attribute_checks(g, best)
        for k, ok in checks.items():
            self.attr[k][0] += ok
            self.attr[k][1] += 1
        self.rows.append((g["id"], "hit", max(0, len(fresh) - 1), {k: v for k, v in checks.items() if not v}))

    def gold_negated(self, g: Record) -> None:
        hits = self.event_hits(g)
        bad = [h for h in hits if not h.get("negated")]
        self.used.update(id(h) for h in hits)
        self.rows.append((g["id"], "WRONG: not negated" if bad else "ok", 0, {}))
        self.attr["negation"][0] += not bad
        self.attr["negation"][1] += 1

    def gold_claim(self, g: Record) -> None:
        hits = [p for p in self.claims if claim_matches(g, p) and g["doc"] in doc_keys(p)]
        self.required += bool(g.get("required"))
        self.required_found += bool(hits) and bool(g.get("required"))
        self.claims_required += bool(g.get("required"))
        self.claims_found += bool(hits) and bool(g.get("required"))
        self.used.update(id(h) for h in hits[:1])
        # a statistic must not also be counted as a new aid event
        dbl = [p for p in self.events if p.get("type") == "AID" and not p.get("negated")
               and any(norm(s) in evidence_text(p) for s in g.get("evidence", []))]
        self.rows.append((g["id"], ("hit" if hits else "MISS") + (" +counted-as-AID" if dbl else ""), 0, {}))

    def gold_none(self, g: Record) -> None:
        bad = [p for p in self.by_doc.get(g.get("doc", ""), []) if p.get("record", "event") == "event"
               and p.get("type") in g["type"] and not p.get("negated")]
        self.rows.append((g["id"], f"VIOLATED x{len(bad)}" if bad else "ok", 0, {}))

    def gold_forbid(self, g: Record) -> None:
        bad = [p for p in self.by_doc.get(g.get("doc", ""), []) if norm(g["evidence"]) in evidence_text(p)]
        self.rows.append((g["id"], "VIOLATED" if bad else "ok", 0, {}))

    def result(self) -> Record:
        predicted = self.events + self.claims
        tp = sum(1 for p in predicted if id(p) in self.used)
        n = len(predicted)
        precision = tp / n if n else 0.0
        recall = self.required_found / self.required if self.required else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        dom = [p for p in self.events if is_domain(p)]
        dom_tp = sum(1 for p in dom if id(p) in self.used)
        return {
            "predicted": n, "matched": tp, "precision": round(precision, 3),
            "required": self.required, "required_found": self.required_found,
            "recall": round(recall, 3), "f1": round(f1, 3),
            "attributes": {k: f"{a}/{b}" for k, (a, b) in sorted(self.attr.items())},
            "domain_predicted": len(dom), "domain_matched": dom_tp,
            "domain_precision": round(dom_tp / len(dom), 3) if dom else 0.0,
            "violations": sum(1 for r in self.rows if r[1].startswith(("VIOLATED", "WRONG"))),
            "claims_required": self.claims_required, "claims_found": self.claims_found,
            "rows": self.rows,
        }


def _scored(preds: list[Record], gold: list[Record]) -> _Scoring:
    """One scoring pass over every gold line."""
    state = _Scoring(preds, gold)
    handlers = {"event": state.gold_event, "negated": state.gold_negated, "claim": state.gold_claim,
                "none": state.gold_none, "forbid": state.gold_forbid}
    for g in gold:
        handler = handlers.get(g.get("kind", ""))
        if handler:
            handler(g)
    return state


def score(preds: list[Record], gold: list[Record]) -> Record:
    """Precision, recall, F1, aid-domain precision, attribute accuracy and violations."""
    res = _scored(preds, gold).result()
    res["confusion"] = confusion(preds, gold)
    return res


def confusion(preds: list[Record], gold: list[Record]) -> dict[str, dict[str, int]]:
    """Per gold type: predicted types of the same document and evidence ("-" when none)."""
    by_doc: dict[str, list[Record]] = defaultdict(list)
    for p in preds:
        if p.get("record", "event") == "event":
            for k in doc_keys(p):
                by_doc[k].append(p)
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for g in gold:
        if g.get("kind") != "event":
            continue
        cands = [p for p in by_doc.get(g.get("doc", ""), []) if _evidence_hit(g, p)]
        got = {p.get("type") for p in cands} or {"-"}
        want = g["type"][0]
        for t in sorted(got, key=str):
            table[want][str(t)] += 1
    return {k: dict(v) for k, v in sorted(table.items())}


def format_report(res: Record, verbose: bool = False) -> str:
    """The scorer's text report (same lines, same figures)."""
    lines: list[str] = []
    if verbose:
        for gid, verdict, dup, wrong in res["rows"]:
            extra = (f" dup={dup}" if dup else "") + (f" wrong={sorted(wrong)}" if wrong else "")
            lines.append(f"{gid:12} {verdict}{extra}")
    lines.append(f"attributes: {res['attributes']}")
    lines.append(f"aid-domain precision {res['domain_precision']} ({res['domain_matched']}/{res['domain_predicted']})")
    lines.append(f"precision {res['precision']} ({res['matched']}/{res['predicted']})  recall {res['recall']} "
                 f"({res['required_found']}/{res['required']})  f1 {res['f1']}  violations {res['violations']}")
    if verbose and res.get("confusion"):
        lines.append("confusion (gold type -> predicted types on the same evidence):")
        for want, got in res["confusion"].items():
            lines.append(f"  {want:10} " + ", ".join(f"{k}:{v}" for k, v in sorted(got.items())))
    return "\n".join(lines)


# --------------------------------------------------------------------------- error causes


def _mismatch(g: Record, p: Record) -> str:
    """Why a prediction on the gold evidence does not match the gold event (first failing key)."""
    if p.get("type") not in g["type"]:
        return f"wrong type ({p.get('type')} for {'/'.join(g['type'])})"
    pa, pr = codes(p.get("actor")), codes(p.get("recipient"))
    if g.get("reciprocal"):
        return "missing party of a joint event"
    if g.get("actor") and not (pa & set(g["actor"])):
        return "wrong actor" if pa else "no actor"
    return "wrong recipient" if pr else "no recipient"


def _miss_cause(g: Record, cands: list[Record]) -> str:
    on_evidence = [p for p in cands if p.get("record", "event") == "event" and _evidence_hit(g, p)]
    if not on_evidence:
        return "no event from the evidence sentence"
    causes = sorted({_mismatch(g, p) for p in on_evidence})
    return causes[0] if len(causes) == 1 else "; ".join(causes)


def _false_positive_cause(p: Record, gold_docs: dict[str, list[Record]], used: set[int]) -> str:
    golds = [g for k in doc_keys(p) for g in gold_docs.get(k, [])]
    on_sentence = [g for g in golds if g.get("kind") in ("event", "negated") and _evidence_hit(g, p)
                   and g.get("evidence")]
    if not on_sentence:
        claims = [g for g in golds if g.get("kind") == "claim" and _evidence_hit(g, p) and g.get("evidence")]
        return "a claim's sentence coded as an event" if claims else "no gold event on that sentence"
    matching = [g for g in on_sentence if event_matches(g, p)]
    if matching:
        return "duplicate of a matched event"
    return "on a gold sentence, but " + sorted({_mismatch(g, p) for g in on_sentence})[0]


def diagnose(preds: list[Record], gold: list[Record]) -> dict[str, dict[str, list[str]]]:
    """Errors grouped by cause: missed required items, unmatched aid-domain predictions and
    wrong attributes, each cause with the gold or prediction ids it concerns."""
    state = _scored(preds, gold)
    gold_by_id = {g.get("id"): g for g in gold}
    gold_docs: dict[str, list[Record]] = defaultdict(list)
    for g in gold:
        if "doc" in g:
            gold_docs[g["doc"]].append(g)
    out: dict[str, dict[str, list[str]]] = {"missed": defaultdict(list), "false positive": defaultdict(list),
                                            "attribute": defaultdict(list), "violation": defaultdict(list)}
    for gid, verdict, _dup, wrong in state.rows:
        g = gold_by_id.get(gid, {})
        if verdict.startswith("MISS") and g.get("kind") == "claim":
            label = ("claim not found" if g.get("required") else "optional claim not found")
            out["missed"][label + (" (coded as AID)" if "AID" in verdict else "")].append(gid)
        elif verdict == "MISS":
            out["missed"][_miss_cause(g, state.by_doc.get(g.get("doc", ""), []))].append(gid)
        elif verdict.startswith(("VIOLATED", "WRONG")):
            out["violation"][verdict.split(" x")[0]].append(gid)
        for name in wrong:
            out["attribute"][f"{name} wrong"].append(gid)
    for p in state.events:
        if is_domain(p) and id(p) not in state.used:
            label = f"{p.get('type')} {(p.get('document') or {}).get('external_id', '?')}"
            out["false positive"][_false_positive_cause(p, gold_docs, state.used)].append(label)
    return {k: dict(sorted(v.items(), key=lambda kv: -len(kv[1]))) for k, v in out.items()}


def format_causes(causes: dict[str, dict[str, list[str]]], examples: int = 6) -> str:
    """The grouped error report: one line per cause with its count and a few ids."""
    lines: list[str] = []
    for group, table in causes.items():
        if not table:
            continue
        lines.append(f"{group}:")
        for cause, ids in table.items():
            shown = ", ".join(ids[:examples]) + (", ..." if len(ids) > examples else "")
            lines.append(f"  {len(ids):4}  {cause}: {shown}")
    return "\n".join(lines)
