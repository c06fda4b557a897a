"""Headlines of other stories and hashtag lines (issue 8): lists with time stamps and view counts,
update tags, markers glued to their headline or run into the next sentence. Every example is
written for this test."""

from __future__ import annotations

import pytest

from aidtrace.ingest.clean import clean_text, split_related_link

TITLE = "Finland to send Ukraine new package of artillery shells"
LEDE = ("Finland will send Ukraine a new package of artillery shells worth 90 million euros, "
        "the defence ministry in Helsinki said on Tuesday.")
SECOND = "The package is the country's twenty-fifth since the start of the full-scale invasion."
THIRD = "Deliveries are due to start next month, the ministry said in a statement."


def article(*paragraphs: str) -> str:
    return "\n".join(paragraphs)


def related(raw: str) -> list[str]:
    return [text for rule, text in clean_text(raw).removed if rule == "related"]


def test_hashtag_line_is_removed() -> None:
    result = clean_text(article(LEDE, SECOND, "#Finland #Ukraine #aid #artillery"))
    assert result.text == f"{LEDE}\n\n{SECOND}"
    assert ("hashtags", "#Finland #Ukraine #aid #artillery") in result.removed


def test_a_sentence_with_a_hashtag_stays() -> None:
    line = "The ministry posted the news under #StandWithUkraine on Tuesday evening."
    assert clean_text(article(LEDE, line)).text == f"{LEDE}\n\n{line}"


def test_timestamped_list_after_the_story_goes_with_its_unstamped_neighbours() -> None:
    listing = ["Estonia orders more howitzers — media",
               "412Yesterday, 18:05Sweden weighs new air defence package for Kyiv",
               "98712.03.2025, 09:30Poland says talks on drones collapsed",
               "Latvia signs deal for coastal missiles",
               "55311.03.2025, 21:15"]
    result = clean_text(article(TITLE, LEDE, SECOND, *listing))
    assert result.text == "\n\n".join([TITLE, LEDE, SECOND])
    assert related(article(TITLE, LEDE, SECOND, *listing)) == listing


def test_headline_with_a_view_counter_glued_to_it_between_body_paragraphs() -> None:
    stamped = "Norway approves record budget for Ukraine aid28.11.25, 19:45 • 4656 views"
    result = clean_text(article(TITLE, LEDE, SECOND, stamped, THIRD))
    assert result.text == "\n\n".join([TITLE, LEDE, SECOND, THIRD])


def test_update_tag_marks_a_title_case_list_and_a_crosshead_after_it_stays() -> None:
    listing = ["Top Stories in Business", "-", "Carmaker Recalls Vehicles over Faulty Brakes",
               "Court Seeks Prison Term for Former Minister (Update)", "Airline Cancels Flights in Storm"]
    crosshead = "Deliveries due before winter"
    raw = article(TITLE, LEDE, SECOND, *listing, crosshead, THIRD)
    assert clean_text(raw).text == "\n\n".join([TITLE, LEDE, SECOND, crosshead, THIRD])


def test_the_article_own_headline_and_byline_above_the_story_stay() -> None:
    # an attribution tail or a view count above the story is the story's own headline or byline
    title = "Finland to send Ukraine more shells — media"
    raw = article(title, "Helsinki • News desk", "• 136 views", LEDE, SECOND)
    assert clean_text(raw).text.startswith(f"{title}\n\n")
    assert related(raw) == []


def test_a_list_of_package_items_without_stamps_stays() -> None:
    items = ["155mm artillery shells", "Spare parts for howitzers", "Two mobile repair workshops"]
    raw = article(TITLE, LEDE, "The package includes:", *items, THIRD)
    assert clean_text(raw).text == "\n\n".join([TITLE, LEDE, "The package includes:", *items, THIRD])


def test_marker_glued_to_its_headline_is_a_related_link() -> None:
    link = "RelatedNordic Wire - Sweden approves new air defence sale to Ukraine, second in a week"
    raw = article(LEDE, SECOND, link, THIRD)
    assert clean_text(raw).text == "\n\n".join([LEDE, SECOND, THIRD])
    assert related(raw) == [link]


def test_marker_and_headline_run_into_a_body_sentence_are_cut_off() -> None:
    body = ("The ministry did not say when the shells would arrive, but officials earlier told "
            "reporters that the first batch was ready. The rest will follow in the spring.")
    raw = article(LEDE, f"ALSO READ: Sweden detects 3 Russian aircraft near its airspace {body}", THIRD)
    result = clean_text(raw)
    assert result.text == "\n\n".join([LEDE, body, THIRD])
    assert related(raw) == ["ALSO READ: Sweden detects 3 Russian aircraft near its airspace"]


def test_marker_after_a_sentence_inside_a_paragraph() -> None:
    body = "It was not clear when the vote would be held, according to two officials."
    parts = split_related_link(f"{LEDE} Read more: Parliament debates the drone budget {body}")
    assert parts == (LEDE, "Read more: Parliament debates the drone budget", body)


@pytest.mark.parametrize("paragraph", [
    # a Title Case headline capitalises its own words: no safe place to cut, the text stays
    "ALSO READ: Sweden Detects Three Russian Aircraft Near Its Airspace The ministry did not say "
    "when the shells would arrive, officials said on Tuesday.",
    # a marker word at the start of a body sentence is not a marker
    "Related talks on the shells continued on Tuesday, when the ministers met in Helsinki to "
    "discuss the schedule of deliveries.",
])
def test_no_related_link_is_cut_from_these(paragraph: str) -> None:
    assert split_related_link(paragraph) is None
    assert clean_text(article(LEDE, paragraph)).text == f"{LEDE}\n\n{paragraph}"
