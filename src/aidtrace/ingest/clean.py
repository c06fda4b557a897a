"""Cleaning: turn an article's raw text into clean paragraphs and say what was removed.

Requires: the raw article text (as a reader found it). Assigns: ``CleanText`` with the clean
text (paragraphs joined by a blank line), the detected headline, the ``date`` header, the
dateline, the agency credit and every removed piece as ``(rule name, text)``: page furniture
(photo captions and credits, related-story headlines and lists, hashtag lines, prompts and
labels) never reaches the coder, and body text that a page runs into it is kept.

``clean_text`` runs small stages in order (see ``STAGES``); each takes and returns a
``CleanWork``. The rules are general (data in ``data/furniture.yaml`` and
``data/agencies.yaml``), never strings of particular articles.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..datafiles import load_yaml
from ..errors import DataFileError
from .captions import caption_spans, is_credit_line
from .gate import GatedPattern

# --------------------------------------------------------------------------- results


@dataclass
class Dateline:
    """The "Place, Mon D (AGENCY)" prefix of a wire story, parsed."""

    text: str
    place: str
    month: int | None = None
    day: int | None = None
    year: int | None = None
    agency: str | None = None  # as written inside the parentheses or slashes


@dataclass
class CleanText:
    """The clean text of one article and what cleaning found or removed on the way."""

    text: str
    title: str | None = None
    header_date: str | None = None
    removed: list[tuple[str, str]] = field(default_factory=list)
    dateline: Dateline | None = None
    credit: str | None = None  # canonical agency from a trailing "(AP)" or a lone "Reuters" line
    # spans of ``text`` that are page furniture kept for context (photo captions: their names
    # and dates help read the story), never the ground of an event (Document.furniture)
    furniture: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class CleanWork:
    """The state the stages pass along: current paragraphs plus the result being built."""

    paragraphs: list[str]
    result: CleanText
    furniture: set[str] = field(default_factory=set)  # paragraphs kept as furniture (captions)

    def drop(self, rule: str, text: str) -> None:
        """Record that ``rule`` removed ``text``."""
        self.result.removed.append((rule, text))


# --------------------------------------------------------------------------- data files


def _load_data(name: str) -> dict[str, Any]:
    """Read one packaged YAML data file as a mapping (DataFileError when malformed)."""
    data = load_yaml(name)
    if not isinstance(data, dict):
        raise DataFileError(f"data/{name}", "the top level must be a mapping")
    return data


@cache
def _agency_aliases() -> dict[str, str]:
    """Lower-cased alias -> canonical agency name, from data/agencies.yaml."""
    agencies = _load_data("agencies.yaml").get("agencies")
    if not isinstance(agencies, dict):
        raise DataFileError("data/agencies.yaml", "'agencies' must map a name to a list of aliases")
    aliases: dict[str, str] = {}
    for canonical, names in agencies.items():
        for alias in [canonical, *(names or [])]:
            aliases[str(alias).casefold()] = str(canonical)
    return aliases


def canonical_agency(name: str) -> str | None:
    """The canonical name of a news agency ("Associated Press" -> "AP"), or None if unknown.

    Args:
        name: the agency as written, e.g. in a dateline's parentheses.
    """
    return _agency_aliases().get(" ".join(name.split()).casefold())


@dataclass(frozen=True)
class LineRule:
    """One furniture rule: a line of at most ``max_words`` words matching a pattern or label."""

    name: str
    max_words: int
    patterns: tuple[GatedPattern, ...] = ()
    exact: frozenset[str] = frozenset()

    def matches(self, line: str, words: int | None = None, key: str | None = None) -> bool:
        """Whether ``line`` (one paragraph, of ``words`` words and ``label_key`` ``key`` if known)
        is furniture of this kind."""
        if (len(line.split()) if words is None else words) > self.max_words:
            return False
        return (label_key(line) if key is None else key) in self.exact or any(p.search(line) for p in self.patterns)


@dataclass(frozen=True)
class Furniture:
    """The compiled rules of data/furniture.yaml."""

    related_markers: frozenset[str]
    related_max_words: int
    sentence_min_words: int
    line_rules: tuple[LineRule, ...]
    inline_rules: tuple[tuple[str, GatedPattern], ...]
    marker_prefix: re.Pattern[str]  # a related-story marker opening a line or following a sentence
    headline_anchors: tuple[re.Pattern[str], ...]
    headline_min_words: int
    sentence_openers: frozenset[str]


def _marker_prefix(markers: frozenset[str]) -> re.Pattern[str]:
    """A related-story marker that opens a line or follows a sentence inside it, then a colon,
    a dash or a capital letter glued to it ("ALSO READ: ...", "Related - ...", "RelatedTRT ...")."""
    names = "|".join(r"\s+".join(map(re.escape, m.split())) for m in sorted(markers, key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=[.!?\"”’])\s+)(?i:{names})(?:\s*[:|]\s*|\s+[-–—]\s+|(?<=[a-z])(?=[A-Z]))")


def _compile_line_rule(spec: dict[str, Any]) -> LineRule:
    """Build one LineRule from its YAML mapping."""
    flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
    return LineRule(
        name=str(spec["name"]),
        max_words=int(spec.get("max_words", 20)),
        patterns=tuple(GatedPattern(re.compile(p, flags)) for p in spec.get("patterns", [])),
        exact=frozenset(label_key(e) for e in spec.get("exact", [])),
    )


@cache
def furniture() -> Furniture:
    """The page-furniture rules, loaded once from data/furniture.yaml."""
    data = _load_data("furniture.yaml")
    try:
        markers = frozenset(label_key(m) for m in data["related_markers"])
        headlines = data["related_headlines"]
        return Furniture(
            related_markers=markers,
            related_max_words=int(data["related_list"]["max_words"]),
            sentence_min_words=int(data["related_list"]["min_sentence_words"]),
            line_rules=tuple(_compile_line_rule(spec) for spec in data["line_rules"]),
            inline_rules=tuple((str(spec["name"]), GatedPattern(re.compile(p, re.IGNORECASE)))
                               for spec in data["inline_rules"] for p in spec["patterns"]),
            marker_prefix=_marker_prefix(markers),
            headline_anchors=tuple(re.compile(p) for p in headlines["anchors"]),
            headline_min_words=int(headlines["min_words"]),
            sentence_openers=frozenset(str(w) for w in headlines["sentence_openers"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as err:
        raise DataFileError("data/furniture.yaml", f"bad rule: {err!r}") from err


# --------------------------------------------------------------------------- small text helpers

_TERMINAL = ".!?;:,"
_CLOSERS = "\"'”’»)]"
_HEADER_RE = re.compile(r"^\s*date:?\s+(\d{4}-\d{2}(?:-\d{2})?)(?=\s|$)\s*", re.IGNORECASE)
# (str.translate looks every character of a non-ASCII text up in its table: a character class
# finds the few there are many times faster)
_SINGLE_QUOTES = re.compile("[‘’‚′]")
_DOUBLE_QUOTES = re.compile('[“”„«»]')
# Characters that render as nothing, or as a plain space, but break matching and hashing.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile("[\u00a0\u2007\u202f\u2009\u200a\u3000]")


def label_key(line: str) -> str:
    """A line reduced to lower-case words, for comparing labels ("Most read:" -> "most read")."""
    return " ".join(re.sub(r"[^\w\s]", "", line.casefold()).split())


def header_date(text: str) -> str | None:
    """The date of a leading ``date YYYY-MM[-DD]`` header, or None when there is none.

    Args:
        text: raw article text.
    """
    match = _HEADER_RE.match(text)
    return match.group(1) if match else None


def ends_sentence(line: str) -> bool:
    """Whether a line ends with sentence punctuation (also before closing quotes/brackets)."""
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _content_words(text: str) -> set[str]:
    """Words of four letters or more, cut to five letters, as a cheap stem set for overlap."""
    return {w[:5] for w in re.findall(r"[^\W\d_]{4,}", text.casefold())}


# --------------------------------------------------------------------------- text-level stages


def normalise_unicode(raw: str) -> str:
    """NFC-normalise, unify line ends, turn odd spaces into spaces and drop invisible characters.

    Curly quotes are kept: they are the article's own text.

    Args:
        raw: text as read.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # ASCII is already NFC, and the characters mapped are not ASCII
        text = _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
    return _RUN_ON.sub(r"\1 \2", text)


# Two sentences run together by a lost space ("... and munitions.Biden is also ..."): a lower-case
# word of three letters or more, a full stop, then a capitalised word.
_RUN_ON = re.compile(r"(?<![/.@\w])((?!www\.)[a-z]{3,}[.!?])([A-Z][a-z]+\b)(?!\.[a-z])")


def split_paragraphs(text: str) -> list[str]:
    """Split text into paragraphs: blank-line blocks, and single lines within a block.

    A line is joined to the previous one when it continues a hard-wrapped sentence (the
    previous line has no final punctuation and this one starts lower-case, or the previous
    ends with a comma), because some sources wrap paragraphs at a fixed width.

    Args:
        text: normalised text.
    """
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        merged: list[str] = []
        for line in filter(None, (" ".join(raw.split()) for raw in block.split("\n"))):
            if merged and _continues(merged[-1], line):
                merged[-1] = f"{merged[-1]} {line}"
            else:
                merged.append(line)
        paragraphs.extend(merged)
    return paragraphs


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` is the wrapped continuation of ``previous``."""
    return previous.endswith(",") or (not ends_sentence(previous) and line[:1].islower())


# --------------------------------------------------------------------------- dateline

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_RE = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
# "Rostov-on-Don", "D.C.", and joint datelines such as "ISLAMABAD/WASHINGTON"
_PLACE_WORD = r"[A-Z][\w'’.]*(?:[-/][\w'’.]+)*"
_PLACE = rf"{_PLACE_WORD}(?: {_PLACE_WORD}){{0,3}}"
_DATELINE_RE = re.compile(
    rf"^(?P<place>{_PLACE}(?:, {_PLACE})?)"
    rf"(?:,\s*(?P<date>{_MONTH_RE}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH_RE})(?:,?\s+(?P<year>\d{{4}}))?\.?)?"
    # it must end with a bracketed agency, a dash, or both, so the regex backtracks until
    # "Kyiv, Jul 2 (AP)" parses as place + date + agency rather than place "Kyiv, Jul"
    r"(?:(?:\s*\((?P<agency>[^()\d]{2,40})\)|\s*/(?P<slash>[A-Za-z][\w -]{1,30})/\.?)"
    r"\s*(?P<dash>[-–—]{1,2}|:)?|\s*(?P<dash_only>[-–—]{1,2}))\s+"
)


def parse_dateline(paragraph: str) -> Dateline | None:
    """The dateline at the start of a paragraph ("Kyiv, Jul 2 (AP) ..."), or None.

    A prefix counts as a dateline only with an agency in brackets/slashes, or a dash after
    a date or an all-capitals place ("KYIV —"), so ordinary sentences are left alone.

    Args:
        paragraph: the first paragraph of the article.
    """
    match = _DATELINE_RE.match(paragraph)
    if not match or match.end() >= len(paragraph):
        return None
    agency = match.group("agency") or match.group("slash")
    place, when = match.group("place"), match.group("date")
    # an unknown bracketed name ("Ukraine (AFU) said") needs a date or dash to be a dateline
    known = bool(agency) and canonical_agency(agency) is not None
    dash = match.group("dash") or match.group("dash_only")
    marked = bool(dash) and bool(when or place.split(",")[0].isupper() or _city_and_country(place))
    if agency and not (known or _looks_like_agency(agency)):
        return None
    if not known and not (marked or (agency and when)):
        return None
    month, day = _month_day(when) if when else (None, None)
    year = int(match.group("year")) if match.group("year") else None
    return Dateline(text=match.group(0).strip(), place=place, month=month, day=day, year=year,
                    agency=agency.strip() if agency else None)


def _city_and_country(place: str) -> bool:
    """"Ramstein, Germany": a place followed by the name of a country."""
    import pycountry

    _, sep, country = place.partition(", ")
    if not sep:
        return False
    try:
        pycountry.countries.lookup(country.strip())
    except LookupError:
        return False
    return True


def _looks_like_agency(name: str) -> bool:
    """A short capitalised name: an agency aidtrace does not list yet is still a credit."""
    return 0 < len(name.split()) <= 4 and name[:1].isupper()


def _month_day(when: str) -> tuple[int | None, int | None]:
    """Month and day numbers of "Jul 2", "July 2" or "2 July"."""
    word = re.search(r"[A-Za-z]+", when)
    digits = re.search(r"\d{1,2}", when)
    if not word or not digits:
        return None, None
    prefix = word.group(0).casefold()[:3]
    month = next((i for i, name in enumerate(_MONTHS, 1) if name.startswith(prefix)), None)
    return month, int(digits.group(0))


# --------------------------------------------------------------------------- paragraph stages


def take_dateline(work: CleanWork) -> CleanWork:
    """Remove the dateline prefix so the lede starts with its first word; keep it parsed. The
    dateline opens the first paragraph, or the second when a headline comes first."""
    first = 1 if len(work.paragraphs) > 1 and is_title_like(work.paragraphs[0]) else 0
    for index in dict.fromkeys((0, first)):
        if index < len(work.paragraphs) and (dateline := parse_dateline(work.paragraphs[index])):
            work.result.dateline = dateline
            work.drop("dateline", dateline.text)
            rest = work.paragraphs[index][len(dateline.text):].lstrip(" -–—:")
            work.paragraphs[index:index + 1] = [rest] if rest else []
            break
    return work


def drop_captions(work: CleanWork) -> CleanWork:
    """Remove photo credits (see ingest/captions.py) and set photo captions apart as paragraphs of
    furniture, kept for context (names, the date of the picture) but never coded; body text that
    a page runs into a caption becomes a paragraph of its own."""
    kept: list[str] = []
    paragraphs = work.paragraphs
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        for kind, piece in _caption_split(paragraph, is_credit_line(following)):
            if kind == "photo_credit":
                work.drop(kind, piece)
                continue
            kept.append(piece)
            if kind == "caption":
                work.furniture.add(piece)
    work.paragraphs = kept
    return work


def _caption_split(paragraph: str, credit_follows: bool) -> list[tuple[str, str]]:
    """A paragraph as ("body" | "caption" | "photo_credit", text) pieces, in order; sentences of
    one caption make one piece, and a bare separator ("/") next to a credit goes with it."""
    pieces: list[tuple[str, str]] = []
    pos = caption_start = 0
    for rule, start, end in [*caption_spans(paragraph, credit_follows), ("", len(paragraph), len(paragraph))]:
        between = paragraph[pos:start].strip()
        if between and not re.search(r"\w", between):
            pieces.append(("photo_credit", between))
        elif between:
            pieces.append(("body", between))
        if rule == "caption" and pieces and pieces[-1][0] == "caption" and not between:
            pieces[-1] = ("caption", paragraph[caption_start:end])
        elif rule:
            caption_start = start
            pieces.append((rule, paragraph[start:end]))
        pos = end
    return pieces


def strip_inline_credits(work: CleanWork) -> CleanWork:
    """Remove photo credits in brackets inside paragraphs ("(Photo by ...)")."""
    kept: list[str] = []
    for paragraph in work.paragraphs:
        for name, pattern in furniture().inline_rules:
            for match in pattern.finditer(paragraph):
                work.drop(name, match.group(0).strip())
            paragraph = pattern.sub("", paragraph).strip()
        if paragraph:
            kept.append(paragraph)
    work.paragraphs = kept
    return work


def furniture_rule(line: str) -> str | None:
    """The name of the furniture rule a whole line matches, or None for body text.

    Args:
        line: one paragraph.
    """
    words = len(line.split())
    rules = [rule for rule in furniture().line_rules if words <= rule.max_words]
    key = label_key(line) if rules else ""
    return next((rule.name for rule in rules if rule.matches(line, words, key)), None)


def _related_marker(line: str) -> str | None:
    """"list" for a line that starts a related-stories list, "link" for "Read more: <headline>"
    (also "Related - <headline>" and a marker glued to its headline, "RelatedTRT World - ...")."""
    rules = furniture()
    if label_key(line) in rules.related_markers:
        return "list"
    match = rules.marker_prefix.match(line)
    if match and line[match.end():].strip() and len(line.split()) <= rules.related_max_words:
        return "link"
    return None


def split_related_link(paragraph: str) -> tuple[str, str, str] | None:
    """A related-story link run into body text, as (text before, the link, text after), or None.

    "ALSO READ: <headline> The White House said ..." gives the link "ALSO READ: <headline>" and
    the body sentence after it; the body starts at a capitalised sentence opener ("The", "It",
    "According") after a word that is not capitalised, so a Title Case headline is never cut.

    Args:
        paragraph: one paragraph longer than a related link.
    """
    rules = furniture()
    for match in rules.marker_prefix.finditer(paragraph):
        start = _body_start(paragraph, match.end())
        if start is not None:
            return paragraph[:match.start()].strip(), paragraph[match.start():start].strip(), paragraph[start:]
    return None


def _body_start(text: str, pos: int) -> int | None:
    """Where a body sentence starts after a headline that begins at ``pos``, or None."""
    rules = furniture()
    words = list(re.finditer(r"\S+", text[pos:]))
    for k in range(rules.headline_min_words, min(len(words), rules.related_max_words + 1)):
        word, before = words[k].group(0), words[k - 1].group(0)
        if word.lstrip("\"“‘(") in rules.sentence_openers and not before[:1].isupper():
            rest = text[pos + words[k].start():]
            if len(rest.split()) > rules.sentence_min_words and ends_sentence(rest):
                return pos + words[k].start()
    return None


def _is_related_headline(line: str) -> bool:
    """A short line in a related-stories list (not body text, not other furniture)."""
    rules = furniture()
    words = len(line.split())
    if words > rules.related_max_words or furniture_rule(line) or _related_marker(line):
        return False
    return not (ends_sentence(line) and words > rules.sentence_min_words)


def drop_related_lists(work: CleanWork) -> CleanWork:
    """Remove "READ MORE:"/"Related"/"See also" markers and the headline list after them."""
    kept: list[str] = []
    in_list = False
    for paragraph in _split_links(work):
        marker = _related_marker(paragraph)
        if marker or (in_list and _is_related_headline(paragraph)):
            work.drop("related", paragraph)
            in_list = marker == "list" or (in_list and marker is None)
        else:
            in_list = False
            kept.append(paragraph)
    work.paragraphs = kept
    return work


def _split_links(work: CleanWork) -> list[str]:
    """The paragraphs with every related link run into body text cut out and recorded."""
    out: list[str] = []
    for paragraph in work.paragraphs:
        while len(paragraph.split()) > furniture().related_max_words and (parts := split_related_link(paragraph)):
            before, link, paragraph = parts
            out.extend([before] if before else [])
            work.drop("related", link)
        out.append(paragraph)
    return out


def _is_body(paragraph: str) -> bool:
    """A paragraph of story text: long, or a full sentence of some length."""
    rules = furniture()
    words = len(paragraph.split())
    return words > rules.related_max_words or (ends_sentence(paragraph) and words > rules.sentence_min_words)


def _is_anchored_headline(line: str) -> bool:
    """A headline with a time stamp, view count, update tag or attribution tail."""
    rules = furniture()
    if len(line.split()) > rules.related_max_words or not any(p.search(line) for p in rules.headline_anchors):
        return False
    bare = line
    for pattern in rules.headline_anchors:
        bare = pattern.sub(" ", bare)
    return len(re.findall(r"[^\W\d_]{2,}", bare)) >= rules.headline_min_words


def _is_list_line(line: str) -> bool:
    """A line that can stand in a list of headlines: short and not a sentence, or a separator."""
    if not re.search(r"\w", line):
        return True
    return len(line.split()) <= furniture().related_max_words and (not ends_sentence(line) or line[-1] in "?!")


def drop_headline_runs(work: CleanWork) -> CleanWork:
    """Remove lists of other stories' headlines that a page prints after the story has begun:
    every run of short list lines holding an anchored headline (see ``_is_anchored_headline``),
    except a last line that body text follows (a crosshead of the story)."""
    paragraphs = work.paragraphs
    begun = next((i for i, p in enumerate(paragraphs) if _is_body(p) and p not in work.furniture), len(paragraphs))
    remove: set[int] = set()
    index = begun + 1
    while index < len(paragraphs):
        end = index
        while end < len(paragraphs) and _is_list_line(paragraphs[end]):
            end += 1
        run = range(index, end)
        if any(_is_anchored_headline(paragraphs[i]) for i in run):
            last = end - 1
            crosshead = end < len(paragraphs) and not _is_anchored_headline(paragraphs[last])
            remove.update(i for i in run if not (crosshead and i == last))
        index = end + 1
    for i in sorted(remove):
        work.drop("related", paragraphs[i])
    work.paragraphs = [p for i, p in enumerate(paragraphs) if i not in remove]
    return work


def drop_furniture_lines(work: CleanWork) -> CleanWork:
    """Remove whole lines of page furniture: prompts, labels, share buttons, credits."""
    kept: list[str] = []
    for paragraph in work.paragraphs:
        rule = furniture_rule(paragraph)
        if rule:
            work.drop(rule, paragraph)
        else:
            kept.append(paragraph)
    work.paragraphs = kept
    return work


_TRAILING_CREDIT_RE = re.compile(r"\s*(?:\(([^()]{2,40})\)|/([^/]{2,40})/)\.?\s*$")


def take_agency_credit(work: CleanWork) -> CleanWork:
    """Move agency credits to ``credit``: a lone "Reuters" line, or "(AP)" ending the text."""
    kept: list[str] = []
    for paragraph in work.paragraphs:
        agency = canonical_agency(paragraph.strip(" ()/-–—.[]"))
        if agency:
            work.result.credit = work.result.credit or agency
            work.drop("agency_credit", paragraph)
        else:
            kept.append(paragraph)
    if kept and (match := _TRAILING_CREDIT_RE.search(kept[-1])):
        agency = canonical_agency(match.group(1) or match.group(2))
        if agency:
            work.result.credit = work.result.credit or agency
            work.drop("agency_credit", match.group(0).strip())
            kept[-1] = kept[-1][: match.start()].rstrip()
    work.paragraphs = [p for p in kept if p]
    return work


# How far into the article a headline may sit (scraped pages often put it after the lede),
# the longest headline, and how many of its content words the lede must share.
_TITLE_WINDOW = 8
_TITLE_MAX_WORDS = 20
_TITLE_MIN_OVERLAP = 0.3


def is_title_like(line: str) -> bool:
    """A short line without final punctuation that could be a headline.

    Args:
        line: one paragraph.
    """
    words = line.split()
    return (3 <= len(words) < _TITLE_MAX_WORDS and not ends_sentence(line)
            and (line[0].isupper() or line[0].isdigit() or line[0] in "'\"‘“"))


def _restates(title: str, lede: str) -> bool:
    """Whether enough of the headline's content words occur in the lede."""
    words = _content_words(title)
    return bool(words) and len(words & _content_words(lede)) / len(words) >= _TITLE_MIN_OVERLAP


def take_title(work: CleanWork) -> CleanWork:
    """Detect a headline line that restates the lede and keep it as ``title``. The headline
    stays in the text as its first paragraph (a page may print it below the lede): it is what
    the story says first, and the coder reads events from it like from any sentence."""
    paragraphs = work.paragraphs
    for index, line in enumerate(paragraphs[:_TITLE_WINDOW]):
        # the lede is the first paragraph of the story besides this line (captions are not)
        lede = next((j for j, p in enumerate(paragraphs) if j != index and p not in work.furniture), None)
        if line in work.furniture or lede is None:
            continue
        if is_title_like(line) and _restates(line, paragraphs[lede]):
            work.result.title = line
            del paragraphs[index]
            paragraphs.insert(0, line)
            break
    return work


def _repeat_key(paragraph: str) -> str:
    """A paragraph with quotes, case and spacing normalised, for spotting repeats."""
    if not paragraph.isascii():  # the quotes mapped are not ASCII
        paragraph = _DOUBLE_QUOTES.sub('"', _SINGLE_QUOTES.sub("'", paragraph))
    return " ".join(paragraph.casefold().split())


def drop_repeated(work: CleanWork) -> CleanWork:
    """Remove paragraphs that repeat an earlier one (exact or up to quotes/spacing/case)."""
    seen: set[str] = set()
    kept: list[str] = []
    for paragraph in work.paragraphs:
        key = _repeat_key(paragraph)
        if key in seen:
            work.drop("repeated", paragraph)
        else:
            seen.add(key)
            kept.append(paragraph)
    work.paragraphs = kept
    return work


# Order matters: the dateline is read before anything can move the first paragraph;
# captions are found before inline credits are cut, since a credit is what marks them;
# furniture goes before the agency credit so a "Reuters" line followed by page furniture
# still counts as trailing; the headline is found before repeats are dropped so a
# headline sitting between a lede and its repeated copy is seen next to the lede.
STAGES: tuple[Callable[[CleanWork], CleanWork], ...] = (
    take_dateline,
    drop_captions,
    strip_inline_credits,
    drop_related_lists,
    drop_furniture_lines,
    drop_headline_runs,
    take_agency_credit,
    take_title,
    drop_repeated,
)


def clean_text(raw: str) -> CleanText:
    """Clean one article: header, dateline, furniture, credits, headline, repeats, unicode.

    Args:
        raw: the article text as read (``RawRecord.text``); it is not modified.
    """
    text = normalise_unicode(raw)
    result = CleanText(text="")
    if match := _HEADER_RE.match(text):
        result.header_date = match.group(1)
        result.removed.append(("header", match.group(0).strip()))
        text = text[match.end():]
    work = CleanWork(paragraphs=split_paragraphs(text), result=result)
    for stage in STAGES:
        work = stage(work)
    result.text = "\n\n".join(work.paragraphs)
    result.furniture = _spans_of(work.paragraphs, work.furniture)
    return result


def _spans_of(paragraphs: list[str], furniture: set[str]) -> list[tuple[int, int]]:
    """Offsets, in the joined text, of the paragraphs that are furniture."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for paragraph in paragraphs:
        if paragraph in furniture:
            spans.append((pos, pos + len(paragraph)))
        pos += len(paragraph) + 2
    return spans
