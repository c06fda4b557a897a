"""Time expressions resolved against a publication date (issue 5, part 2)."""

from __future__ import annotations

from datetime import date

import pytest

from aidtrace.extract.when import event_date, find_times, publication_span, resolve_time

WED = date(2025, 7, 2)  # Wednesday 2 July 2025 (the AP seed story)
SEP = date(2025, 9, 24)  # Wednesday 24 September 2025
JAN = date(2024, 1, 15)  # Monday 15 January 2024 (leap year)

# (words, publication date, future?, start, end, precision)
CASES = [
    # weekdays and day words
    ("officials said Tuesday", WED, False, "2025-07-01", "2025-07-01", "day"),
    ("the ministry said on Wednesday", WED, False, "2025-07-02", "2025-07-02", "day"),
    ("the delegation arrives on Tuesday", WED, True, "2025-07-08", "2025-07-08", "day"),
    ("the talks ended on Thursday", WED, False, "2025-06-26", "2025-06-26", "day"),
    ("talks resume on Thursday", WED, True, "2025-07-03", "2025-07-03", "day"),
    ("in his address on Tuesday evening", WED, False, "2025-07-01", "2025-07-01", "day"),
    ("the meeting last Wednesday", WED, False, "2025-06-25", "2025-06-25", "day"),
    ("a summit next Monday", WED, False, "2025-07-07", "2025-07-07", "day"),
    ("the minister said today", WED, False, "2025-07-02", "2025-07-02", "day"),
    ("the strike yesterday", WED, False, "2025-07-01", "2025-07-01", "day"),
    ("a vote tomorrow", WED, False, "2025-07-03", "2025-07-03", "day"),
    ("he will speak tonight", WED, True, "2025-07-02", "2025-07-02", "day"),
    ("drones attacked last night", WED, False, "2025-07-01", "2025-07-01", "day"),
    ("the day before yesterday", WED, False, "2025-06-30", "2025-06-30", "day"),
    ("on Friday", JAN, False, "2024-01-12", "2024-01-12", "day"),
    ("met Zelensky in New York on Tuesday", SEP, False, "2025-09-23", "2025-09-23", "day"),
    # weeks, months and years relative to publication
    ("last week", WED, False, "2025-06-23", "2025-06-29", "range"),
    ("this week", WED, False, "2025-06-30", "2025-07-06", "range"),
    ("next week", WED, False, "2025-07-07", "2025-07-13", "range"),
    ("talks with the US next week", SEP, True, "2025-09-29", "2025-10-05", "range"),
    ("Earlier this week, the minister visited Kyiv", WED, False, "2025-06-30", "2025-07-02", "range"),
    ("earlier this week", JAN, False, "2024-01-15", "2024-01-15", "range"),
    ("later this week", WED, True, "2025-07-02", "2025-07-06", "range"),
    ("the institute said last month", WED, False, "2025-06-01", "2025-06-30", "month"),
    ("last month", SEP, False, "2025-08-01", "2025-08-31", "month"),
    ("this month", WED, False, "2025-07-01", "2025-07-31", "month"),
    ("next month", WED, True, "2025-08-01", "2025-08-31", "month"),
    ("next month", JAN, True, "2024-02-01", "2024-02-29", "month"),
    ("earlier this month", WED, False, "2025-07-01", "2025-07-02", "range"),
    ("a vote later this month", WED, True, "2025-07-02", "2025-07-31", "range"),
    ("later this month", JAN, True, "2024-01-15", "2024-01-31", "range"),
    ("last year", WED, False, "2024-01-01", "2024-12-31", "year"),
    ("last year", JAN, False, "2023-01-01", "2023-12-31", "year"),
    ("this year", WED, False, "2025-01-01", "2025-12-31", "year"),
    ("next year", WED, True, "2026-01-01", "2026-12-31", "year"),
    ("earlier this year", WED, False, "2025-01-01", "2025-07-02", "range"),
    ("later this year", WED, True, "2025-07-02", "2025-12-31", "range"),
    ("over the weekend", WED, False, "2025-06-28", "2025-06-29", "range"),
    # day and month, with and without a year
    ("a delegation will visit the US on September 30", SEP, True, "2025-09-30", "2025-09-30", "day"),
    ("on September 30", WED, False, "2025-09-30", "2025-09-30", "day"),
    ("by 30 September the shells arrive", WED, False, "2025-07-02", "2025-09-30", "range"),
    ("Kyiv, Jul 2 (AP)", WED, False, "2025-07-02", "2025-07-02", "day"),
    ("the meeting on June 30", WED, True, "2026-06-30", "2026-06-30", "day"),
    ("the parade on the 4th of July", WED, True, "2025-07-04", "2025-07-04", "day"),
    ("the strike on December 28", JAN, False, "2023-12-28", "2023-12-28", "day"),
    ("on February 24, 2022", WED, False, "2022-02-24", "2022-02-24", "day"),
    ("on 24 February 2022", WED, False, "2022-02-24", "2022-02-24", "day"),
    ("on Feb. 24, 2022", WED, False, "2022-02-24", "2022-02-24", "day"),
    ("on Thursday, February 24, 2022", WED, False, "2022-02-24", "2022-02-24", "day"),
    ("the drills on June 1-5", WED, False, "2025-06-01", "2025-06-05", "range"),
    ("from 10–12 March 2024", WED, False, "2024-03-10", "2024-03-12", "range"),
    ("between June 1 and June 5", WED, False, "2025-06-01", "2025-06-05", "range"),
    ("dated 2025-07-01", WED, False, "2025-07-01", "2025-07-01", "day"),
    # months, seasons and parts
    ("in March", WED, False, "2025-03-01", "2025-03-31", "month"),
    ("in November", WED, False, "2024-11-01", "2024-11-30", "month"),
    ("in November", WED, True, "2025-11-01", "2025-11-30", "month"),
    ("in December", JAN, False, "2023-12-01", "2023-12-31", "month"),
    ("last March", WED, False, "2025-03-01", "2025-03-31", "month"),
    ("next March", WED, True, "2026-03-01", "2026-03-31", "month"),
    ("in May", WED, False, "2025-05-01", "2025-05-31", "month"),
    ("in June 2022", WED, False, "2022-06-01", "2022-06-30", "month"),
    ("mid-July", WED, False, "2025-07-11", "2025-07-20", "range"),
    ("in early March", WED, False, "2025-03-01", "2025-03-10", "range"),
    ("at the end of May", WED, False, "2025-05-21", "2025-05-31", "range"),
    ("late 2024", WED, False, "2024-09-01", "2024-12-31", "range"),
    ("early 2023", WED, False, "2023-01-01", "2023-04-30", "range"),
    ("at the beginning of 2025", WED, False, "2025-01-01", "2025-01-31", "range"),
    ("last autumn", WED, False, "2024-09-01", "2024-11-30", "range"),
    ("this summer", WED, False, "2025-06-01", "2025-08-31", "range"),
    ("last winter", WED, False, "2024-12-01", "2025-02-28", "range"),
    ("this winter", JAN, False, "2023-12-01", "2024-02-29", "range"),
    ("this autumn", SEP, True, "2025-09-01", "2025-11-30", "range"),
    ("in the spring of 2023", WED, False, "2023-03-01", "2023-05-31", "range"),
    # years, ranges and "since"
    ("in 2024", WED, False, "2024-01-01", "2024-12-31", "year"),
    ("2022 was hard", WED, False, "2022-01-01", "2022-12-31", "year"),
    ("the year 2022", WED, False, "2022-01-01", "2022-12-31", "year"),
    ("Between March and April, the US allocated no new aid", WED, False, "2025-03-01", "2025-04-30", "range"),
    ("from March to May", WED, False, "2025-03-01", "2025-05-31", "range"),
    ("between November and February", WED, False, "2024-11-01", "2025-02-28", "range"),
    ("March-April 2025", WED, False, "2025-03-01", "2025-04-30", "range"),
    ("from 2022 to 2024", WED, False, "2022-01-01", "2024-12-31", "range"),
    ("in 2022-2024", WED, False, "2022-01-01", "2024-12-31", "range"),
    ("in 2022–24", WED, False, "2022-01-01", "2024-12-31", "range"),
    ("for the first time since June 2022", WED, False, "2022-06-01", "2025-07-02", "range"),
    ("since 2014", WED, False, "2014-01-01", "2025-07-02", "range"),
    ("since February 24, 2022", WED, False, "2022-02-24", "2025-07-02", "range"),
    ("in the 1990s", WED, False, "1990-01-01", "1999-12-31", "range"),
    # "ago"
    ("launched by Moscow nearly 3½ years ago", WED, False, "2022-01-01", "2022-02-28", "range"),
    ("three years ago", WED, False, "2022-01-01", "2022-12-31", "year"),
    ("two weeks ago", WED, False, "2025-06-16", "2025-06-22", "range"),
    ("5 days ago", WED, False, "2025-06-27", "2025-06-27", "day"),
    ("a year ago", WED, False, "2024-07-01", "2024-07-31", "month"),
    ("six months ago", WED, False, "2025-01-01", "2025-01-31", "month"),
    ("more than two months ago", WED, False, "2025-04-01", "2025-05-31", "range"),
    # deadlines, quarters, halves, fiscal years
    ("by the end of the year", WED, True, "2025-07-02", "2025-12-31", "range"),
    ("by the end of 2025", WED, True, "2025-07-02", "2025-12-31", "range"),
    ("by the end of next year", JAN, True, "2024-01-15", "2025-12-31", "range"),
    ("by March", WED, True, "2025-07-02", "2026-03-31", "range"),
    ("by 2027", WED, True, "2025-07-02", "2027-12-31", "range"),
    ("in the first quarter", WED, False, "2025-01-01", "2025-03-31", "range"),
    ("in the fourth quarter", SEP, True, "2025-10-01", "2025-12-31", "range"),
    ("in Q3 2025", WED, False, "2025-07-01", "2025-09-30", "range"),
    ("the fourth quarter of 2024", WED, False, "2024-10-01", "2024-12-31", "range"),
    ("the third quarter of next year", WED, True, "2026-07-01", "2026-09-30", "range"),
    ("in fiscal year 2026", WED, False, "2025-10-01", "2026-09-30", "range"),
    ("the FY2026 budget", WED, False, "2025-10-01", "2026-09-30", "range"),
    ("FY 2024", WED, False, "2023-10-01", "2024-09-30", "range"),
    ("next fiscal year", SEP, True, "2025-10-01", "2026-09-30", "range"),
    ("this fiscal year", SEP, False, "2024-10-01", "2025-09-30", "range"),
    ("the first half of 2025", WED, False, "2025-01-01", "2025-06-30", "range"),
    ("in the second half of the year", WED, True, "2025-07-01", "2025-12-31", "range"),
    ("in H2 2025", WED, True, "2025-07-01", "2025-12-31", "range"),
    # windows
    ("within the next two weeks", WED, True, "2025-07-02", "2025-07-16", "range"),
    ("over the next three years", WED, True, "2025-07-02", "2028-07-02", "range"),
    ("in the coming days", WED, True, "2025-07-02", "2025-07-09", "range"),
    ("in the coming months", WED, True, "2025-07-02", "2026-01-02", "range"),
    ("over the past week", WED, False, "2025-06-25", "2025-07-02", "range"),
    ("over the past two years", WED, False, "2023-07-02", "2025-07-02", "range"),
    ("in two weeks", WED, True, "2025-07-16", "2025-07-16", "day"),
    ("three weeks from now", WED, True, "2025-07-23", "2025-07-23", "day"),
]


@pytest.mark.parametrize(("words", "published", "future", "start", "end", "precision"), CASES,
                         ids=[c[0] for c in CASES])
def test_time_expression(words, published, future, start, end, precision):
    spans = find_times(words, published, future)
    assert len(spans) == 1, spans
    span = spans[0]
    assert (span.start, span.end, span.precision) == (start, end, precision)
    assert span.offset is not None and words[span.offset[0]:span.offset[1]] == span.text


def test_table_is_big_enough():
    assert len(CASES) >= 80


@pytest.mark.parametrize("words", [
    "The 2000 troops and Mirage 2000 jets arrived.",
    "Ukraine may get more 155mm shells.",
    "A march on the capital was planned.",
    "They sent 2024 drones to the front.",
    "Patriot systems cost $1.1 billion each.",
    "Resolution 2022 passed.",
])
def test_not_times(words):
    assert find_times(words, WED) == []


def test_several_expressions_in_order_with_offsets():
    s = "For the first time since June 2022, European countries surpassed the US, the institute said last month."
    spans = find_times(s, WED)
    assert [x.text for x in spans] == ["since June 2022", "last month"]
    assert [s[x.offset[0]:x.offset[1]] for x in spans] == ["since June 2022", "last month"]


def test_without_publication_date_only_absolute_times():
    spans = find_times("On February 24, 2022, and again last month and on Tuesday", None)
    assert [(x.start, x.precision) for x in spans] == [("2022-02-24", "day")]


# --------------------------------------------------------------------------- resolve_time


def test_resolve_time_keeps_the_words():
    span = resolve_time("on September 30", SEP, future=True)
    assert span is not None
    assert (span.start, span.end, span.precision, span.text) == ("2025-09-30", "2025-09-30", "day", "on September 30")


def test_resolve_time_falls_back_to_dateparser():
    # no rule of ours reads these; dateparser does, relative to the publication date
    span = resolve_time("the 3rd of next month", WED)
    assert span is not None and (span.start, span.precision) == ("2025-08-03", "day")
    span = resolve_time("a fortnight ago", WED)
    assert span is not None and span.start <= "2025-06-18" <= span.end
    span = resolve_time("in a fortnight", WED, future=True)
    assert span is not None and span.start <= "2025-07-16" <= span.end


def test_resolve_time_prefers_rules():
    span = resolve_time("in 2024", WED)
    assert span is not None and (span.start, span.end, span.precision, span.text) == (
        "2024-01-01", "2024-12-31", "year", "in 2024")


def test_resolve_time_without_publication_date_refuses_relative_words():
    assert resolve_time("the 3rd of next month", None) is None
    span = resolve_time("Tue, 1 Jul 2025", None)
    assert span is not None and span.start == "2025-07-01"


def test_resolve_time_nonsense_is_none():
    assert resolve_time("the day the music died", WED) is None


# --------------------------------------------------------------------------- event_date


def test_event_takes_reporting_date_when_it_has_no_time_of_its_own():
    s = ("The US is halting some weapons deliveries to Ukraine out of concern that its own "
         "stockpiles have declined too far, officials said Tuesday.")
    speech = (s.index("officials"), len(s) - 1)
    span = event_date(s, WED, "day", speech_span=speech)
    assert (span.start, span.end, span.precision, span.text) == ("2025-07-01", "2025-07-01", "day", "Tuesday")


def test_event_time_beats_reporting_time():
    s = "Olha Stefanishyna said on Wednesday a delegation will visit the US on September 30."
    speech = (0, s.index(" a delegation"))
    span = event_date(s, SEP, "day", future=True, speech_span=speech)
    assert (span.start, span.text) == ("2025-09-30", "September 30")


def test_event_without_any_time_takes_publication_date():
    span = event_date("Germany aims to help Ukraine manufacture more weapons.", WED, "day")
    assert (span.start, span.end, span.precision, span.text) == ("2025-07-02", "2025-07-02", "day", None)


def test_publication_precision_month_spans_the_month():
    span = event_date("Germany aims to help Ukraine manufacture more weapons.", date(2025, 7, 1), "month")
    assert (span.start, span.end, span.precision, span.text) == ("2025-07-01", "2025-07-31", "month", None)


def test_no_publication_date_and_no_absolute_time_is_empty():
    span = event_date("Officials said Tuesday the aid would continue.", None, None)
    assert (span.start, span.end, span.precision, span.text) == (None, None, None, None)


def test_no_publication_date_but_an_absolute_time():
    span = event_date("Russia invaded on February 24, 2022.", None, None)
    assert (span.start, span.precision) == ("2022-02-24", "day")


def test_publication_span_year():
    span = publication_span(date(2025, 1, 1), "year")
    assert (span.start, span.end, span.precision) == ("2025-01-01", "2025-12-31", "year")


# ---------------------------------------------------------------------- pattern guards


def _shared_sentences(shared) -> list[str]:  # noqa: ANN001 - the session fixture's Path
    import json
    import re

    texts = [p.read_text(encoding="utf-8") for p in (*sorted((shared / "acceptance" / "news_dev").glob("d*.txt")),
                                                      *sorted((shared / "seeds").glob("*.txt")))]
    for name in ("acceptance/plover_gsr_dev_input.jsonl", "data/voa/voa_stories.jsonl"):
        texts += [json.loads(line)["text"] for line in (shared / name).read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    # sentences roughly (the guards see any text): lines, then after a full stop
    return [s for text in texts for line in text.splitlines() for s in re.split(r"(?<=\.)\s+", line) if s.strip()]


def test_guards_skip_only_patterns_that_cannot_match(shared) -> None:  # noqa: ANN001
    """A pattern is skipped only when the sentence lacks every word it needs: the expressions
    found are those of all patterns searched, on every shared sentence (news, seeds, PLOVER, VOA)."""
    from aidtrace.extract.when import _base_times, _Ctx

    sentences = _shared_sentences(shared)
    assert len(sentences) > 3000
    hostile = ["last ſummer", "two dayſ ago", "last wee\u212a", "Q\u0663 2025", "in \u0662\u0660\u0662\u0664",
               "FY'24 and the coming monthſ", "SEPTEMBER 3", "March5 2024", "the 1990s", "H1 2025"]
    skipped = 0
    for sentence in sentences + hostile:
        for ctx in (_Ctx(SEP, False), _Ctx(SEP, True), _Ctx(None, False)):
            assert _base_times(sentence, ctx) == _base_times(sentence, ctx, guarded=False), sentence
    from aidtrace.extract.when import _rules, _Words

    for sentence in sentences:
        words = _Words(sentence)
        skipped += sum(not rule.may_match(words) for rule in _rules())
    assert skipped > len(sentences) * 8  # most patterns are skipped for most sentences


def test_letters_a_case_insensitive_search_equates_with_ascii_are_read() -> None:
    """"ſummer" (long s) and "weeK" (Kelvin sign) match the patterns; their words resolve
    instead of failing the document's analysis."""
    assert [t.start for t in find_times("last ſummer", SEP)] == ["2025-06-01"]
    assert [t.start for t in find_times("two dayſ ago", SEP)] == ["2025-09-22"]
    assert [t.text for t in find_times("said last wee\u212a", SEP)] == ["last wee\u212a"]
