"""One self-contained, offline HTML report of the ledger (``aidtrace report -o report.html``).

requires: an up-to-date ledger; optionally ``kiel.KielData`` for the reconciliation section
assigns:  an HTML string: totals by donor and status, a monthly timeline, donor->recipient
          flows, the latest ledger events with their evidence sentences and source links,
          the reconciliation with the Kiel tracker

Everything is inside the file: Plotly's bundled ``plotly.min.js`` (from the ``plotly``
package) is inlined, the page loads nothing (a Content-Security-Policy forbids it), and every
figure comes from the library functions the CLI and the dashboard use (``ledger.totals``,
``ledger.query``, ``reconcile_kiel``), so the report shows the same numbers. Article text is
hostile: Jinja2 autoescapes it, chart data is embedded as JSON with ``<``, ``>`` and ``&``
escaped, source links are kept only for http(s) URLs, and no article text goes into charts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from ..store import Store
from .api import LedgerFilter, query
from .kiel import KielData
from .rules import load_rules
from .totals import Total, country_name, totals_many

AID = "aid"
TOP_DONORS = 15
TOP_FLOWS = 30
# One colour per stage of an act (and for events with no status), used by every chart and card.
STAGE_COLOURS = {"commitment": "#3b6fb6", "delivery": "#2e9c6a", "halt": "#c8553d", "resume": "#e0a100",
                 "request": "#8a6fb0", "event": "#8d99ae"}
STAGE_LABELS = {"commitment": "committed (pledged, announced, approved)", "delivery": "delivered",
                "halt": "halted or cancelled", "resume": "resumed", "request": "requested", "event": "other"}


@dataclass
class ReportOptions:
    """What the report covers."""

    filters: LedgerFilter | None = None
    latest: int = 40
    title: str = "Military support ledger"
    web: bool = False  # served by the dashboard: Plotly and the chart script from /static, numbers linked


def report_html(store: Store, kiel: KielData | None = None, options: ReportOptions | None = None) -> str:
    """The whole report as one HTML document."""
    from jinja2 import Environment, select_autoescape

    options = options or ReportOptions()
    filters = options.filters or LedgerFilter()
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["eur"] = _eur
    env.filters["safe_url"] = safe_url
    template = env.from_string(_template())
    context = _context(store, kiel, filters, options)
    return template.render(**context)


@lru_cache(maxsize=1)
def _template() -> str:
    return resources.files("aidtrace.ledger").joinpath("templates", "report.html.j2").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """Plotly's bundled, minified JavaScript (no network: it ships inside the plotly package)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def safe_url(url: Any) -> str | None:
    """A source link only when it is an http(s) URL (never ``javascript:`` or ``data:``)."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _eur(value: float | None) -> str:
    """EUR in a readable unit: 1.9 bn, 212.5 m, 40,000."""
    if value is None:
        return "–"
    for unit, size in (("bn", 1e9), ("m", 1e6)):
        if abs(value) >= size:
            return f"€{value / size:,.2f} {unit}".replace(".00 ", " ")
    return f"€{value:,.0f}"


def script_json(value: Any) -> str:
    """JSON that can sit inside a <script> element: no "</script>" or "<!--" can appear."""
    from plotly.utils import PlotlyJSONEncoder

    text = json.dumps(value, cls=PlotlyJSONEncoder, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------------- the page's data


def _context(store: Store, kiel: KielData | None, filters: LedgerFilter,
             options: ReportOptions) -> dict[str, Any]:
    aid = LedgerFilter(**{**filters.__dict__, "family": AID})
    stages = _stage_statuses(load_rules())
    figures = totals_many(store, ("donor", "status", "month", "flow"), filters=aid, family=AID,
                          statuses=[tuple(s) for s in stages.values()])
    by_donor, by_status, by_month, flows = (figures[by] for by in ("donor", "status", "month", "flow"))
    latest = query(store, aid, limit=options.latest, newest_first=True)
    reconciliation = _reconciliation(store, kiel, filters)
    overall = by_donor.overall
    charts = {"donor-status": _donor_status_chart(by_donor.rows, {stage: figures[tuple(statuses)]
                                                                  for stage, statuses in stages.items()}),
              "timeline": _timeline_chart(by_month.rows), "flows": _flow_chart(flows.rows),
              "status": _status_chart(by_status.rows)}
    return {
        "title": options.title, "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": store.display_url, "filters": {k: v for k, v in aid.__dict__.items() if v not in (None, ())},
        "overall": overall, "donors": by_donor.rows[:20], "statuses": by_status.rows,
        "kpis": _kpis(by_donor, by_status, latest),
        "latest": [_event_card(r) for r in latest], "reconciliation": reconciliation,
        "charts_json": script_json(charts), "plotly_js": "" if options.web else plotly_js(), "web": options.web,
        "stage_colours": STAGE_COLOURS,
        "stage_labels": STAGE_LABELS, "ledger_total": overall.events,
    }


def _kpis(by_donor: Any, by_status: Any, latest: list[dict[str, Any]]) -> list[dict[str, str]]:
    overall: Total = by_donor.overall
    stage = load_rules().stage
    delivered = sum(r.total for r in by_status.rows if stage(r.key) == "delivery")
    first = min((r.get("first_reported") or "" for r in latest), default="")
    return [
        {"label": "aid in the ledger", "value": _eur(overall.total),
         "note": f"{overall.with_value} of {overall.events} ledger events state a value"},
        {"label": "ledger events", "value": f"{overall.events:,}", "note": f"{overall.without_value} without value, "
                                                                              f"{overall.unconverted} not convertible"},
        {"label": "donors", "value": str(sum(1 for r in by_donor.rows if r.key != "unknown")),
         "note": "countries, institutions and joint donors"},
        {"label": "delivered", "value": _eur(delivered), "note": "ledger events whose latest status is a delivery"},
        {"label": "latest report", "value": max((r.get("last_reported") or "" for r in latest), default="–") or "–",
         "note": f"earliest of those shown: {first}" if first else "of the ledger events shown"},
    ]


def _stage_of(status: str | None) -> str:
    return load_rules().stage(status)


def _event_card(rec: dict[str, Any]) -> dict[str, Any]:
    history = [{"status": h.get("status") or h.get("stage"), "stage": h.get("stage"),
                "date": (h.get("date") or {}).get("start"), "reports": h.get("reports")}
               for h in rec.get("status_history") or []]
    value = rec.get("value") or {}
    return {
        "id": rec["ledger_id"], "type": " ".join(filter(None, [rec.get("type"), rec.get("mode")])),
        "stage": _stage_of(rec.get("status")), "status": rec.get("status") or "—", "history": history,
        "date": (rec.get("date") or {}).get("start"), "precision": (rec.get("date") or {}).get("precision"),
        "donors": _parties(rec.get("actor")), "recipients": _parties(rec.get("recipient")),
        "value_text": value.get("text"), "value_eur": value.get("eur"),
        "systems": [i.get("canonical") or i.get("text") for i in rec.get("items") or []],
        "reports": rec.get("reports"), "duplicates": len(rec.get("duplicates") or []),
        "disagreements": sorted(rec.get("disagreements") or {}),
        "evidence": [{"sentence": e.get("sentence"), "url": (e.get("document") or {}).get("url"),
                      "outlet": (e.get("document") or {}).get("agency") or (e.get("document") or {}).get("external_id"),
                      "published": (e.get("document") or {}).get("published"),
                      "title": (e.get("document") or {}).get("title"), "status": e.get("status")}
                     for e in rec.get("evidence") or []],
    }


def _parties(entities: list[dict[str, Any]] | None) -> str:
    """Parties by country or org ("Germany + France"), else by name."""
    names = [country_name(code) if (code := (e.get("country") or e.get("org"))) else (e.get("name") or e.get("text"))
             for e in entities or []]
    return " + ".join(dict.fromkeys(n for n in names if n))


def _reconciliation(store: Store, kiel: KielData | None, filters: LedgerFilter) -> dict[str, Any] | None:
    if kiel is None:
        return None
    from .reconcile import reconcile_kiel

    result = reconcile_kiel(store, kiel, filters)
    donors = [d for d in result.donors if d.ledger_events or d.kiel_allocated_eur][:TOP_DONORS]
    extra = [d for d in result.donors if d.ledger_events and d not in donors]
    return {"summary": result.summary, "release": result.release, "first": result.first_month,
            "last": result.last_month, "donors": donors + extra, "claims": result.claims[:30],
            "source": result.source}


# ---------------------------------------------------------------------- charts (Plotly figure dicts)

_FONT = {"family": "Inter, 'Segoe UI', system-ui, -apple-system, sans-serif", "size": 12, "color": "#1f2933"}


def _layout(**extra: Any) -> dict[str, Any]:
    base = {"font": _FONT, "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10, "pad": 4}, "hoverlabel": {"font": _FONT}}
    base.update(extra)
    return base


def _donor_status_chart(donors: list[Total], by_stage: dict[str, Any]) -> dict[str, Any]:
    """Stacked bars: each top donor's total, split by the stage of its ledger events' latest status
    (``by_stage``: the totals by donor of each stage's statuses)."""
    top = [r for r in donors if r.total > 0][:TOP_DONORS][::-1]
    keys = [r.key for r in top]
    traces = []
    for stage, stage_totals in by_stage.items():
        split = {r.key: r.total for r in stage_totals.rows}
        values = [split.get(k, 0.0) / 1e9 for k in keys]
        if any(values):
            traces.append({"type": "bar", "orientation": "h", "name": STAGE_LABELS[stage], "x": values,
                           "y": [r.label for r in top], "marker": {"color": STAGE_COLOURS[stage]},
                           "hovertemplate": "%{y}: €%{x:.2f} bn<extra>" + stage + "</extra>"})
    return {"data": traces, "layout": _layout(barmode="stack", height=max(260, 30 * len(top) + 110),
                                              xaxis={"title": {"text": "EUR bn", "standoff": 8},
                                                     "gridcolor": "#e4e7eb", "automargin": True,
                                                     "rangemode": "tozero"},
                                              yaxis={"automargin": True}, bargap=0.35,
                                              legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                                                      "traceorder": "normal"})}


def _stage_statuses(rules: Any) -> dict[str, list[str]]:
    stages: dict[str, list[str]] = {}
    for status, stage in rules.stage_of.items():
        stages.setdefault(stage, []).append(status)
    return stages


def _timeline_chart(months: list[Total]) -> dict[str, Any]:
    """Monthly bars of value, with the number of ledger events as a line; months without
    ledger events show as zero, so the axis is continuous."""
    dated = {m.key: m for m in months if len(m.key) == 7 and m.key[4] == "-"}
    keys = _month_range(min(dated), max(dated)) if dated else []
    x = [f"{k}-15" for k in keys]
    value = [dated[k].total / 1e9 if k in dated else 0.0 for k in keys]
    count = [dated[k].events if k in dated else 0 for k in keys]
    step = "M1" if len(keys) <= 18 else "M3" if len(keys) <= 48 else "M6"
    return {"data": [
        {"type": "bar", "name": "value (EUR bn)", "x": x, "y": value, "marker": {"color": STAGE_COLOURS["commitment"]},
         "hovertemplate": "%{x|%B %Y}: €%{y:.2f} bn<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "ledger events", "x": x, "y": count, "yaxis": "y2",
         "line": {"color": STAGE_COLOURS["halt"], "width": 1.5}, "marker": {"size": 4},
         "hovertemplate": "%{x|%B %Y}: %{y} events<extra></extra>"}],
        "layout": _layout(height=320, xaxis={"type": "date", "tickformat": "%b %Y", "dtick": step, "ticklabelmode":
                                              "period", "gridcolor": "#e4e7eb", "automargin": True},
                          yaxis={"title": {"text": "EUR bn"}, "gridcolor": "#e4e7eb", "rangemode": "tozero",
                                 "automargin": True},
                          yaxis2={"title": {"text": "ledger events"}, "overlaying": "y", "side": "right",
                                  "rangemode": "tozero", "showgrid": False, "automargin": True, "dtick": 1
                                  if max(count, default=0) <= 10 else None},
                          legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}, bargap=0.3)}


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _flow_chart(flows: list[Total]) -> dict[str, Any]:
    """A Sankey diagram of donor -> recipient flows (by value; by event count when no value is stated)."""
    valued = [f for f in flows if f.total > 0][:TOP_FLOWS]
    use_counts = not valued
    chosen = (flows[:TOP_FLOWS] if use_counts else valued)
    donors = list(dict.fromkeys(f.label.split(" → ")[0] for f in chosen))
    recipients = list(dict.fromkeys(f.label.split(" → ")[-1] for f in chosen))
    labels = donors + [f"{r} " for r in recipients]  # a trailing space keeps a donor and a recipient apart
    index = {name: i for i, name in enumerate(labels)}
    unit = "events" if use_counts else "EUR bn"
    return {"data": [{
        "type": "sankey", "arrangement": "snap", "valueformat": ".2f", "valuesuffix": f" {unit}",
        "node": {"label": labels, "pad": 14, "thickness": 14, "line": {"width": 0},
                 "color": [STAGE_COLOURS["commitment"]] * len(donors) + [STAGE_COLOURS["delivery"]] * len(recipients)},
        "link": {"source": [index[f.label.split(" → ")[0]] for f in chosen],
                 "target": [index[f"{f.label.split(' → ')[-1]} "] for f in chosen],
                 "value": [f.events if use_counts else f.total / 1e9 for f in chosen],
                 "color": "rgba(59,111,182,0.25)"}}],
        "layout": _layout(height=max(300, 24 * max(len(donors), len(recipients)) + 80))}


def _status_chart(statuses: list[Total]) -> dict[str, Any]:
    """A donut of ledger events by their latest status."""
    rows = [s for s in statuses if s.events]
    return {"data": [{"type": "pie", "hole": 0.55, "sort": False, "labels": [s.key for s in rows],
                      "values": [s.events for s in rows], "textinfo": "label+value",
                      "marker": {"colors": [STAGE_COLOURS[_stage_of(s.key if s.key != "none" else None)]
                                            for s in rows]},
                      "hovertemplate": "%{label}: %{value} events<extra></extra>"}],
            "layout": _layout(height=300, showlegend=False)}
