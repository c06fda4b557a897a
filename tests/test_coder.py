"""Event coder on hand-written sentences (our own words), through the real spaCy pipeline.

Each case: a text, its publication date, and what must (or must not) come out.
"""

from __future__ import annotations

import pytest

from aidtrace.model import Event
from aidtrace.pipeline import code_text


def codes(roles: list) -> set[str]:
    return {c for r in roles for c in (r.entity.country, r.entity.org) if c}


def coded(text: str, date: str = "2025-03-12") -> list[Event]:
    _, events, _ = code_text(text, date=date)
    return events


def one(text: str, etype: str, date: str = "2025-03-12") -> Event:
    events = [e for e in coded(text, date) if e.type == etype]
    assert events, f"no {etype} event in {[(e.type, e.evidence.trigger) for e in coded(text, date)]}"
    return events[0]


# (text, type, actor codes that must be present, recipient codes that must be present)
CASES = [
    ("Germany sent 40 Marder infantry fighting vehicles to Ukraine last month.", "AID", {"DEU"}, {"UKR"}),
    ("The Netherlands delivered the first F-16 jets to Ukraine on Monday.", "AID", {"NLD"}, {"UKR"}),
    ("The Pentagon suspended deliveries of artillery shells to Ukraine on Tuesday.", "SANCTION", {"USA"}, {"UKR"}),
    ("Poland's president met his Lithuanian counterpart in Vilnius on Friday.", "CONSULT", {"POL"}, {"LTU"}),
    ("Chancellor Olaf Scholz spoke by telephone with Chinese President Xi Jinping on Monday.", "CONSULT", {"DEU"},
     set()),
    ("Hungary's foreign minister criticised the European Union over its sanctions policy.", "ACCUSE", {"HUN"},
     {"EU"}),
    ("Lithuania expelled three Russian diplomats on Wednesday.", "SANCTION", {"LTU"}, {"RUS"}),
    ("Ukraine demanded that Russia withdraw its troops from the Zaporizhzhia nuclear plant.", "REQUEST",
     {"UKR"}, {"RUS"}),
    ("Moldova rejected a Russian offer of discounted gas.", "REJECT", {"MDA"}, set()),
    ("Russian forces shelled the Ukrainian city of Kharkiv overnight.", "ASSAULT", {"RUS"}, {"UKR"}),
    ("Japan praised South Korea for its decision to join the sanctions.", "SUPPORT", {"JPN"}, {"KOR"}),
]


@pytest.mark.parametrize(("text", "etype", "actor", "recipient"), CASES)
def test_event_type_and_roles(text: str, etype: str, actor: set[str], recipient: set[str]) -> None:
    event = one(text, etype)
    assert actor <= codes(event.actor), event
    assert recipient <= codes(event.recipient), event


def test_future_aid_is_agree_with_planned_or_pledged_status() -> None:
    event = one("Sweden will send Archer howitzers to Ukraine next month.", "AGREE")
    assert event.modality == "future"
    assert event.status in ("planned", "pledged")
    assert "military" in event.context


def test_pledge_is_agree_pledged_with_value_in_euros() -> None:
    event = one("Germany pledged 500 million euros in military aid to Ukraine on Tuesday.", "AGREE")
    assert event.status == "pledged"
    assert event.value is not None and event.value.currency == "EUR"
    assert event.value.amount == pytest.approx(500_000_000)


def test_negated_aid_is_marked_negated() -> None:
    event = one("In February, France sent no new weapons to Ukraine.", "AID")
    assert event.negated


def test_halt_of_aid_is_sanction_discontinue_military_halted() -> None:
    event = one("Washington paused shipments of air defence missiles to Kyiv.", "SANCTION")
    assert event.mode == "discontinue"
    assert "military" in event.context
    assert event.status == "halted"
    assert codes(event.actor) == {"USA"} and codes(event.recipient) == {"UKR"}


def test_reported_speech_codes_the_reported_actor_and_keeps_the_speaker() -> None:
    event = one("Officials in Kyiv said that Denmark had delivered more drones to Ukraine.", "AID")
    assert codes(event.actor) == {"DNK"}
    assert event.attribution is not None


def test_phone_call_lists_both_parties_and_weekday_date() -> None:
    event = one("Finnish President Alexander Stubb and Estonian Prime Minister Kristen Michal held a phone call "
                "on Monday.", "CONSULT", date="2025-03-12")
    assert event.mode == "phone"
    assert {"FIN", "EST"} <= codes(event.actor) | codes(event.recipient)
    assert event.date is not None and event.date.start == "2025-03-10"


def test_hypothetical_supply_is_not_coded() -> None:
    events = coded("Analysts say Spain could send more tanks to Ukraine if its stocks allow.")
    assert not [e for e in events if e.type in ("AID", "AGREE")]


def test_restated_halt_is_one_event_with_extra_evidence() -> None:
    text = ("The United States halted some weapons deliveries to Ukraine, officials said.\n\n"
            "Analysts were surprised.\n\n"
            "The United States halted some weapons deliveries to Ukraine because its stocks are low.")
    events = [e for e in coded(text) if e.type == "SANCTION"]
    assert len(events) == 1
    assert events[0].evidence.extra


def test_background_since_clause_is_historical() -> None:
    events = coded("Poland has backed its neighbour since Russia invaded Ukraine in February 2022.")
    assault = [e for e in events if e.type == "ASSAULT"]
    assert assault and assault[0].modality == "historical"


def test_statistic_from_a_tracker_is_a_claim_not_aid() -> None:
    text = ("Nordic countries have provided 20 billion euros in military aid in total since 2022, "
            "according to the Kiel Institute.")
    doc, events, claims = code_text(text, date="2025-03-12")
    assert claims, "the statistic must be a claim"
    assert claims[0].value.currency == "EUR"
    assert claims[0].reported_by is not None
    assert not [e for e in events if e.type == "AID" and not e.negated]


def test_unrelated_sentence_gives_no_event() -> None:
    assert coded("The weather in Lviv was cold and the markets were busy.") == []


def test_a_company_of_the_actors_country_deep_in_the_object_is_not_the_addressee() -> None:
    event = one("Kyiv asks its partners to pay for weapons made by Ukrainian manufacturers.", "REQUEST",
                date="2025-07-24")
    assert codes(event.actor) == {"UKR"}
    assert "UKR" not in codes(event.recipient)


def test_threat_target_is_the_subject_of_the_unless_clause() -> None:
    event = one("Farmers in Estonia threatened to block the border crossings unless Latvia lifts its new tariffs.",
                "THREATEN")
    assert "LVA" in codes(event.recipient)


def test_a_reporters_question_is_not_a_request() -> None:
    assert not [e for e in coded("Asked by a reporter whether he would back off, the US president said no.")
                if e.type == "REQUEST"]
    event = one("Poland asked Germany to send more tanks.", "REQUEST")
    assert codes(event.recipient) == {"DEU"}


def test_a_dated_visit_after_publication_is_a_planned_agree() -> None:
    event = one("A Ukrainian delegation visits Washington on September 30 for talks on drones.", "AGREE",
                date="2025-09-24")
    assert event.modality == "future" and event.status == "planned"
    assert event.date is not None and event.date.start == "2025-09-30"


def test_later_on_a_past_day_is_not_the_future() -> None:
    event = one("Later on Monday, the Saudi foreign minister met with Rubio in Jeddah.", "CONSULT")
    assert event.modality == "asserted"


def test_money_given_is_aid_with_its_value() -> None:
    event = one("France contributed a million euros to Germany.", "AID")
    assert codes(event.recipient) == {"DEU"}
    assert event.value is not None and event.value.amount == pytest.approx(1_000_000)


@pytest.mark.parametrize("text", [
    "Three men who hail from China were freed on Monday.",
    "An offensive launched by forces in Somalia has met with surprising resistance.",
])
def test_words_that_only_look_like_triggers_give_no_event(text: str) -> None:
    assert not [e for e in coded(text) if e.type in ("SUPPORT", "CONSULT")]


def test_attacking_a_newspaper_is_criticism_not_assault() -> None:
    events = coded("The US president also attacked The Wall Street Journal newspaper on Friday.")
    assert [e.type for e in events] == ["ACCUSE"]


def test_a_participle_takes_its_patient_as_recipient() -> None:
    event = one("A senior Islamic State leader is dead, killed in an airstrike in Iraq.", "ASSAULT")
    assert "ISIS" in codes(event.recipient) or "IRQ" in codes(event.recipient)
    assert "ISIS" not in codes(event.actor)


def test_an_accusation_is_one_event_not_also_its_content() -> None:
    events = coded("Chinese activists have accused the company of supporting government propaganda.")
    assert [e.type for e in events] == ["ACCUSE"]


def test_a_participle_detailing_an_attack_is_the_same_event() -> None:
    events = coded("Syrian rebels shelled the city of Aleppo on Sunday, killing about 20 people.")
    assert [e.type for e in events] == ["ASSAULT"]


def test_domestic_investigation_keeps_the_same_country_as_target() -> None:
    event = one("Croatia is investigating Croatian extremists over alleged war crimes.", "ACCUSE")
    assert codes(event.recipient) == {"HRV"}


def test_discussing_in_a_phone_call_is_a_phone_consultation() -> None:
    event = one("Polish President Andrzej Duda and Lithuanian President Gitanas Nauseda discussed air defence "
                "in a phone call on Monday.", "CONSULT")
    assert event.mode == "phone"


def test_object_control_and_obligation() -> None:
    events = coded("Washington now has to convince Russia to accept the ceasefire.")
    assert not [e for e in events if e.type == "AGREE"]


def test_the_two_sides_are_the_storys_main_parties() -> None:
    text = ("American and Ukrainian officials met in Jeddah on Tuesday. The United States will resume aid to "
            "Ukraine, the statement said. Ukraine accepted a ceasefire proposal. Officials said it was now for "
            "Russia to respond.\n\nThe two sides also agreed to conclude a minerals deal.")
    events = [e for e in coded(text) if e.evidence.sentence.startswith("The two sides")]
    assert events and codes(events[0].actor) == {"USA", "UKR"}


def test_an_aid_pledge_without_a_stated_recipient_goes_to_the_articles_main_recipient() -> None:
    text = ("Britain will send Ukraine a new military package worth 150 million pounds. "
            "Britain also said it would provide further funding for air defence missiles.")
    events = [e for e in coded(text) if "further funding" in e.evidence.sentence]
    assert events and codes(events[0].recipient) == {"UKR"}


@pytest.mark.parametrize("text", [
    "The first vaccines purchased by the government arrived in Manila on March 29.",
    "The minister must appear before the committee on March 27 in the capital.",
    "On March 24, the interior minister announced that Kenya would close the camps.",
])
def test_a_trigger_noun_that_is_a_word_of_a_date_is_no_event(text: str) -> None:
    """"on March 29" is a date, not a march (a noun trigger inside a time expression)."""
    _, events, _ = code_text(text, date="2025-04-02")
    assert [e for e in events if e.evidence.trigger.lower() == "march"] == []


def test_the_same_noun_outside_a_date_is_still_an_event() -> None:
    _, events, _ = code_text("Thousands joined a march in Manila on Sunday to protest against China.",
                             date="2025-04-02")
    assert ("PROTEST", "march") in [(e.type, e.evidence.trigger) for e in events]


# A subject that is an event noun names its target in a prepositional phrase ("the attack on X",
# "the shelling of X"): an entity there is whom the act was aimed at, never who did it.
TARGET_NOT_ACTOR = [
    ("The attack on a Turkish convoy killed four soldiers, officials said.", "TUR"),
    ("A drone strike on an Iranian-backed militia camp killed three fighters.", "IRN"),
    ("The shelling of a Georgian border post wounded two guards on Sunday.", "GEO"),
]


@pytest.mark.parametrize(("text", "target"), TARGET_NOT_ACTOR)
def test_target_of_an_event_noun_subject_is_not_the_actor(text: str, target: str) -> None:
    for event in coded(text):
        assert target not in codes(event.actor), event


def test_event_noun_target_still_names_the_recipient() -> None:
    # the same phrase under an object keeps giving the recipient, and a named attacker stays the actor
    event = one("Al-Shabaab fighters launched an assault on a joint Kenyan-U.S. base near the coast.", "ASSAULT")
    assert "KEN" in codes(event.recipient), event
    assert "KEN" not in codes(event.actor), event
    strikes = one("Israel's strikes on Iranian nuclear sites drew condemnation.", "ASSAULT")
    assert codes(strikes.actor) == {"ISR"} and "IRN" in codes(strikes.recipient), strikes


# Verbs with a second, non-event sense: "decline" also means falling, "pull ahead" gaining ground.
NOT_AN_EVENT = [
    ("Japan's population continues to decline as incomes fall.", "REJECT"),
    ("Exports to China declined sharply in March.", "REJECT"),
    ("Chinese companies are already pulling ahead in the robotics race.", "RETREAT"),
]


@pytest.mark.parametrize(("text", "etype"), NOT_AN_EVENT)
def test_other_sense_of_an_event_verb_codes_nothing(text: str, etype: str) -> None:
    assert etype not in [e.type for e in coded(text)]


EVENT_SENSE_KEPT = [
    ("Hungary declined an invitation to the summit in Kyiv.", "REJECT", "HUN"),
    ("Poland's foreign ministry declined to join the declaration.", "REJECT", "POL"),
    ("Russia pulled its troops back from the border.", "RETREAT", "RUS"),
    ("The United States pulled out of the nuclear deal in 2018.", "RETREAT", "USA"),
]


@pytest.mark.parametrize(("text", "etype", "actor"), EVENT_SENSE_KEPT)
def test_event_sense_of_the_same_verbs_is_kept(text: str, etype: str, actor: str) -> None:
    assert actor in codes(one(text, etype).actor)
