"""Property-based tests (issue 11): readers, the cleaner, and the date, money and item parsers
take random and hostile input without crashing or hanging.

Hypothesis draws the inputs (seeded by its database-free default profile below, so CI runs are
repeatable); every example must finish within its deadline (30 s, generous for a loaded CI
machine, where a normal example takes milliseconds), which catches catastrophic regex
backtracking and runaway loops as failures rather than hangs.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidtrace.extract.items import find_items
from aidtrace.extract.money import find_money, parse_number
from aidtrace.extract.when import event_date, find_times, infer_publication, resolve_time
from aidtrace.ingest.clean import clean_text
from aidtrace.ingest.meta import build_document, parse_published
from aidtrace.ingest.readers import FORMATS, InputUnit, html_to_text, read_unit
from aidtrace.model import DateSpan, Item, Money, Notice, RawRecord, Rejection

settings.register_profile("aidtrace", derandomize=True, database=None, deadline=30_000, max_examples=300,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("aidtrace")

# Text that looks like news, mixed with what attackers and broken exports put in articles.
WORDS = st.sampled_from([
    "Germany", "Ukraine", "pledged", "delivered", "500", "million", "euros", "$1.2 billion", "€", "£", "UAH",
    "tanks", "Patriot", "batteries", "155mm", "shells", "on", "Tuesday", "last", "week", "in", "March",
    "2025", "2024-07-01", "since", "June", "between", "and", "Q3", "half", "(AP)", "Kyiv,", "Jul", "2",
    "—", "-", "[/red]", "[sic]", "\x1b[31m", "\u202e", "\x00", "\ufffd", "\n", "\n\n", "=HYPERLINK(", "'", '"',
    "½", "3½", "years", "ago", "later", "this", "month", "about", "nearly", "1,000", "10.5", "bn", "k",
    "date", "2025-13-45", "...", "READ MORE:", "Photo:", "٣", "١٠", "e9", "1e308", "--",
])
NEWSLIKE = st.lists(WORDS, max_size=80).map(" ".join)
TEXT = st.one_of(st.text(max_size=400), NEWSLIKE)
DAYS = st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children,
                                                                                max_size=4)),
    max_leaves=30)


def _read(data: bytes, fmt: str, suffix: str = "") -> list[RawRecord | Rejection | Notice]:
    items = list(read_unit(InputUnit("in", "in", suffix, data=data), fmt=fmt, max_bytes=100_000))
    assert all(isinstance(i, RawRecord | Rejection | Notice) for i in items)
    for item in items:
        if isinstance(item, RawRecord):
            assert "\x00" not in item.text and len(item.text) <= 1_000_000
        if isinstance(item, Rejection):
            assert item.reason and item.hint and "\n" not in item.reason
    return items


@given(st.binary(max_size=2000), st.sampled_from(FORMATS), st.sampled_from(["", ".txt", ".jsonl", ".csv", ".xml"]))
def test_readers_take_any_bytes(data: bytes, fmt: str, suffix: str) -> None:
    _read(data, fmt, suffix)


@given(st.lists(JSON_VALUES, min_size=1, max_size=6))
def test_json_lines_of_any_values_are_records_or_rejections_one_per_line(values: list[object]) -> None:
    lines = [json.dumps(v) for v in values]
    items = [i for i in _read("\n".join(lines).encode(), "jsonl") if not isinstance(i, Notice)]
    assert len(items) == len(lines)


@given(st.lists(st.lists(TEXT, max_size=4), max_size=6))
def test_csv_of_any_cells(rows: list[list[str]]) -> None:
    text = "id,text,date\n" + "\n".join(",".join(json.dumps(c) for c in row) for row in rows)
    _read(text.encode("utf-8", "surrogatepass"), "csv")


@given(TEXT)
def test_feeds_and_html_of_any_markup(text: str) -> None:
    markup = f'<?xml version="1.0"?><rss><channel><item><description>{text}</description></item></channel></rss>'
    _read(markup.encode("utf-8", "replace"), "feed")
    _read(f"<html><body><p>{text}</p></body></html>".encode("utf-8", "replace"), "html")
    html_to_text(text)


@given(TEXT)
def test_the_cleaner_keeps_to_the_text(raw: str) -> None:
    result = clean_text(raw)
    assert isinstance(result.text, str)
    assert "\n\n\n" not in result.text


@given(TEXT, st.one_of(st.none(), TEXT))
def test_documents_build_from_any_record(text: str, published: str | None) -> None:
    doc = build_document(RawRecord(source="in", text=text, published=published))
    assert doc.content_hash and (doc.published is None or isinstance(doc.published, date))
    parse_published(published)


@given(TEXT, DAYS, st.booleans())
def test_date_parsers(sentence: str, published: date | None, future: bool) -> None:
    for span in find_times(sentence, published, future):
        assert isinstance(span, DateSpan)
        if span.start and span.end:
            assert span.start <= span.end
    resolve_time(sentence, published, future)
    event_date(sentence, published, "day", future)
    infer_publication(sentence)


@given(TEXT, DAYS)
def test_money_parser(text: str, on: date | None) -> None:
    for money in find_money(text, on):
        assert isinstance(money, Money) and money.amount == money.amount  # not NaN
    parse_number(text)


@given(TEXT)
def test_item_parser(text: str) -> None:
    assert all(isinstance(item, Item) for item in find_items(text))


@given(st.integers(min_value=0, max_value=20_000))
def test_relative_dates_far_from_today(days: int) -> None:
    published = date(2025, 7, 2) - timedelta(days=days)
    event_date("officials said on Tuesday that deliveries start later this month", published, "day")
