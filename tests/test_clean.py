"""Cleaning stages on small examples of our own, and on the shared seed articles (read at run time)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aidtrace.ingest.clean import (
    clean_text,
    header_date,
    is_title_like,
    normalise_unicode,
    parse_dateline,
    split_paragraphs,
)

LEDE = ("Poland will send Ukraine another package of military aid worth 300 million euros, "
        "the defence ministry in Warsaw said on Monday.")
SECOND = "The package includes artillery ammunition, spare parts and two repair workshops."
THIRD = "Officials said deliveries would begin within weeks and finish before winter."


def article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def rules(raw: str) -> list[str]:
    return [rule for rule, _ in clean_text(raw).removed]


# --------------------------------------------------------------------------- text-level stages


def test_normalise_unicode_spaces_invisibles_nfc_and_line_ends() -> None:
    raw = "Kyiv\u00a0said\u200b it\u2019s \u201cready\u201d\r\nCafe\u0301"
    assert normalise_unicode(raw) == "Kyiv said it\u2019s \u201cready\u201d\nCaf\u00e9"


def test_header_is_removed_and_its_date_kept() -> None:
    result = clean_text(f" date 2025-07-02 {LEDE}")
    assert (result.header_date, result.text) == ("2025-07-02", LEDE)
    assert result.removed == [("header", "date 2025-07-02")]
    assert header_date("date of the meeting was set") is None


def test_split_paragraphs_blocks_lines_and_hard_wraps() -> None:
    wrapped = "Poland will send Ukraine another package\nof military aid, the ministry said.\nA new line."
    assert split_paragraphs(f"{wrapped}\n\n  {SECOND}  \n\n\n{THIRD}") == [
        "Poland will send Ukraine another package of military aid, the ministry said.",
        "A new line.", SECOND, THIRD]


def test_paragraphs_are_joined_by_blank_lines() -> None:
    assert clean_text(f"{LEDE}\n{SECOND}\n\n{THIRD}").text == f"{LEDE}\n\n{SECOND}\n\n{THIRD}"


# --------------------------------------------------------------------------- dateline


@pytest.mark.parametrize(("text", "place", "month", "day", "agency"), [
    ("Kyiv, Jul 2 (AP) Ukraine said", "Kyiv", 7, 2, "AP"),
    ("BERLIN (Reuters) - Germany said", "BERLIN", None, None, "Reuters"),
    ("KYIV, Ukraine (AP) — Russia said", "KYIV, Ukraine", None, None, "AP"),
    ("MOSCOW, July 2. /TASS/. Russia said", "MOSCOW", 7, 2, "TASS"),
    ("Kyiv, 2 July 2025 (Ukrinform) - The ministry said", "Kyiv", 7, 2, "Ukrinform"),
    ("WASHINGTON, Sept. 24 (Bloomberg) -- Officials said", "WASHINGTON", 9, 24, "Bloomberg"),
    ("The Hague, May 26 (ANP) The Dutch said", "The Hague", 5, 26, "ANP"),
    ("KYIV — The ministry said", "KYIV", None, None, None),
    ("ISLAMABAD/WASHINGTON — A plane landed", "ISLAMABAD/WASHINGTON", None, None, None),
])
def test_datelines_are_parsed(text: str, place: str, month: int | None, day: int | None,
                              agency: str | None) -> None:
    dateline = parse_dateline(text)
    assert dateline is not None
    assert (dateline.place, dateline.month, dateline.day, dateline.agency) == (place, month, day, agency)
    assert text[len(dateline.text):].strip()[0].isupper()


@pytest.mark.parametrize("text", [
    "Ukraine (AFU) said that the strikes continued.",
    "Germany, France and Poland said - in a statement - that talks went on.",
    "Kyiv said on Tuesday that it had received the jets.",
    "Macron, Starmer (and others) met on Tuesday.",
])
def test_ordinary_first_sentences_are_not_datelines(text: str) -> None:
    assert parse_dateline(text) is None
    assert clean_text(text).text == text


def test_dateline_is_removed_so_text_starts_with_lede() -> None:
    result = clean_text(f" date 2025-07 Warsaw, Jul 7 (PAP) {LEDE}\n\n{SECOND}")
    assert result.text.startswith(LEDE)
    assert result.dateline is not None and result.dateline.text == "Warsaw, Jul 7 (PAP)"
    assert ("dateline", "Warsaw, Jul 7 (PAP)") in result.removed


# --------------------------------------------------------------------------- furniture


def test_related_list_after_marker_is_removed_until_body_resumes() -> None:
    raw = article(LEDE, "Related:\nRussia strikes power plants in the east\nEU agrees new sanctions, say diplomats",
                  SECOND, THIRD)
    result = clean_text(raw)
    assert result.text == article(LEDE, SECOND, THIRD)
    assert [text for rule, text in result.removed if rule == "related"] == [
        "Related:", "Russia strikes power plants in the east", "EU agrees new sanctions, say diplomats"]


@pytest.mark.parametrize("marker", ["READ MORE:", "Read more", "See also", "You may also like"])
def test_related_markers(marker: str) -> None:
    raw = f"{LEDE}\n{marker}\nShort related headline one\nShort related headline two"
    assert clean_text(raw).text == LEDE


def test_inline_read_more_link_is_removed() -> None:
    raw = article(LEDE, "Read more: Poland doubles its drone orders", SECOND)
    assert clean_text(raw).text == article(LEDE, SECOND)


@pytest.mark.parametrize(("line", "rule"), [
    ("Would you like to comment on this article?", "comment_prompt"),
    ("Sign up (it's free) or sign in now.", "comment_prompt"),
    ("Please read our Comment Policy before commenting.", "comment_prompt"),
    ("Get the news in your inboxsubscribe", "newsletter"),
    ("Sign up for our daily newsletter", "newsletter"),
    ("Most read", "section_label"),
    ("Latest Videos", "section_label"),
    ("Trending", "section_label"),
    ("Share on Facebook", "share"),
    ("Share this article", "share"),
    ("Image: REUTERS/Jane Doe", "photo_credit"),
    ("Photo: Ministry of Defence", "photo_credit"),
    ("(Photo by Jane Doe/AFP via Getty Images)", "photo_credit"),
    ("REUTERS/Jane Doe", "photo_credit"),
    ("Reporting by Jane Doe; Editing by John Roe", "staff_credit"),
])
def test_furniture_lines_are_removed_with_their_rule(line: str, rule: str) -> None:
    result = clean_text(article(LEDE, line, SECOND))
    assert result.text == article(LEDE, SECOND)
    assert (rule, line) in result.removed


def test_body_sentences_using_furniture_words_survive() -> None:
    body = ("Ukraine and its partners agreed to sign up more countries to the drone coalition, and "
            "officials said they would share the costs of training pilots, subscribe to a joint "
            "procurement scheme and publish the most read reports of the tracker.")
    assert clean_text(article(LEDE, body)).text == article(LEDE, body)


def test_inline_photo_credit_is_cut_from_the_paragraph() -> None:
    raw = f"{LEDE} (Photo by Jane Doe/Getty Images)\n\n{SECOND}"
    assert clean_text(raw).text == article(LEDE, SECOND)


# --------------------------------------------------------------------------- agency credit


def test_trailing_parenthesised_credit_goes_to_credit() -> None:
    result = clean_text(article(LEDE, f"{SECOND} (AP)"))
    assert (result.text, result.credit) == (article(LEDE, SECOND), "AP")


def test_lone_agency_line_goes_to_credit() -> None:
    result = clean_text(f"{LEDE}\n{SECOND}\nAssociated Press\nMost read")
    assert (result.text, result.credit) == (f"{LEDE}\n\n{SECOND}", "AP")


def test_trailing_brackets_that_are_not_an_agency_stay() -> None:
    text = article(LEDE, "Europe gave 72 billion euros (USD 85 billion)")
    result = clean_text(text)
    assert (result.text, result.credit) == (text, None)


# --------------------------------------------------------------------------- repeats and headline


def test_repeated_paragraphs_keep_the_first_copy() -> None:
    quoted = '"We will help," the minister said.'
    curly = "\u201cWe  will help,\u201d the minister said."
    result = clean_text(article(LEDE, quoted, SECOND, curly, LEDE, THIRD))
    assert result.text == article(LEDE, quoted, SECOND, THIRD)
    assert [text for rule, text in result.removed if rule == "repeated"] == [" ".join(curly.split()), LEDE]


def test_headline_between_lede_and_its_repeat_becomes_title() -> None:
    headline = "Poland to send Ukraine new military aid package worth 300 million euros"
    result = clean_text("\n".join([LEDE, SECOND, headline, LEDE, SECOND, THIRD]))
    assert result.title == headline
    assert result.text == article(headline, LEDE, SECOND, THIRD)  # the headline leads the text


def test_headline_on_the_first_line_becomes_title() -> None:
    headline = "Poland sends Ukraine new aid package"
    result = clean_text(article(headline, LEDE, SECOND))
    assert (result.title, result.text) == (headline, article(headline, LEDE, SECOND))


def test_short_line_unrelated_to_lede_is_not_a_title() -> None:
    subheading = "Winter preparations continue"
    result = clean_text(article(LEDE, SECOND, subheading, THIRD))
    assert result.title is None and subheading in result.text


@pytest.mark.parametrize(("line", "expected"), [
    ("Ukraine to discuss joint arms output with partners", True),
    ("Officials said deliveries would begin.", False),
    ("Too short", False),
    (" ".join(["word"] * 20), False),
])
def test_is_title_like(line: str, expected: bool) -> None:
    assert is_title_like(line) is expected


# --------------------------------------------------------------------------- the seeds


def seed(seeds_dir: Path, prefix: str) -> str:
    (path,) = seeds_dir.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def test_seed_000_loses_header_dateline_and_credit(seeds_dir: Path) -> None:
    raw = seed(seeds_dir, "000")
    result = clean_text(raw)
    first_block = raw.split("\n\n")[0]
    first_paragraph = result.text.split("\n\n")[0]
    assert result.header_date and result.header_date in first_block
    assert result.dateline is not None and result.dateline.agency == "AP"
    # the clean first paragraph is the raw one minus its header and dateline prefix
    assert first_block.rstrip().endswith(first_paragraph)
    assert not result.text.startswith(("date", result.dateline.text))
    assert result.text.endswith(raw.rstrip()[: -len("(AP)")].rstrip().rsplit("\n\n", 1)[-1])
    assert "(AP)" not in result.text and result.credit == "AP"


def test_seed_000_keeps_every_body_paragraph(seeds_dir: Path) -> None:
    raw = seed(seeds_dir, "000")
    result = clean_text(raw)
    middle = [" ".join(block.split()) for block in raw.split("\n\n")[1:-2] if block.strip()]
    assert all(block in result.text for block in middle)
    assert len(result.text.split("\n\n")) == len([b for b in raw.split("\n\n") if b.strip()])


def seed_003_parts(raw: str) -> tuple[str, str, list[str]]:
    """The lede, the headline line and the lines after the READ MORE marker, from the file itself."""
    lines = [line.strip() for line in raw.splitlines()]
    lede = re.sub(r"^\s*date \S+\s+", "", lines[0])
    repeat_at = lines.index(lede, 1)
    credit_at = next(i for i in range(repeat_at - 1, 0, -1) if lines[i].startswith("Image:"))
    marker_at = next(i for i, line in enumerate(lines) if line.upper().startswith("READ MORE"))
    return lede, lines[credit_at - 1], [line for line in lines[marker_at:] if line]


def test_seed_003_headline_repeats_related_and_prompts(seeds_dir: Path) -> None:
    raw = seed(seeds_dir, "003")
    lede, headline, tail = seed_003_parts(raw)
    result = clean_text(raw)
    assert result.title == headline
    assert result.text.count(lede) == 1
    assert result.text.startswith(headline + "\n\n")  # the headline is coded, once, at the top
    assert not any(line in result.text for line in tail)  # related headlines, prompts, labels
    assert "Image:" not in result.text and "REUTERS/" not in result.text
    for phrase in ("Most read", "Latest Videos", "Would you like to comment", "Sign up", "Comment Policy"):
        assert phrase not in result.text
    assert result.credit == "Reuters"
    assert "\nReuters" not in result.text


def test_seed_003_keeps_every_body_line_once(seeds_dir: Path) -> None:
    raw = seed(seeds_dir, "003")
    lede, headline, tail = seed_003_parts(raw)
    result = clean_text(raw)
    lines = [line.strip() for line in raw.splitlines()[1:] if line.strip()]
    body = [line for line in lines if line not in tail and line != headline
            and not line.startswith("Image:") and line != "Reuters"]
    assert all(result.text.count(line) == 1 for line in body)
    assert result.text.split("\n\n")[:2] == [headline, lede]


@pytest.mark.parametrize(("raw", "clean"), [
    ("drones, and munitions.Biden is also sending", "drones, and munitions. Biden is also sending"),
    ("it ended?Then talks began", "it ended? Then talks began"),
    ("see www.Reuters.com and https://example.org/news.Story", "see www.Reuters.com and https://example.org/news.Story"),
    ("the U.S.Army and e.g.This", "the U.S.Army and e.g.This"),
])
def test_a_lost_space_between_sentences_is_restored(raw: str, clean: str) -> None:
    assert normalise_unicode(raw) == clean
