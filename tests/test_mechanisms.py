"""The coder's mechanisms for real news, one group of hand-written cases each (our own words),
through the real spaCy pipeline. These guard the general rules of docs/CODING.md; none of the
sentences comes from an article of the development sets.
"""

from __future__ import annotations

from datetime import date

import pytest

from aidtrace.model import Event
from aidtrace.pipeline import code_text


def codes(roles: list) -> set[str]:
    return {c for r in roles for c in (r.entity.country, r.entity.org) if c}


def coded(text: str, date: str = "2025-03-12") -> list[Event]:
    _, events, _ = code_text(text, date=date)
    return events


def of_type(events: list[Event], *types: str) -> list[Event]:
    return [e for e in events if e.type in types and not e.negated]


def the(events: list[Event], *types: str) -> Event:
    found = of_type(events, *types)
    assert found, f"no {types} in {[(e.type, codes(e.actor), codes(e.recipient), e.evidence.trigger) for e in events]}"
    return found[0]


# ---------------------------------------------------------------------- headlines


@pytest.mark.parametrize(("text", "actor", "recipient"), [
    ("Norway to send air defence systems to Ukraine", {"NOR"}, {"UKR"}),
    ("Finland, Estonia and Latvia to fund drones for Ukraine", {"FIN", "EST", "LVA"}, {"UKR"}),
])
def test_a_headline_infinitive_is_a_pledge_of_everyone_named_before_it(text: str, actor: set[str],
                                                                        recipient: set[str]) -> None:
    event = the(coded(text), "AGREE")
    assert actor <= codes(event.actor) and recipient <= codes(event.recipient)
    assert event.modality == "future" and event.status == "pledged"


def test_the_headline_and_the_lede_are_one_event() -> None:
    text = ("Spain to send Leopard tanks to Ukraine\n\n"
            "MADRID (Reuters) - Spain will send ten Leopard tanks to Ukraine, its defence minister said on Monday.")
    events = of_type(coded(text), "AID", "AGREE")
    assert len(events) == 1
    assert events[0].evidence.extra, "the lede is kept as extra evidence"


# ---------------------------------------------------------------------- meetings


def test_a_meeting_round_a_clause_is_a_visit_to_the_host() -> None:
    event = the(coded("At a meeting in Vilnius with his Lithuanian counterpart, the Polish defence minister "
                      "announced new air-defence drills."), "CONSULT")
    assert codes(event.actor) == {"POL"} and codes(event.recipient) == {"LTU"}
    assert event.mode == "visit"


def test_a_statement_made_in_a_call_is_addressed_to_the_party_called() -> None:
    events = coded("Rustem Umerov, in a telephone call with his American counterpart Lloyd Austin on Friday, "
                   "stressed the need for more air defence for Ukraine.", date="2024-03-30")
    call = the(events, "CONSULT")
    assert call.mode == "phone" and codes(call.recipient) == {"USA"}
    assert codes(the(events, "REQUEST").recipient) == {"USA"}


@pytest.mark.parametrize(("date", "parties"), [
    ("2024-05-20", {"USA", "UKR", "NATO"}),
    ("2025-06-20", {"GBR", "DEU", "UKR", "NATO"}),
])
def test_a_forum_stands_for_those_who_convene_it_on_the_day(date: str, parties: set[str]) -> None:
    event = the(coded("Defence ministers gathered in Brussels following a meeting of the Ukraine Defense "
                      "Contact Group.", date=date), "CONSULT")
    assert parties <= codes(event.actor) | codes(event.recipient)
    assert event.mode == "multilateral"


def test_the_host_of_a_meeting_is_its_recipient() -> None:
    event = the(coded("Chancellor Olaf Scholz met Polish President Andrzej Duda in Berlin on Tuesday.",
                      date="2023-06-14"), "CONSULT")
    assert codes(event.actor) == {"POL"} and codes(event.recipient) == {"DEU"}


def test_an_officials_journey_to_a_country_is_a_visit() -> None:
    event = the(coded("On Sunday the Finnish foreign minister left for Japan on a working visit."), "CONSULT")
    assert codes(event.actor) == {"FIN"} and codes(event.recipient) == {"JPN"} and event.mode == "visit"


# ---------------------------------------------------------------------- aid from the receiving end


@pytest.mark.parametrize(("text", "etype", "actor", "recipient"), [
    ("Lithuania took delivery of two NASAMS batteries from Norway.", "AID", {"NOR"}, {"LTU"}),
    ("Moldova will receive armoured vehicles from Germany next month.", "AGREE", {"DEU"}, {"MDA"}),
    ("Four F-16 jets arrived in Romania from the Netherlands on Monday.", "AID", {"NLD"}, {"ROU"}),
    ("Kenya received a shipment of rifles from Turkey.", "AID", {"TUR"}, {"KEN"}),
])
def test_the_giver_is_the_from_party(text: str, etype: str, actor: set[str], recipient: set[str]) -> None:
    event = the(coded(text), etype)
    assert codes(event.actor) == actor and codes(event.recipient) == recipient


def test_receiving_with_no_giver_named_is_not_coded() -> None:
    assert not of_type(coded("Ukraine has received its first Gripen jets."), "AID", "AGREE")


# ---------------------------------------------------------------------- the article's recipient


def test_aid_with_no_recipient_takes_the_articles() -> None:
    text = ("Canada pledged 500 million dollars in military aid to Ukraine on Monday. "
            "Norway also earmarked 200 million euros for air defence.")
    norway = [e for e in coded(text) if codes(e.actor) == {"NOR"}]
    assert norway and codes(norway[0].recipient) == {"UKR"}
    assert norway[0].confidence < 0.8


def test_no_recipient_is_invented_without_an_aid_focus() -> None:
    assert not of_type(coded("Norway earmarked 200 million euros for its own air defence."), "AID")


def test_an_unnamed_group_of_backers_gives_to_whom_it_backs() -> None:
    event = the(coded("At the meeting, Ukraine's allies pledged 3 billion euros for artillery shells."), "AGREE")
    assert codes(event.recipient) == {"UKR"} and not codes(event.actor)


# ---------------------------------------------------------------------- deals and joint production


@pytest.mark.parametrize(("text", "parties", "status"), [
    ("Poland signed a contract with South Korea on Friday for 180 more tanks.", {"POL", "KOR"}, "completed"),
    ("Sweden and Ukraine signed a letter of intent to purchase Gripen fighters.", {"SWE", "UKR"}, "planned"),
])
def test_a_defence_deal_signed_is_an_agreement_of_both_parties(text: str, parties: set[str], status: str) -> None:
    event = the(coded(text), "AGREE", "COOPERATE")
    assert parties <= codes(event.actor)
    assert event.status == status


def test_joint_production_is_cooperation_of_both() -> None:
    event = the(coded("Japan and the United States will jointly produce interceptor missiles."), "AGREE", "COOPERATE")
    assert {"JPN", "USA"} <= codes(event.actor)


def test_a_joint_venture_formed_is_cooperation() -> None:
    event = the(coded("Germany and Ukraine have formed a joint venture to produce artillery shells."),
                "COOPERATE", "AGREE")
    assert {"DEU", "UKR"} <= codes(event.actor)


def test_a_treaty_of_friendship_stays_support() -> None:
    assert the(coded("Chile and Peru signed a treaty of friendship on Monday."), "SUPPORT")


# ---------------------------------------------------------------------- whose clause


def test_the_main_clause_actor_is_not_taken_from_a_subordinate_clause() -> None:
    event = the(coded("Since Moscow's troops crossed the border, Norway has shipped artillery shells to Ukraine."),
                "AID")
    assert codes(event.actor) == {"NOR"}


def test_a_subordinate_clause_has_its_own_subject() -> None:
    event = the(coded("The mission's future is unclear after Niger suspended its security agreement with the "
                      "United States."), "SANCTION")
    assert codes(event.actor) == {"NER"}


# ---------------------------------------------------------------------- not reports of anything


@pytest.mark.parametrize("text", [
    "The EU expected Hungary to lift its veto on the aid tranche.",
    "The minister came to Ankara to agree on the terms of the drone purchase.",
    "The government will explore ways to support the Ukrainian army.",
    "The package is likely the last until Congress approves additional funds.",
])
def test_expectations_purposes_and_possibilities_are_not_coded(text: str) -> None:
    assert not of_type(coded(text), "AID", "AGREE", "SANCTION")


# ---------------------------------------------------------------------- restatements


def test_a_further_statement_is_a_further_event() -> None:
    text = ("Britain will send Ukraine 14 tanks, the prime minister said. "
            "Britain also said it would fund 300 drones for Ukraine.")
    assert len(of_type(coded(text), "AID", "AGREE")) == 2


def test_restatements_in_two_currencies_are_one_event_with_the_stated_figure() -> None:
    text = ("Sweden will donate $1.2 billion in military aid to Ukraine\n\n"
            "The Swedish government said on Wednesday it will donate military aid to Ukraine worth "
            "13 billion kronor ($1.2 billion).")
    events = of_type(coded(text, date="2024-05-29"), "AID", "AGREE")
    assert len(events) == 1
    assert events[0].value is not None and events[0].value.currency == "SEK"


# ---------------------------------------------------------------------- statuses and dates


@pytest.mark.parametrize(("text", "status"), [
    ("Estonia will send Ukraine a new package of military aid.", "pledged"),
    ("Canada is providing Ukraine with a new air-defence system.", "announced"),
    ("France will sell Rafale jets to Serbia.", "approved"),
    ("The United States agreed to send 31 Abrams tanks to Ukraine.", "pledged"),
    ("Italy suspended deliveries of ammunition to Ukraine.", "halted"),
])
def test_statuses(text: str, status: str) -> None:
    assert the(coded(text), "AID", "AGREE", "SANCTION").status == status


def test_a_pledge_made_on_a_weekday_is_dated_back_not_forward() -> None:
    event = the(coded("On Tuesday, Belgium pledged 30 F-16 jets to Ukraine.", date="2024-05-29"), "AGREE")
    assert event.date is not None and event.date.start == "2024-05-28"


def test_an_agreement_is_dated_when_made_not_when_its_aid_is_due() -> None:
    event = the(coded("NATO leaders agreed on Wednesday to provide 40 billion euros to Ukraine next year.",
                      date="2024-07-11"), "AGREE")
    assert event.date is not None and event.date.start == "2024-07-10"


def test_an_undated_article_takes_its_own_date() -> None:
    text = ("Berlin to send more artillery to Ukraine – 2024-04-13 21:20\n\n"
            "Germany will send more artillery to Ukraine, the defence ministry said on Saturday.")
    event = the(coded(text, date=None), "AGREE")  # type: ignore[arg-type]
    assert event.date is not None and event.date.start == "2024-04-13"


def test_refusing_aid_is_a_denied_rejection() -> None:
    event = the(coded("President Donald Trump declined to approve a 400 million dollar military aid package for "
                      "Taiwan.", date="2025-09-19"), "REJECT")
    assert (event.mode, event.status) == ("assist", "denied")


# ---------------------------------------------------------------------- places and parties


def test_a_town_gives_its_country_but_is_never_an_actor() -> None:
    event = the(coded("A roadside bomb near the town of Tikrit killed four Iraqi police officers on Tuesday."), "ASSAULT")
    assert codes(event.actor) == {"IRQ"}  # by place: the attacker is not named
    assert not of_type(coded("Tikrit welcomed the decision to lift the curfew."), "CONCEDE")


@pytest.mark.parametrize(("date", "country"), [("2003-05-20", "SDN"), ("2015-05-20", "SSD")])
def test_a_place_belongs_to_the_country_it_was_part_of_on_the_day(date: str, country: str) -> None:
    event = the(coded("Sudanese rebels shelled the town of Bentiu on Tuesday, local officials said.", date), "ASSAULT")
    assert codes(event.recipient) == {country}


@pytest.mark.parametrize(("text", "not_code"), [
    ("Police in northern Kosovo detained four ethnic Serbs after a shooting on Sunday.", "SRB"),
    ("An anti-Iran columnist was shot dead outside his office in Erbil.", "IRN"),
    ("Gunmen killed the driver of Russia's militia ally in eastern Syria on Friday.", "RUS"),
])
def test_ethnic_groups_attitudes_and_allies_are_not_the_state(text: str, not_code: str) -> None:
    events = of_type(coded(text, "2019-06-03"), "COERCE", "ASSAULT")
    assert events and all(not_code not in codes(e.recipient) | codes(e.actor) for e in events)


def test_an_entity_in_the_purpose_of_a_clause_is_not_the_target() -> None:
    event = the(coded("Kenyan police broke up a rally held by students in Nakuru to protest the decision of "
                      "sending troops to Haiti.", "2024-06-03"), "COERCE")
    assert "HTI" not in codes(event.recipient)


def test_a_titled_person_takes_the_only_country_of_domestic_politics() -> None:
    event = the(coded("President Ali Hamadi on Monday lifted the state of emergency imposed in Chad last year.",
                      "2001-03-05"), "CONCEDE")
    assert codes(event.actor) == {"TCD"} and codes(event.recipient) == {"TCD"}


def test_a_demand_by_an_organisation_is_not_addressed_to_itself() -> None:
    event = the(coded("EU foreign ministers demanded the withdrawal of Russian troops from Moldova on Monday, "
                      "diplomats quoted an EU statement as saying.", "2014-03-03"), "REQUEST")
    assert codes(event.recipient) == {"RUS"}


def test_pressure_to_act_is_a_demand() -> None:
    event = the(coded("Egyptian authorities have been pressuring dock workers in Alexandria to end their strike.",
                      "2012-05-03"), "REQUEST")
    assert codes(event.actor) == {"EGY"} and codes(event.recipient) == {"EGY"}


def test_an_arrest_on_charges_is_also_an_accusation() -> None:
    events = coded("Kenyan authorities arrested 12 activists in Mombasa on charges of sedition.", "2016-05-03")
    assert the(events, "COERCE") and codes(the(events, "ACCUSE").actor) == {"KEN"}
    assert not of_type(coded("Kenyan authorities arrested 12 activists in Mombasa.", "2016-05-03"), "ACCUSE")


def test_a_city_where_parties_meet_is_a_venue_not_a_party() -> None:
    event = the(coded("Indian and Chinese negotiators return to Geneva this week for talks on the border.",
                      "2020-09-01"), "CONSULT")
    assert {"IND", "CHN"} <= codes(event.actor) and "CHE" not in codes(event.recipient)


def test_for_the_first_time_in_a_year_is_no_date() -> None:
    event = the(coded("Malian troops shelled rebel positions near Kidal for the first time in a year on Sunday.",
                      "2013-05-08"), "ASSAULT")
    assert event.modality == "asserted" and event.date is not None and event.date.start == "2013-05-05"


def test_the_two_countries_are_the_last_two_named() -> None:
    events = coded("France keeps 1,500 soldiers in Chad. Their future is unclear after Chad last month "
                   "suspended a defence agreement between the two countries.", "2024-12-20")
    event = the(events, "SANCTION")
    assert codes(event.actor) == {"TCD"} and codes(event.recipient) == {"FRA"}


@pytest.mark.parametrize(("text", "negated"), [
    ("Hungary is not among the EU members that have sent weapons to Ukraine.", True),
    ("Portugal is among the countries that have sent tanks to Ukraine.", False),
])
def test_one_among_those_who_did_is_the_actor(text: str, negated: bool) -> None:
    events = [e for e in coded(text, "2023-05-02") if e.type in ("AID", "AGREE")]
    assert len(events) == 1 and events[0].negated is negated
    assert codes(events[0].actor) == ({"HUN"} if negated else {"PRT"})


def test_the_lawmaker_handed_the_pen_is_not_the_recipient_of_an_aid_law() -> None:
    text = ("Canada signs law on military aid to Ukraine\n\n"
            "After signing the law, Prime Minister Mark Carney handed the pen to Canadian MP Jane Doyle.")
    events = of_type(coded(text, "2025-06-02"), "AGREE")
    assert events and all("CAN" not in codes(e.recipient) for e in events)


def test_opportunities_for_cooperation_are_not_an_event() -> None:
    assert not of_type(coded("The deal will create great opportunities for industrial cooperation between "
                             "Norway and Poland.", "2025-01-10"), "COOPERATE", "AGREE")


def test_his_meeting_is_not_with_himself() -> None:
    text = ("Dutch Prime Minister Dick Schoof arrived in Kyiv on Monday.\n\n"
            "\"Ukraine can count on us,\" said Schoof.\n\n"
            "He said that in his meeting with President Volodymyr Zelensky, he would present new drone funding.")
    events = of_type(coded(text, "2025-03-03"), "CONSULT", "AGREE")
    assert not any(codes(e.actor) == {"UKR"} and codes(e.recipient) == {"UKR"} for e in events)


def test_an_undated_article_takes_the_weekday_date_that_fits_its_officials() -> None:
    from aidtrace.extract.actors import office_spans
    from aidtrace.extract.when import infer_publication

    text = ("NATO Secretary General Jens Stoltenberg spoke in Vilnius on Tuesday, July 11. "
            "Allies agreed to review the plan at the summit in 2024.")
    assert infer_publication(text, office_spans(text)) == (date(2023, 7, 11), "day")
    assert office_spans("Former President Barack Obama spoke.") is None


@pytest.mark.parametrize("text", [
    "The proposal met with opposition from Japan's delegation.",
    "The ball is in Moscow's court when it comes to Ukraine, the Dutch minister said.",
    "Why doesn't Germany send us the Taurus missiles?",
    "Will Sweden deliver more jets to Ukraine?",
    "The vote makes it unlikely that Washington will lift the freeze on arms sales to Ankara.",
])
def test_idioms_questions_and_judgements_are_not_events(text: str) -> None:
    assert not [e for e in coded(text, "2024-03-04") if e.type in ("CONSULT", "AID", "AGREE")]


def test_a_statement_before_a_question_is_still_an_event() -> None:
    assert the(coded("Germany sent tanks to Ukraine, but will it send more?", "2024-03-04"), "AID")


def test_due_to_meet_is_a_meeting_to_come() -> None:
    event = the(coded("Erdogan is due to meet Putin in Sochi next month.", "2021-08-02"), "AGREE", "CONSULT")
    assert event.modality == "future"


@pytest.mark.parametrize(("text", "domestic"), [
    ("The Ankara district administration has refused the permit for the rally.", True),
    ("Iranian authorities pressured bus drivers to end their strike.", True),
    ("Trump denied the request.", False),
    ("Beijing urged the parties concerned to show restraint.", False),
])
def test_unnamed_targets_of_requests_and_refusals_are_domestic_only_for_local_affairs(text: str, domestic: bool) -> None:
    event = the(coded(text, "2023-04-05"), "REJECT", "REQUEST")
    assert bool(event.recipient) is domestic
    if domestic:
        assert codes(event.recipient) == codes(event.actor)


def test_their_meeting_is_of_the_parties_the_sentence_names() -> None:
    text = ("Russia and North Korea signed a pact in June. At their meeting in Tokyo in July, Japan and "
            "Australia shared concerns over the pact.")
    event = the(coded(text, "2024-08-01"), "CONSULT")
    assert codes(event.actor) == {"JPN", "AUS"}


# ---------------------------------------------------------------------- continuations and aims


def test_the_aid_itself_resuming_continues_the_aid_just_told_of() -> None:
    text = ("Canada halted shipments of rifle ammunition to Ukraine last week over a stock review. "
            "Deliveries resumed on Friday, officials said.")
    resumed = the(coded(text, "2025-03-12"), "AID")
    assert resumed.status == "resumed"
    assert codes(resumed.actor) == {"CAN"} and codes(resumed.recipient) == {"UKR"}
    assert resumed.date is not None and resumed.date.start == "2025-03-07"


def test_resuming_with_no_aid_before_it_is_not_an_event() -> None:
    assert not of_type(coded("Deliveries resumed on Friday, officials said.", "2025-03-12"), "AID")


@pytest.mark.parametrize(("text", "asks"), [
    ("Kyiv seeks to keep its ageing fleet of jets flying.", False),
    ("Ukraine sought help from Poland to repair its tanks.", True),
])
def test_seeking_to_do_is_an_aim_and_seeking_help_a_request(text: str, asks: bool) -> None:
    assert bool(of_type(coded(text, "2024-05-06"), "REQUEST")) is asks


# ---------------------------------------------------------------------- dates of other things


def test_a_time_that_modifies_another_noun_does_not_date_the_event() -> None:
    event = the(coded("Norway sends more drones to Ukraine ahead of the spring offensive", "2024-02-07"), "AID", "AGREE")
    assert event.date is not None and event.date.start == "2024-02-07"


def test_last_week_holds_before_a_phrase_of_cause() -> None:
    text = "Canada halted shipments of rifle ammunition to Ukraine last week after a review of its stocks."
    event = the(coded(text, "2025-03-12"), "SANCTION")
    assert event.date is not None and (event.date.start, event.date.end) == ("2025-03-03", "2025-03-09")


def test_what_arrives_was_given_by_whom_its_participle_names() -> None:
    text = "The first three of eight radars pledged by Norway arrived in Ukraine in October, the ministry said."
    event = the(coded(text, "2023-11-20"), "AID")
    assert codes(event.actor) == {"NOR"} and codes(event.recipient) == {"UKR"}
    assert event.status == "delivered" and event.date is not None and event.date.start == "2023-10-01"


def test_the_sentence_names_the_recipient_before_the_article_does() -> None:
    text = ("Seoul cleared a sale of howitzers to Poland on Monday. Poland will get more tanks from Seoul next "
            "year, while Washington has held up a shipment of rockets to Egypt. Egypt will receive the first "
            "jets from France in May, while Washington has delayed a shipment of bombs.")
    delayed = [e for e in coded(text, "2024-05-14") if e.type == "SANCTION" and e.evidence.trigger == "delayed"]
    assert delayed and codes(delayed[0].recipient) == {"EGY"}
    # the contrasted clause keeps its own time: not "in May", not future
    assert delayed[0].modality == "asserted" and delayed[0].date is not None and delayed[0].date.start == "2024-05-14"


def test_a_verb_particle_is_not_a_qualifier_of_the_number_after_it() -> None:
    # "handed over four jets" is a delivery, not a running figure of "over four"
    _, events, claims = code_text("Romania said it had handed over four Hawk launchers to Moldova, becoming the "
                                  "first EU member to do so.", date="2024-06-03")
    event = the(events, "AID")
    assert codes(event.actor) == {"ROU"} and codes(event.recipient) == {"MDA"} and not claims


def test_one_member_of_an_organisation_is_not_the_organisation() -> None:
    events = coded("Estonia was the first NATO member to send howitzers to Ukraine.", "2023-01-10")
    assert not [e for e in events if "NATO" in codes(e.actor) | codes(e.recipient)]
    assert codes(the(coded("NATO allies pledged more air defence for Ukraine.", "2023-01-10"), "AGREE").actor) == {"NATO"}


def test_what_a_time_is_counted_from_is_not_an_event() -> None:
    text = "Japan announced new sanctions on Monday, two years since Russia's invasion of Ukraine."
    assert not of_type(coded(text, "2024-02-26"), "ASSAULT")


def test_a_package_of_sanctions_is_a_sanction_not_aid() -> None:
    event = the(coded("G7 ministers approved a new package of sanctions against Belarus on Friday.", "2024-06-10"),
                "SANCTION", "AID")
    assert event.type == "SANCTION" and "BLR" in codes(event.recipient)


def test_money_through_an_initiative_goes_to_whom_the_initiative_buys_for() -> None:
    text = "Denmark said it would contribute 3 billion kroner to a Nordic initiative that buys drones for Ukraine."
    event = the(coded(text, "2025-09-01"), "AGREE", "AID")
    assert codes(event.actor) == {"DNK"} and codes(event.recipient) == {"UKR"}
    assert event.value is not None and event.value.currency == "DKK"


def test_who_unveils_a_plan_carries_it_out_and_who_backs_it_does_not() -> None:
    unveiled = the(coded("The European Commission unveiled a plan to lend Moldova 2 billion euros.", "2025-05-05"),
                   "AGREE", "AID")
    assert codes(unveiled.actor) == {"EU"} and codes(unveiled.recipient) == {"MDA"}
    assert not of_type(coded("Italy backed a plan to lend Moldova 2 billion euros.", "2025-05-05"), "AGREE", "AID")


def test_when_a_request_wants_something_is_not_when_it_was_made() -> None:
    event = the(coded("Kyiv urged Berlin to send Taurus missiles before the winter.", "2024-10-23"), "REQUEST")
    assert event.date is not None and event.date.start == "2024-10-23"


# ---------------------------------------------------------------------- domestic coercion and expulsion


@pytest.mark.parametrize(("text", "etype", "country"), [
    ("Thousands of farmers marched through the streets of Nairobi demanding lower fuel prices.", "PROTEST", "KEN"),
    ("Police fired tear gas to disperse hundreds of teachers rallying in Lima.", "COERCE", "PER"),
    ("Riot police used water cannon on demonstrators outside parliament in Tbilisi.", "COERCE", "GEO"),
])
def test_unnamed_crowds_and_police_are_coded_by_the_place(text: str, etype: str, country: str) -> None:
    event = the(coded(text, "2023-08-01"), etype)
    assert codes(event.actor) == {country}


def test_ordering_troops_to_leave_is_an_expulsion() -> None:
    event = the(coded("Niger's junta ordered French troops to leave the country.", "2023-08-01"), "SANCTION")
    assert event.mode == "expel" and codes(event.recipient) == {"FRA"}


@pytest.mark.parametrize(("text", "etype", "mode", "actor", "recipient"), [
    ("Thailand and Cambodia exchanged fire along their disputed border.", "ASSAULT", None, {"THA", "KHM"}, set()),
    ("The Arab League suspended Syria over the crackdown.", "SANCTION", None, {"ARL"}, {"SYR"}),
    ("Chancellor Olaf Scholz called Poland's president to discuss the border crisis.", "CONSULT", "phone",
     {"DEU"}, {"POL"}),
])
def test_general_event_verbs(text: str, etype: str, mode: str | None, actor: set[str], recipient: set[str]) -> None:
    event = the(coded(text, "2023-08-01"), etype)
    assert event.mode == mode and codes(event.actor) == actor and codes(event.recipient) == recipient


def test_offering_condolences_is_no_offer() -> None:
    assert not of_type(coded("The king offered his condolences to Morocco after the earthquake.", "2023-09-10"),
                       "AGREE")


@pytest.mark.parametrize(("text", "resigns"), [
    ("Sri Lanka's prime minister stepped down on Monday.", True),
    ("India and China have stepped up efforts to build ties with island states.", False),
])
def test_stepping_down_is_a_resignation_and_stepping_up_is_not(text: str, resigns: bool) -> None:
    assert bool(of_type(coded(text, "2024-05-06"), "RETREAT")) is resigns
