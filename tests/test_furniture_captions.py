"""Photo captions and credits (issue 8): found by their credit or by how captions are written;
the credit is removed, the caption set apart as a paragraph of furniture (kept for context,
never coded), and the body text a page runs into them is kept whole. Every example is written
for this test."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidtrace.ingest.captions import caption_spans, is_credit_line, sentence_spans
from aidtrace.ingest.clean import clean_text
from aidtrace.ingest.meta import build_document
from aidtrace.model import RawRecord
from aidtrace.pipeline import code_text

LEDE = "Norway will send Ukraine two more air defence systems, the defence ministry in Oslo said on Friday."
BODY = "The systems will be delivered before the winter, officials said."


def article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def removed(raw: str, *rules: str) -> list[str]:
    return [text for rule, text in clean_text(raw).removed if rule in rules]


def captions(raw: str) -> list[str]:
    """The furniture spans of the cleaned text."""
    result = clean_text(raw)
    return [result.text[start:end] for start, end in result.furniture]


def story(raw: str) -> str:
    """The cleaned text without its furniture paragraphs."""
    result = clean_text(raw)
    kept = [result.text[start:end] for start, end in result.furniture]
    return "\n\n".join(p for p in result.text.split("\n\n") if p not in kept)


def test_caption_with_bracketed_credit_run_into_the_lede_leaves_the_lede_whole() -> None:
    caption = ("Defence Minister Anna Berg (L) and her Danish counterpart (R) shaking hands after talks "
               "in Oslo on Feb. 3, 2025.")
    credit = "(Jane Doe/Pool/AFP via Getty Images)"
    raw = article(f"{caption} {credit} {LEDE}", BODY)
    assert clean_text(raw).text == article(caption, LEDE, BODY)
    assert captions(raw) == [caption]
    assert removed(raw, "photo_credit") == [credit]


def test_caption_before_a_trailing_credit_goes_but_a_reported_sentence_between_them_stays() -> None:
    picture = ("Prime Minister Ola Lund speaks during a news conference at the parliament in Oslo, "
               "on Tuesday, May 6, 2025.")
    context = "On Friday, it was announced that Norway would fund two more systems for Ukraine."
    raw = article(LEDE, f"{picture} {context} Photo by Jane Doe/UPI", BODY)
    assert story(raw) == article(LEDE, context, BODY)
    assert captions(raw) == [picture]
    assert removed(raw, "photo_credit") == ["Photo by Jane Doe/UPI"]


def test_group_photo_caption_with_rows_and_agency_credit() -> None:
    paragraph = ("Leaders meet in Oslo epa12345678 Back from left: the prime ministers of Norway, Sweden "
                 "and Finland. Front row, left: the presidents of Estonia and Latvia pose for a family "
                 "photo during a summit on Ukraine, in Oslo, 04 March 2025. The Norwegian prime minister "
                 "is hosting a meeting of northern leaders. EPA-EFE/JANE DOE")
    raw = article(LEDE, paragraph, BODY)
    assert story(raw) == article(LEDE, BODY)
    assert captions(raw) == [paragraph.removesuffix(" EPA-EFE/JANE DOE")]  # one caption of four sentences
    assert removed(raw, "photo_credit") == ["EPA-EFE/JANE DOE"]


def test_present_passive_before_a_slashed_photo_credit_is_a_caption() -> None:
    raw = article("A cruise missile is fired from a warship at sea. / Photo: Reuters Archive", LEDE)
    assert (story(raw), captions(raw)) == (LEDE, ["A cruise missile is fired from a warship at sea."])
    assert removed(raw, "photo_credit") == ["/ Photo: Reuters Archive"]


def test_a_headline_printed_over_a_picture_keeps_its_words_and_loses_its_credit() -> None:
    # no sign of a picture's description: only the credit is removed
    result = clean_text(article("Norway and Ukraine agree deal. Picture: PA", LEDE))
    assert result.text == article("Norway and Ukraine agree deal.", LEDE)
    assert result.furniture == []
    assert removed(article("Norway and Ukraine agree deal. Picture: PA"), "photo_credit") == ["Picture: PA"]


def test_a_reported_sentence_with_a_credit_keeps_its_words() -> None:
    paragraph = "Norway is sending more missiles to Ukraine, the minister announced. Picture: Alamy"
    assert clean_text(paragraph).text == "Norway is sending more missiles to Ukraine, the minister announced."


def test_caption_without_credit_written_in_the_present_and_dated() -> None:
    caption = ("Central bank governor Ola Lund attends a news conference after the bank's policy "
               "meeting in Oslo, March 19")
    raw = article(caption, LEDE, BODY)
    assert (story(raw), captions(raw)) == (article(LEDE, BODY), [caption])
    # the caption, printed above the story and worded like its lede, is not its headline
    assert clean_text(raw).title is None


def test_participle_caption_repeated_without_space() -> None:
    caption = "Minister Anna Berg making a statement to parliament in Oslo on May 11, 2023."
    raw = article(f"{caption}{caption}", caption, LEDE)
    assert story(raw) == LEDE
    assert captions(raw) == [caption + caption, caption]


def test_position_marker_between_commas() -> None:
    caption = "Chancellor Anna Berg, right, and President Ola Lund display the signed agreements"
    raw = article(LEDE, caption, BODY)
    assert (story(raw), captions(raw)) == (article(LEDE, BODY), [caption])


def test_an_agency_name_after_a_caption_is_its_credit_but_a_closing_agency_is_the_story_credit() -> None:
    caption = "Intelligence chief Ola Lund (center) appears before a committee of parliament on Nov. 1."
    result = clean_text(article(f"{caption} (Yonhap)", LEDE, f"{BODY} (AP)"))
    assert result.text == article(caption, LEDE, BODY)
    assert result.credit == "AP"
    assert removed(article(f"{caption} (Yonhap)", LEDE), "photo_credit") == ["(Yonhap)"]


def test_caption_followed_by_a_credit_line_of_its_own() -> None:
    raw = "\n".join([LEDE, "Soldiers are seen loading a launcher near the border", "Photo: Jane Doe/AFP", BODY])
    assert story(raw) == article(LEDE, BODY)
    assert captions(raw) == ["Soldiers are seen loading a launcher near the border"]


@pytest.mark.parametrize("sentence", [
    # party labels of legislators are not positions in a picture
    "Rep. Ola Lund (R) said on Tuesday that Congress would vote on the aid bill.",
    "Rep. Ola Lund (R) and Rep. Anna Berg (D) introduced a bill to fund the drones.",
    "Parties from left to right backed the package of military aid.",
    "Diplomats who had a front row seat to the talks described them as tense.",
    "The leaders will attend the summit in Vilnius on July 11.",
    "Leaders posed for a family photo before the talks began.",
    "Germany is sending more tanks to Ukraine, Chancellor Anna Berg said on Friday.",
    "The images of the destroyed bridge were shown on state television.",
])
def test_body_sentences_are_not_captions(sentence: str) -> None:
    assert caption_spans(sentence) == []
    result = clean_text(article(LEDE, sentence))
    assert (result.text, result.furniture) == (article(LEDE, sentence), [])


@pytest.mark.parametrize(("line", "credit"), [
    ("Photo: Jane Doe/NurPhoto/Getty Images.", True),
    ("Jane Doe/NurPhoto/Getty Images", True),
    ("(AP Photo/Jane Doe)", True),
    ("(Getty Images)", True),
    ("(CDU/CSU)", False),
    ("(Reuters)", False),
    ("The ministry said so.", False),
])
def test_credit_lines(line: str, credit: bool) -> None:
    assert is_credit_line(line) is credit


def test_sentence_spans_keep_abbreviations_initials_and_dotted_names_together() -> None:
    text = "Mr. Lund met U.S. officials on Sept. 13, 2023. J. Berg was there.Next came the talks."
    assert [text[s:e] for s, e in sentence_spans(text, 0, len(text))] == [
        "Mr. Lund met U.S. officials on Sept. 13, 2023.", "J. Berg was there.", "Next came the talks."]


def test_a_caption_is_kept_as_furniture_and_never_coded() -> None:
    signing = ("Norwegian Defence Minister Tore Berg{l} and Ukrainian Defence Minister Rustem Umerov{r} "
               "sign an agreement on joint drone production in Oslo on Feb. 3, 2025.")
    as_body = signing.format(l="", r="")
    as_caption = signing.format(l=" (L)", r=" (R)")
    doc, events, _ = code_text(as_body, date="2025-03-07")
    assert doc.furniture == [] and [e.type for e in events] == ["COOPERATE"]
    body = "Norway has sent two more air defence systems to Ukraine, the defence ministry said on Friday."
    doc, events, _ = code_text(f"{as_caption} (Jane Doe/AFP via Getty Images) {body}", date="2025-03-07")
    assert doc.text == f"{as_caption}\n\n{body}"
    assert doc.furniture == [(0, len(as_caption))]
    assert [(e.type, e.evidence.sentence) for e in events] == [("AID", body)]


def test_build_document_carries_the_furniture_spans() -> None:
    caption = "Minister Anna Berg (center) appears before a committee of parliament in Oslo on Nov. 1."
    doc = build_document(RawRecord(source="a.txt", text=article(LEDE, caption, BODY)))
    assert [doc.text[start:end] for start, end in doc.furniture] == [caption]


PIECES = [LEDE, BODY, "(L)", "(R)", ", right,", "Back from left:", "pose for a family photo",
          "attends a summit in Oslo, March 19", "on Sept. 13, 2023.", "(Jane Doe/AFP via Getty Images)",
          "Photo by Jane Doe/UPI", "EPA-EFE/JANE DOE", "/ Photo: Reuters", "(Yonhap)", "is launched",
          "said.", "\n", "\n\n", " ", ".", "ALSO READ:", "RelatedX", "#aid #Oslo", "19:45 • 12 views"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=25))
def test_caption_and_furniture_spans_hold_for_any_mix_of_page_pieces(parts: list[str]) -> None:
    raw = " ".join(parts)
    result = clean_text(raw)
    paragraphs = result.text.split("\n\n") if result.text else []
    for start, end in result.furniture:
        assert result.text[start:end] in paragraphs  # a furniture span is a whole paragraph
    for paragraph in paragraphs:
        spans = caption_spans(paragraph)
        assert all(0 <= s < e <= len(paragraph) for _, s, e in spans)
        assert all(a[2] <= b[1] for a, b in zip(spans, spans[1:], strict=False))  # in order, apart
