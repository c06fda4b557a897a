"""Readers: turn paths (files, directories, globs, "-") into RawRecords, or Rejections.

Requires: paths as the user typed them. Assigns: one ``RawRecord`` per article with the text
untouched and whatever metadata the input carried, or a ``Rejection`` saying why an input
(file, line, row or entry) could not be read. Bad input never raises; one bad line of a
JSON Lines file does not stop the good lines around it.

Formats: seed text (a leading ``date YYYY-MM[-DD]`` header), plain text, JSON Lines, JSON
(one object or a list), CSV with a header row, HTML (trafilatura) and RSS/Atom feeds
(feedparser). With ``fmt="auto"`` a known extension decides, otherwise the content does.
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date as Date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TextIO

import charset_normalizer
import feedparser
import trafilatura
from trafilatura.settings import Document as ExtractedPage

from ..errors import (
    HINT_BINARY,
    HINT_EMPTY,
    HINT_ENCODING,
    HINT_JSON,
    HINT_NO_TEXT,
    HINT_TOO_BIG,
    HINT_UNREADABLE,
    UsageError,
)
from ..model import RawRecord, Rejection
from .clean import header_date

Result = RawRecord | Rejection

FORMATS = ("auto", "seed", "text", "jsonl", "json", "csv", "html", "feed")

# Extensions a directory walk picks up, and the format each implies under fmt="auto".
EXTENSIONS = {
    ".txt": "text", ".text": "text", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "csv", ".html": "html", ".htm": "html", ".xhtml": "html",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}

# Field names accepted in JSON and CSV records, first match wins (the documented interface).
ID_FIELDS = ("id",)
TEXT_FIELDS = ("text", "body", "content")
DATE_FIELDS = ("date", "published", "publication_date")
URL_FIELDS = ("url",)
TITLE_FIELDS = ("title",)
OUTLET_FIELDS = ("source", "outlet")

STDIN = "<stdin>"
_GLOB_CHARS = re.compile(r"[*?\[]")
_SNIFF_BYTES = 8192
# Share of control bytes above which a file is treated as binary; real text has almost none.
_MAX_CONTROL_SHARE = 0.05
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class _Input:
    """One decoded input file (or stdin) on its way to a format reader."""

    source: str
    name: str  # base name, used for external ids
    text: str
    data: bytes
    date: str | None
    max_bytes: int


# --------------------------------------------------------------------------- entry point


def read_inputs(paths: list[str], fmt: str = "auto", date: str | None = None,
                max_bytes: int = 20_000_000, stdin: TextIO | None = None) -> Iterator[Result]:
    """Read articles from files, directories, globs or "-" (stdin); yield records or rejections.

    Args:
        paths: files, directories (walked recursively, sorted, hidden entries skipped, only
            known extensions), glob patterns, or "-" for standard input.
        fmt: one of FORMATS; "auto" chooses by extension, then by content.
        date: publication date (ISO) for records that carry none, e.g. plain text files.
        max_bytes: inputs larger than this are rejected.
        stdin: the stream "-" reads (default ``sys.stdin``).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown input format {fmt!r} — use one of: {', '.join(FORMATS)}")
    # a separate generator, so a bad ``fmt`` raises at the call rather than at first iteration
    return _read_all(paths, fmt, date, max_bytes, stdin)


def _read_all(paths: list[str], fmt: str, date: str | None, max_bytes: int,
              stdin: TextIO | None) -> Iterator[Result]:
    """Read every path argument in order."""
    for given in paths:
        if given == "-":
            yield from _read_stream(stdin or sys.stdin, fmt, date, max_bytes)
            continue
        for item in expand_path(given):
            if isinstance(item, Rejection):
                yield item
            else:
                yield from _read_file(item[0], item[1], fmt, date, max_bytes)


def expand_path(given: str) -> Iterator[tuple[str, Path] | Rejection]:
    """The files one path argument stands for, as (source as shown to users, path).

    Args:
        given: a file, directory or glob pattern.
    """
    path = Path(given)
    if path.is_dir():
        files = list(_walk(path))
        if not files:
            yield Rejection(given, "the directory holds no input files (" + " ".join(EXTENSIONS) + ")",
                            HINT_UNREADABLE)
        yield from ((str(p), p) for p in files)
    elif path.exists() or not _GLOB_CHARS.search(given):
        yield given, path  # a missing file is rejected when it is read
    else:
        matches = sorted(glob.glob(given, recursive=True))
        if not matches:
            yield Rejection(given, "no file matches this pattern", HINT_UNREADABLE)
        for match in map(Path, matches):
            yield from ((str(p), p) for p in (_walk(match) if match.is_dir() else [match]))


def _walk(directory: Path) -> Iterator[Path]:
    """Input files under a directory: sorted, recursive, no hidden entries, known extensions."""
    for path in sorted(directory.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(directory).parts)
        if not hidden and path.suffix.lower() in EXTENSIONS and path.is_file():
            yield path


# --------------------------------------------------------------------------- bytes to text


def _read_file(source: str, path: Path, fmt: str, date: str | None, max_bytes: int) -> Iterator[Result]:
    """Read, check, decode and parse one file."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield Rejection(source, f"the file is {size:,} bytes, over the limit of {max_bytes:,}",
                            HINT_TOO_BIG)
            return
        data = path.read_bytes()
    except FileNotFoundError:
        yield Rejection(source, "no such file or directory", HINT_UNREADABLE)
        return
    except OSError as err:
        yield Rejection(source, f"cannot read the file: {err.strerror or err}", HINT_UNREADABLE)
        return
    yield from _parse(source, path.name, path.suffix.lower(), data, fmt, date, max_bytes)


def _read_stream(stream: TextIO, fmt: str, date: str | None, max_bytes: int) -> Iterator[Result]:
    """Read standard input (bytes when the stream has a buffer, so encodings are detected)."""
    buffer = getattr(stream, "buffer", None)
    try:
        data = buffer.read(max_bytes + 1) if buffer else stream.read(max_bytes + 1).encode("utf-8", "replace")
    except OSError as err:
        yield Rejection(STDIN, f"cannot read standard input: {err}", HINT_UNREADABLE)
        return
    if len(data) > max_bytes:
        yield Rejection(STDIN, f"standard input is over the limit of {max_bytes:,} bytes", HINT_TOO_BIG)
        return
    yield from _parse(STDIN, STDIN, "", data, fmt, date, max_bytes)


def _parse(source: str, name: str, suffix: str, data: bytes, fmt: str, date: str | None,
           max_bytes: int) -> Iterator[Result]:
    """Decode bytes, pick the format and run its reader."""
    text = decode_bytes(source, data)
    if isinstance(text, Rejection):
        yield text
        return
    kind = fmt if fmt != "auto" else detect_format(suffix, text)
    yield from _READERS[kind](_Input(source, name, text, data, date, max_bytes), kind)


def decode_bytes(source: str, data: bytes) -> str | Rejection:
    """Bytes to text: UTF-8 (or a BOM's encoding), else the encoding charset-normalizer finds.

    Args:
        source: the input's name, for the rejection message.
        data: the file's bytes.
    """
    if not data.strip():
        return Rejection(source, "the file is empty" if not data else "the file holds only whitespace",
                         HINT_EMPTY)
    text = _decode_with_bom(data)
    if text is None:
        problem = _binary_problem(data)
        if problem:
            return Rejection(source, problem, HINT_BINARY)
        text = _decode_without_bom(data)
    if text is None:
        return Rejection(source, "the bytes are not UTF-8 and no known text encoding fits them",
                         HINT_ENCODING)
    if not text.strip():
        return Rejection(source, "the file holds no text after decoding", HINT_EMPTY)
    return text


def _decode_with_bom(data: bytes) -> str | None:
    """Text of UTF-16/32 data marked by a byte-order mark (such files contain NUL bytes)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _binary_problem(data: bytes) -> str | None:
    """Why the data looks binary (NUL bytes, many control bytes), or None for text."""
    if b"\x00" in data:
        return f"the file contains NUL bytes (the first at byte {data.index(0):,})"
    sample = data[:_SNIFF_BYTES]
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    if controls > _MAX_CONTROL_SHARE * len(sample):
        return f"{controls} of the first {len(sample)} bytes are control characters"
    return None


def _decode_without_bom(data: bytes) -> str | None:
    """UTF-8 first (most inputs), then charset-normalizer's best guess, else None."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        return str(best) if best is not None else None


def detect_format(suffix: str, text: str) -> str:
    """The format of an input: its extension when known and not .txt, else sniffed content.

    Args:
        suffix: lower-case file extension with the dot ("" for stdin).
        text: the decoded content.
    """
    by_extension = EXTENSIONS.get(suffix)
    if by_extension and by_extension != "text":
        return by_extension
    head = text.lstrip()[:1024].casefold()
    if head.startswith("<"):
        return "feed" if re.search(r"<(rss|feed|rdf:rdf)\b", head) else "html"
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        return "json" if _is_single_json(text) else "jsonl"
    return "seed" if header_date(text) else "text"


def _is_single_json(text: str) -> bool:
    """Whether the whole text is one JSON document."""
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


# --------------------------------------------------------------------------- format readers


def _read_text(inp: _Input, kind: str) -> Iterator[Result]:
    """A whole file is one article; a leading date header gives its date."""
    yield RawRecord(source=inp.source, text=inp.text, external_id=inp.name,
                    published=header_date(inp.text) or inp.date, format=kind)


def _read_jsonl(inp: _Input, kind: str = "jsonl") -> Iterator[Result]:
    """One JSON object per line; bad lines are rejected one by one."""
    # split on "\n" only: str.splitlines would also split on U+2028, legal inside JSON strings
    for number, line in enumerate(inp.text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield Rejection(inp.source, f"line {number} is not valid JSON: {err.msg} at column {err.colno}",
                            HINT_JSON, number)
            continue
        yield _record_from_mapping(inp, obj, number, f"line {number}", "jsonl")


def _read_json(inp: _Input, kind: str) -> Iterator[Result]:
    """A JSON document holding one object or a list of objects (JSON Lines as a fallback)."""
    try:
        data = json.loads(inp.text)
    except json.JSONDecodeError as err:
        if inp.text.lstrip().startswith("{"):
            # many tools write JSON Lines under a .json name
            yield from _read_jsonl(inp)
            return
        yield Rejection(inp.source, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}",
                        HINT_JSON, err.lineno)
        return
    if not isinstance(data, list):
        yield _record_from_mapping(inp, data, None, "the JSON document", "json")
        return
    for index, obj in enumerate(data, 1):
        yield _record_from_mapping(inp, obj, index, f"item {index} of the JSON list", "json")


def _read_csv(inp: _Input, kind: str) -> Iterator[Result]:
    """A CSV (or TSV/semicolon) table with a header row; each row one record."""
    csv.field_size_limit(max(csv.field_size_limit(), inp.max_bytes))  # articles exceed the 128 kB default
    reader = csv.reader(io.StringIO(inp.text, newline=""), delimiter=_delimiter(inp.text))
    try:
        header = [name.strip() for name in next(reader, [])]
        row_start = reader.line_num + 1
        for row in reader:
            line, row_start = row_start, reader.line_num + 1
            if any(cell.strip() for cell in row):
                mapping = {name: cell for name, cell in zip(header, row, strict=False) if cell.strip()}
                yield _record_from_mapping(inp, mapping, line, f"the row on line {line}", "csv")
    except csv.Error as err:
        yield Rejection(inp.source, f"CSV cannot be parsed at line {reader.line_num}: {err}",
                        HINT_ENCODING, reader.line_num)


def _delimiter(text: str) -> str:
    """The header row's most frequent separator among comma, semicolon and tab."""
    first_line = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first_line.count)


def _read_html(inp: _Input, kind: str) -> Iterator[Result]:
    """The main text, title, date and site name of an HTML page (trafilatura)."""
    doc = trafilatura.bare_extraction(inp.text, with_metadata=True, include_comments=False,
                                      include_tables=False)
    if not isinstance(doc, ExtractedPage) or not (doc.text or "").strip():
        yield Rejection(inp.source, "no article text found in the HTML page", HINT_EMPTY)
        return
    yield RawRecord(source=inp.source, text=doc.text or "", external_id=inp.name, url=doc.url, title=doc.title,
                    published=doc.date or inp.date, outlet=doc.sitename, format="html")


def _read_feed(inp: _Input, kind: str) -> Iterator[Result]:
    """RSS/Atom entries, one record each, text from content or summary without HTML."""
    # a stream, so feedparser never treats the content as a URL to fetch
    parsed = feedparser.parse(io.BytesIO(inp.data))
    if not parsed.entries:
        why = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        yield Rejection(inp.source, f"no feed entries found{why}", HINT_EMPTY)
        return
    outlet = parsed.feed.get("title") or None
    for index, entry in enumerate(parsed.entries, 1):
        yield _record_from_entry(inp, entry, index, outlet)


def _record_from_entry(inp: _Input, entry: Any, index: int, outlet: str | None) -> Result:
    """One feed entry as a record, or a rejection when it has no text."""
    markup = entry.content[0].get("value", "") if entry.get("content") else entry.get("summary", "")
    text = html_to_text(markup or "")
    if not text:
        return Rejection(inp.source, f"feed entry {index} has no content or summary", HINT_NO_TEXT, index)
    extra = {"author": entry["author"]} if entry.get("author") else {}
    if entry.get("tags"):
        extra["tags"] = [tag.get("term") for tag in entry.tags if tag.get("term")]
    return RawRecord(source=inp.source, text=text, line=index,
                     external_id=entry.get("id") or f"{inp.name}#{index}", url=entry.get("link"),
                     title=entry.get("title"), published=_entry_date(entry) or inp.date,
                     outlet=outlet, format="feed", extra=extra)


def _entry_date(entry: Any) -> str | None:
    """An entry's published (or updated) date as ISO, or as written when unparsed."""
    for key in ("published", "updated"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return Date(*parsed[:3]).isoformat()
        if entry.get(key):
            return str(entry[key])
    return None


_READERS: dict[str, Callable[[_Input, str], Iterator[Result]]] = {
    "seed": _read_text, "text": _read_text, "jsonl": _read_jsonl, "json": _read_json,
    "csv": _read_csv, "html": _read_html, "feed": _read_feed,
}


# --------------------------------------------------------------------------- records


_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
               type(None): "null"}


def _pick(obj: dict[str, Any], keys: dict[str, str], names: tuple[str, ...]) -> tuple[str | None, Any]:
    """(original key, value) of the first of ``names`` that ``obj`` fills, else (None, None)."""
    for name in names:
        key = keys.get(name)
        if key is not None and obj[key] not in (None, ""):
            return key, obj[key]
    return None, None


def _record_from_mapping(inp: _Input, obj: Any, line: int | None, where: str, kind: str) -> Result:
    """A JSON object or CSV row as a record; fields not used go to ``extra``."""
    if not isinstance(obj, dict):
        kind_name = _JSON_TYPES.get(type(obj), type(obj).__name__)
        return Rejection(inp.source, f"{where} is a JSON {kind_name}, not an object", HINT_JSON, line)
    keys = {str(key).strip().lower(): key for key in obj}  # "Text" and " text" are text too
    picked = {name: _pick(obj, keys, names) for name, names in (
        ("id", ID_FIELDS), ("text", TEXT_FIELDS), ("date", DATE_FIELDS), ("url", URL_FIELDS),
        ("title", TITLE_FIELDS), ("outlet", OUTLET_FIELDS))}
    text = picked["text"][1]
    if not isinstance(text, str) or not text.strip():
        return Rejection(inp.source, f"{where} has no text (no non-empty text, body or content field)",
                         HINT_NO_TEXT, line)
    used = {key for key, _ in picked.values() if key is not None}
    default_id = inp.name if line is None else f"{inp.name}#{line}"
    return RawRecord(
        source=inp.source, text=text, line=line,
        external_id=_as_str(picked["id"][1]) or default_id,
        url=_as_str(picked["url"][1]), title=_as_str(picked["title"][1]),
        published=_as_str(picked["date"][1]) or inp.date, outlet=_as_str(picked["outlet"][1]),
        format=kind, extra={key: value for key, value in obj.items() if key not in used},
    )


def _as_str(value: Any) -> str | None:
    """A field value as a stripped string, None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --------------------------------------------------------------------------- HTML to text

_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                         "tr", "section", "article", "figcaption", "pre", "ul", "ol", "table"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment, a paragraph break at each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skipping += tag in _SKIP_TAGS
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        self.skipping -= tag in _SKIP_TAGS and self.skipping > 0
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (feed summaries): entities decoded, blocks as paragraphs.

    Args:
        markup: HTML or plain text.
    """
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    blocks = re.split(r"\n\s*\n", "".join(collector.parts))
    return "\n\n".join(" ".join(block.split()) for block in blocks if block.strip())
