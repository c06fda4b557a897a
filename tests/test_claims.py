"""Claims on hand-written sentences (our own words), through the real spaCy pipeline.

A statistic is a claim with its subject, value and period; it is never also an aid event.
A new pledge or delivery stays an event, even with a number in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aidtrace.model import Claim, Event, Quantity
from aidtrace.pipeline import code_text


def codes(roles: list) -> set[str]:
    return {c for r in roles for c in (r.entity.country, r.entity.org) if c}


def analyse(text: str, date: str = "2025-05-20") -> tuple[list[Event], list[Claim]]:
    _, events, claims = code_text(text, date=date)
    return events, claims


def aid_events(events: list[Event]) -> list[Event]:
    return [e for e in events if e.type in ("AID", "AGREE") and not e.negated]


# (text, subject codes, amount, currency or None for a counted quantity)
CLAIMS = [
    # a construction makes the amount a total
    ("Denmark pledged 150 million euros on Monday, bringing its total support for Ukraine to 8.4 billion euros.",
     {"DNK"}, 8.4e9, "EUR"),
    ("Since the start of the invasion, Canadian military support has reached 4 billion dollars.",
     {"CAN"}, 4e9, "USD"),
    ("Spain's commitments remain unchanged at 700 million euros.", {"ESP"}, 7e8, "EUR"),
    ("This is close to the French total of 3.2 billion euros.", {"FRA"}, 3.2e9, "EUR"),
    ("The new trucks bring the total value of Norway's assistance to Kyiv to over 2 billion dollars.",
     {"NOR"}, 2e9, "USD"),
    # a running figure
    ("Italy has sent military aid worth more than 1.5 billion euros to Ukraine so far.", {"ITA"}, 1.5e9, "EUR"),
    ("The Netherlands has given Ukraine about 3 billion euros in weapons since February 2022.",
     {"NLD"}, 3e9, "EUR"),
    ("The Baltic states have together supplied nearly 1 billion euros in arms to date.", set(), 1e9, "EUR"),
    ("Washington has committed more than $60 billion in security assistance to Kyiv.", {"USA"}, 60e9, "USD"),
    # a period
    ("Between March 2022 and May 2025, Poland delivered weapons worth 4 billion euros to Ukraine.",
     {"POL"}, 4e9, "EUR"),
    ("In April and May alone, Nordic donors allocated 2.5 billion euros in military aid.", set(), 2.5e9, "EUR"),
    # published figures
    ("Japan allocated about 600 million dollars in new aid, the study notes.", {"JPN"}, 6e8, "USD"),
    # counted quantities
    ("Poland has delivered more than 300 tanks to Ukraine since the war began.", {"POL"}, 300, None),
    ("Intelligence officials estimated that Iran has shipped as many as 400 drones to Russia.",
     {"IRN"}, 400, None),
]


@pytest.mark.parametrize(("text", "subject", "amount", "currency"), CLAIMS)
def test_statistics_are_claims_with_subject_and_value(text: str, subject: set[str], amount: float,
                                                     currency: str | None) -> None:
    events, claims = analyse(text)
    found = [c for c in claims if abs(c.value.amount - amount) <= 0.01 * amount]
    assert found, f"no claim of {amount} in {[(c.value.amount, c.value.text) for c in claims]}"
    claim = found[0]
    assert subject <= codes(claim.subject), claim.subject
    if currency is None:
        assert isinstance(claim.value, Quantity)
    else:
        assert getattr(claim.value, "currency", None) == currency
    # the statistic is never counted as aid as well
    assert not [e for e in aid_events(events) if e.value and abs(e.value.amount - amount) <= 0.01 * amount]


# (text, type of the event that must remain)
EVENTS = [
    "Germany pledged 500 million euros in new military aid to Ukraine on Tuesday.",
    "The United States announced a new $400 million weapons package for Ukraine.",
    "At the meeting, Norway pledged a total of 3 billion euros for Ukraine's air defence.",
    "Sweden will send 10 Archer howitzers to Ukraine next month.",
    "Britain has pledged an additional 200 million pounds for drones.",
]


@pytest.mark.parametrize("text", EVENTS)
def test_new_aid_with_an_amount_stays_an_event(text: str) -> None:
    events, claims = analyse(text)
    assert aid_events(events), f"no aid event; claims: {[(c.value.text, c.measure) for c in claims]}"
    assert not claims


def test_a_pledge_and_the_total_it_brings_are_an_event_and_a_claim() -> None:
    events, claims = analyse("Latvia pledged 20 million euros on Friday, bringing its military aid to "
                             "Ukraine to 600 million euros.")
    assert [e.value.amount for e in aid_events(events) if e.value] == [20e6]
    assert [c.value.amount for c in claims] == [600e6]


def test_a_figure_restated_in_one_article_is_one_claim() -> None:
    text = ("Finland has sent military aid worth more than 2 billion euros since 2022. "
            "Helsinki's deliveries have now reached 2 billion euros in all, officials said.")
    _, claims = analyse(text)
    assert len(claims) == 1
    assert claims[0].evidence.extra, "the restatement is kept as extra evidence"


def test_a_pronoun_subject_takes_the_party_named_before() -> None:
    text = "Belgium's weapon commitments have not grown for months. They stand at 1.1 billion euros."
    _, claims = analyse(text)
    assert claims and codes(claims[0].subject) == {"BEL"}


def test_a_speaker_is_the_subject_of_its_own_statistic() -> None:
    text = "The Czech government said it had delivered 1.5 million rounds of ammunition to Ukraine so far."
    _, claims = analyse(text)
    assert claims and codes(claims[0].subject) == {"CZE"}
    assert isinstance(claims[0].value, Quantity) and claims[0].value.unit == "round"


def test_numbers_that_are_not_amounts_give_no_claim() -> None:
    _, claims = analyse("Since 2022, Channel 12 has reported on the war 24 hours a day, about 3 times a week.")
    assert claims == []


def test_a_figure_someone_observed_belongs_to_what_was_counted() -> None:
    _, claims = analyse("Tokyo spotted more than 2,000 containers being loaded at the Chinese port of Dalian "
                        "since early 2024, Tokyo said.", "2025-03-10")
    claim = next(c for c in claims if isinstance(c.value, Quantity))
    assert codes(claim.subject) == {"CHN"}
    assert claim.reported_by is not None and claim.reported_by.entity.country == "JPN"


def test_the_amount_hint_skips_only_what_needs_a_digit_or_a_sign(shared: Path) -> None:
    """Without a digit or a currency sign only a currency's code or name can hint at an amount:
    the same answers as searching every pattern, on the shared stories and hostile spellings."""
    import json
    import re

    from aidtrace.extract import claims as rules

    texts = [json.loads(line)["text"] for line in
             (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared / "acceptance" / "news_dev").glob("d*.txt"))]
    sentences = [s for text in texts for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]
    sentences += ["billions of DOLLARS", "hryvn\u0130as", "poundſ", "UAH", "eur", "\u0663\u0660 tanks", "12 tanks",
                  "¥", "$", "3 percent", "no amount here"]

    def every_pattern(text: str) -> bool:
        return rules._MONEY_HINT.search(text) is not None or rules._COUNT_HINT.search(text) is not None

    assert [s for s in sentences if rules.has_amount_hint(s) != every_pattern(s)] == []
    assert sum(map(rules.has_amount_hint, sentences)) > 300
