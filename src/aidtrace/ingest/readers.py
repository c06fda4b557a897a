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
import errno
import fnmatch
import glob
import io
import json
import os
import re
import select
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date as Date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TextIO

import charset_normalizer

from ..errors import (
    HINT_BINARY,
    HINT_BUG,
    HINT_CSV,
    HINT_DEPTH,
    HINT_EMPTY,
    HINT_ENCODING,
    HINT_FIELD_TYPE,
    HINT_JSON,
    HINT_NO_TEXT,
    HINT_NUL,
    HINT_SPECIAL_FILE,
    HINT_TOO_BIG,
    HINT_UNREADABLE,
    UsageError,
)
from ..model import Notice, RawRecord, Rejection
from .clean import header_date

Result = RawRecord | Rejection | Notice

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

# Limits every reader applies (besides the byte limit of each input, --max-bytes).
MAX_DEPTH = 64  # nesting of JSON arrays and objects in one record
MAX_TEXT_CHARS = 1_000_000  # characters of text in one record (spaCy's own limit)
MAX_FIELD_CHARS = 10_000  # characters of a metadata field (id, url, title, date, outlet)
STREAM_IDLE_SECONDS = 10.0  # a pipe or device that sends nothing this long is given up
_NUL_MARK = "\ufffe"  # stands in for NUL while CSV is parsed (the csv module refuses NUL)


@dataclass(frozen=True)
class InputUnit:
    """One input to read: a file path (read where the unit is processed) or bytes already read.

    Units are small and picklable, so a Dask worker can read the files of its partition.
    """

    source: str  # as shown to users
    name: str  # base name, used for external ids
    suffix: str = ""
    path: str | None = None
    data: bytes | None = None


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
    """Read articles from files, directories, globs or "-" (stdin); yield records, rejections
    and notices (warnings about records that were kept).

    Args:
        paths: files, directories (walked recursively, sorted, hidden entries skipped, only
            known extensions), glob patterns, or "-" for standard input.
        fmt: one of FORMATS; "auto" chooses by extension, then by content.
        date: publication date (ISO) for records that carry none, e.g. plain text files.
        max_bytes: inputs larger than this are rejected.
        stdin: the stream "-" reads (default ``sys.stdin``).
    """
    check_format(fmt)
    # a separate generator, so a bad ``fmt`` raises at the call rather than at first iteration
    return _read_all(paths, fmt, date, max_bytes, stdin)


def check_format(fmt: str) -> None:
    """Raise a UsageError for an unknown input format."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown input format {fmt!r} — use one of: {', '.join(FORMATS)}")


def _read_all(paths: list[str], fmt: str, date: str | None, max_bytes: int,
              stdin: TextIO | None) -> Iterator[Result]:
    for unit in input_units(paths, max_bytes, stdin):
        if isinstance(unit, Rejection):
            yield unit
        else:
            yield from read_unit(unit, fmt, date, max_bytes)


def input_units(paths: list[str], max_bytes: int = 20_000_000,
                stdin: TextIO | None = None) -> Iterator[InputUnit | Rejection]:
    """The inputs the path arguments stand for, in order (stdin is read here, files are not).

    Args:
        paths: files, directories, globs, or "-".
        max_bytes: the limit for standard input.
        stdin: the stream "-" reads (default ``sys.stdin``).
    """
    for given in paths:
        if given == "-":
            data = _read_stream(stdin or sys.stdin, max_bytes)
            yield data if isinstance(data, Rejection) else InputUnit(STDIN, STDIN, "", data=data)
            continue
        for item in expand_path(given):
            if isinstance(item, Rejection):
                yield item
            else:
                source, path = item
                yield InputUnit(source, path.name, path.suffix.lower(), path=str(path))


def read_unit(unit: InputUnit, fmt: str = "auto", date: str | None = None,
              max_bytes: int = 20_000_000) -> Iterator[Result]:
    """Read one input: its bytes (bounded), decoded text, and the records of its format."""
    data = unit.data if unit.data is not None else read_path(unit.source, Path(unit.path or unit.source),
                                                             max_bytes)
    if isinstance(data, Rejection):
        yield data
        return
    if len(data) > max_bytes:
        yield Rejection(unit.source, f"the input is {len(data):,} bytes, over the limit of {max_bytes:,}",
                        HINT_TOO_BIG)
        return
    yield from _parse(unit.source, unit.name, unit.suffix, data, fmt, date, max_bytes)


# --------------------------------------------------------------------------- paths


def expand_path(given: str) -> Iterator[tuple[str, Path] | Rejection]:
    """The files one path argument stands for, as (source as shown to users, path).

    Directories are walked and ``**`` globs expanded without following a symbolic link into a
    directory already visited, so link loops end.

    Args:
        given: a file, directory or glob pattern.
    """
    path = Path(given)
    if path.is_dir():
        files = list(walk(path))
        if not files:
            yield Rejection(given, "the directory holds no input files (" + " ".join(EXTENSIONS) + ")",
                            HINT_UNREADABLE)
        yield from ((str(p), p) for p in files)
    elif path.exists() or path.is_symlink() or not _GLOB_CHARS.search(given):
        yield given, path  # a missing file is rejected when it is read
    else:
        matches = _glob(given)
        if not matches:
            yield Rejection(given, "no file matches this pattern", HINT_UNREADABLE)
        seen: set[Path] = set()
        for match in matches:
            for p in walk(match) if match.is_dir() else [match]:
                if p not in seen:
                    seen.add(p)
                    yield str(p), p


def walk(directory: Path) -> Iterator[Path]:
    """Input files under a directory: sorted, recursive, no hidden entries, known extensions.

    Each real directory is entered once (by device and inode), so symbolic link loops end.
    """
    for path, is_dir in _entries(directory):
        if not is_dir and path.suffix.lower() in EXTENSIONS:
            yield path


def _entries(directory: Path) -> Iterator[tuple[Path, bool]]:
    """Every non-hidden entry under ``directory`` depth first in name order, as (path, is_dir);
    files are regular files (special files are left out)."""
    seen: set[tuple[int, int]] = set()
    stack: list[Iterator[os.DirEntry[str]]] = []

    def enter(path: Path) -> None:
        try:
            info = path.stat()
            key = (info.st_dev, info.st_ino)
            if key in seen:
                return
            seen.add(key)
            stack.append(iter(sorted(os.scandir(path), key=lambda e: e.name)))
        except OSError:
            return  # unreadable directories hold nothing we can read

    enter(directory)
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if is_dir:
            yield Path(entry.path), True
            enter(Path(entry.path))
        elif is_file:
            yield Path(entry.path), False


def _glob(pattern: str) -> list[Path]:
    """Paths matching a glob; ``**`` matches any number of directories, walked loop-safely."""
    if "**" not in pattern:
        return sorted(map(Path, glob.glob(pattern)))
    parts = Path(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if _GLOB_CHARS.search(part))
    base = Path(*parts[:fixed]) if fixed else Path(".")
    wanted = parts[fixed:]
    found = [path for path, _ in _entries(base) if _match_parts(wanted, path.relative_to(base).parts)]
    if _match_parts(wanted, ()):
        found.append(base)
    return sorted(found)


def _match_parts(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Whether path parts match glob parts, where a ``**`` part stands for zero or more parts."""
    memo: dict[tuple[int, int], bool] = {}

    def match(i: int, j: int) -> bool:
        if (i, j) not in memo:
            if i == len(pattern):
                result = j == len(parts)
            elif pattern[i] == "**":
                result = match(i + 1, j) or (j < len(parts) and match(i, j + 1))
            else:
                result = j < len(parts) and fnmatch.fnmatchcase(parts[j], pattern[i]) and match(i + 1, j + 1)
            memo[i, j] = result
        return memo[i, j]

    return match(0, 0)


# --------------------------------------------------------------------------- bytes


def read_path(source: str, path: Path, max_bytes: int) -> bytes | Rejection:
    """The bytes of a file, at most ``max_bytes``; pipes and devices are read with a bound too.

    Args:
        source: the path as shown to users.
        path: the file.
        max_bytes: the limit; a larger input is rejected without reading it all.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            return Rejection(source, "this is a directory that could not be walked", HINT_UNREADABLE)
        if stat.S_ISREG(info.st_mode):
            if info.st_size > max_bytes:
                return Rejection(source, f"the file is {info.st_size:,} bytes, over the limit of {max_bytes:,}",
                                 HINT_TOO_BIG)
            with path.open("rb") as fh:
                data = fh.read(max_bytes + 1)
        elif stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode):
            return _read_special(source, path, max_bytes)
        else:
            return Rejection(source, "this is a socket or block device, not a file", HINT_SPECIAL_FILE)
    except FileNotFoundError:
        return Rejection(source, "no such file or directory", HINT_UNREADABLE)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return Rejection(source, "the path is a loop of symbolic links", HINT_UNREADABLE)
        return Rejection(source, f"cannot read the file: {err.strerror or err}", HINT_UNREADABLE)
    if len(data) > max_bytes:
        return Rejection(source, f"the file grew over the limit of {max_bytes:,} bytes while it was read",
                         HINT_TOO_BIG)
    return data


def _read_special(source: str, path: Path, max_bytes: int) -> bytes | Rejection:
    """Read a FIFO or character device without blocking for ever and without passing the limit."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], STREAM_IDLE_SECONDS)
            if not ready:
                return Rejection(source, f"nothing arrived from this pipe or device for "
                                         f"{STREAM_IDLE_SECONDS:g} seconds", HINT_SPECIAL_FILE)
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                return Rejection(source, f"this pipe or device sends more than the limit of {max_bytes:,} bytes",
                                 HINT_TOO_BIG)
    finally:
        os.close(fd)


def _read_stream(stream: TextIO, max_bytes: int) -> bytes | Rejection:
    """Standard input as bytes (when the stream has a buffer, so encodings are detected)."""
    buffer = getattr(stream, "buffer", None)
    try:
        data = buffer.read(max_bytes + 1) if buffer else stream.read(max_bytes + 1).encode("utf-8", "replace")
    except (OSError, ValueError) as err:
        return Rejection(STDIN, f"cannot read standard input: {err}", HINT_UNREADABLE)
    if len(data) > max_bytes:
        return Rejection(STDIN, f"standard input is over the limit of {max_bytes:,} bytes", HINT_TOO_BIG)
    return bytes(data)


# --------------------------------------------------------------------------- bytes to text


def _parse(source: str, name: str, suffix: str, data: bytes, fmt: str, date: str | None,
           max_bytes: int) -> Iterator[Result]:
    """Decode bytes, pick the format and run its reader (whose failures cost this input only)."""
    decoded = decode(source, data)
    if isinstance(decoded, Rejection):
        yield decoded
        return
    text, warnings = decoded
    yield from (Notice(source, warning) for warning in warnings)
    kind = fmt if fmt != "auto" else detect_format(suffix, text)
    try:
        yield from _READERS[kind](_Input(source, name, text, data, date, max_bytes), kind)
    except Exception as err:  # a parser bug must cost this input, not the run
        yield Rejection(source, f"cannot read this {kind} input ({type(err).__name__}: {_one_line(err)})",
                        HINT_BUG)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or "no message"


def decode_bytes(source: str, data: bytes) -> str | Rejection:
    """Bytes to text (see ``decode``), without the warnings."""
    decoded = decode(source, data)
    return decoded if isinstance(decoded, Rejection) else decoded[0]


def decode(source: str, data: bytes) -> tuple[str, list[str]] | Rejection:
    """Bytes to text and warnings: UTF-8 (or a BOM's encoding); UTF-8 with the bad bytes replaced
    when most of the file is UTF-8; else the encoding charset-normalizer finds, said in a warning.

    Args:
        source: the input's name, for the rejection message.
        data: the file's bytes.
    """
    if not data.strip():
        return Rejection(source, "the file is empty" if not data else "the file holds only whitespace",
                         HINT_EMPTY)
    text = _decode_with_bom(data)
    warnings: list[str] = []
    if text is None:
        problem = _binary_problem(data)
        if problem:
            return Rejection(source, problem, HINT_BINARY)
        decoded = _decode_without_bom(data)
        if decoded is None:
            return Rejection(source, "the bytes are not UTF-8 and no known text encoding fits them",
                             HINT_ENCODING)
        text, warnings = decoded
    if not text.strip():
        return Rejection(source, "the file holds no text after decoding", HINT_EMPTY)
    return text, warnings


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
    """Why the data looks binary (many NUL or control bytes), or None for text.

    A few NUL bytes do not make a file binary: JSON Lines and CSV readers reject the lines
    holding them, other readers the record.
    """
    sample = data[:_SNIFF_BYTES]
    nuls = sample.count(0)
    if nuls > 2 and nuls > 0.01 * len(sample):
        return f"the file contains NUL bytes (the first at byte {data.index(0):,})"
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    if controls > _MAX_CONTROL_SHARE * len(sample):
        return f"{controls} of the first {len(sample)} bytes are control characters"
    return None


def _decode_without_bom(data: bytes) -> tuple[str, list[str]] | None:
    """UTF-8 when it fits or nearly fits (bad bytes replaced, with a warning), else
    charset-normalizer's best guess (with a warning naming it), else None."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        first_bad = err.start
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if non_ascii - bad >= bad:  # most non-ASCII characters are well-formed UTF-8
        return text, [f"{bad:,} byte sequence(s) are not valid UTF-8 (the first at byte {first_bad:,}) and "
                      "were replaced by U+FFFD — save the file as UTF-8 to keep them"]
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return None
    return str(best), [f"the file is not UTF-8; it was read as {best.encoding} — save it as UTF-8 "
                       "to be sure the text is right"]


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
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        return False
    return True


# --------------------------------------------------------------------------- format readers


def _read_text(inp: _Input, kind: str) -> Iterator[Result]:
    """A whole file is one article; a leading date header gives its date."""
    yield _checked(inp, None, "the file", RawRecord(
        source=inp.source, text=inp.text, external_id=inp.name,
        published=header_date(inp.text) or inp.date, format=kind))


class _JsonProblem(ValueError):
    """Why a piece of JSON is refused, with its position when known."""

    def __init__(self, reason: str, line: int | None = None, hint: str = HINT_JSON):
        super().__init__(reason)
        self.reason, self.line, self.hint = reason, line, hint


def _refuse_constant(name: str) -> Any:
    raise _JsonProblem(f"{name} is not a JSON value (JSON has no NaN or Infinity)")


def load_json(text: str) -> Any:
    """Parse JSON with aidtrace's limits: no NaN/Infinity, at most ``MAX_DEPTH`` levels of nesting.

    Raises:
        _JsonProblem: the reason, with the line of a syntax error.
    """
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise _JsonProblem(f"not valid JSON: {err.msg.removesuffix(' at')} at line {err.lineno} column {err.colno}",
                           err.lineno) from err
    except RecursionError as err:
        raise _JsonProblem(f"the JSON is nested more than {MAX_DEPTH} levels deep", hint=HINT_DEPTH) from err
    except _JsonProblem:
        raise
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        raise _JsonProblem(f"a JSON number cannot be read ({_one_line(err)})") from err
    if _depth(value) > MAX_DEPTH:
        raise _JsonProblem(f"the JSON is nested more than {MAX_DEPTH} levels deep", hint=HINT_DEPTH)
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (iterative: any depth is safe)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _read_jsonl(inp: _Input, kind: str = "jsonl") -> Iterator[Result]:
    """One JSON object per line; bad lines are rejected one by one."""
    # split on "\n" only: str.splitlines would also split on U+2028, legal inside JSON strings
    for number, line in enumerate(inp.text.split("\n"), 1):
        if not line.strip():
            continue
        if "\x00" in line:
            yield Rejection(inp.source, f"line {number} contains a NUL byte", HINT_NUL, number)
            continue
        try:
            obj = load_json(line)
        except _JsonProblem as err:
            reason = err.reason.replace(" at line 1 column", " at column")
            reason = f"line {number} is {reason}" if reason.startswith("not valid") else f"line {number}: {reason}"
            yield Rejection(inp.source, reason, err.hint, number)
            continue
        yield _record_from_mapping(inp, obj, number, f"line {number}", "jsonl")


def _read_json(inp: _Input, kind: str) -> Iterator[Result]:
    """A JSON document holding one object or a list of objects (JSON Lines as a fallback)."""
    try:
        data = load_json(inp.text)
    except _JsonProblem as err:
        if inp.text.lstrip().startswith("{") and "\n" in inp.text.strip():
            # many tools write JSON Lines under a .json name
            yield from _read_jsonl(inp)
            return
        yield Rejection(inp.source, err.reason, err.hint, err.line)
        return
    if not isinstance(data, list):
        yield _record_from_mapping(inp, data, None, "the JSON document", "json")
        return
    for index, obj in enumerate(data, 1):
        yield _record_from_mapping(inp, obj, index, f"item {index} of the JSON list", "json")


def _read_csv(inp: _Input, kind: str) -> Iterator[Result]:
    """A CSV (or TSV/semicolon) table with a header row; each row one record, bad rows rejected."""
    csv.field_size_limit(max(csv.field_size_limit(), inp.max_bytes))  # articles exceed the 128 kB default
    text = inp.text.replace("\x00", _NUL_MARK)  # the csv module stops at NUL; reject those rows instead
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    header: list[str] | None = None
    row_start = 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as err:
            yield Rejection(inp.source, f"the row on line {row_start} cannot be parsed as CSV: {err}",
                            HINT_CSV, row_start)
            row_start = reader.line_num + 1
            continue
        if row is None:
            return
        line, row_start = row_start, reader.line_num + 1
        if header is None:
            header = [name.strip() for name in row]
        elif any(_NUL_MARK in cell for cell in row):
            yield Rejection(inp.source, f"the row on line {line} contains a NUL byte", HINT_NUL, line)
        elif any(cell.strip() for cell in row):
            mapping = {name: cell for name, cell in zip(header, row, strict=False) if cell.strip()}
            yield _record_from_mapping(inp, mapping, line, f"the row on line {line}", "csv")


def _delimiter(text: str) -> str:
    """The header row's most frequent separator among comma, semicolon and tab."""
    first_line = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first_line.count)


def _read_html(inp: _Input, kind: str) -> Iterator[Result]:
    """The main text, title, date and site name of an HTML page (trafilatura)."""
    import trafilatura  # here: a fifth of a second, needed only for HTML
    from trafilatura.settings import Document as ExtractedPage

    doc = trafilatura.bare_extraction(inp.text, with_metadata=True, include_comments=False,
                                      include_tables=False)
    if not isinstance(doc, ExtractedPage) or not (doc.text or "").strip():
        yield Rejection(inp.source, "no article text found in the HTML page", HINT_EMPTY)
        return
    yield _checked(inp, None, "the page", RawRecord(
        source=inp.source, text=doc.text or "", external_id=inp.name, url=doc.url, title=doc.title,
        published=doc.date or inp.date, outlet=doc.sitename, format="html"))


def _read_feed(inp: _Input, kind: str) -> Iterator[Result]:
    """RSS/Atom entries, one record each, text from content or summary without HTML."""
    import feedparser  # here: needed only for feeds

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
    return _checked(inp, index, f"feed entry {index}", RawRecord(
        source=inp.source, text=text, line=index, external_id=entry.get("id") or f"{inp.name}#{index}",
        url=entry.get("link"), title=entry.get("title"), published=_entry_date(entry) or inp.date,
        outlet=outlet, format="feed", extra=extra))


def _entry_date(entry: Any) -> str | None:
    """An entry's published (or updated) date as ISO, or as written when unparsed."""
    for key in ("published", "updated"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            try:
                return Date(*parsed[:3]).isoformat()
            except (TypeError, ValueError):
                pass
        if entry.get(key):
            return str(entry[key])
    return None


_READERS: dict[str, Callable[[_Input, str], Iterator[Result]]] = {
    "seed": _read_text, "text": _read_text, "jsonl": _read_jsonl, "json": _read_json,
    "csv": _read_csv, "html": _read_html, "feed": _read_feed,
}


# --------------------------------------------------------------------------- records


_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean",
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
    key, text = picked["text"]
    if text is not None and not isinstance(text, str):
        kind_name = _JSON_TYPES.get(type(text), type(text).__name__)
        return Rejection(inp.source, f"{where}: the field {key!r} is a JSON {kind_name}, not a string",
                         HINT_FIELD_TYPE, line)
    if not isinstance(text, str) or not text.strip():
        return Rejection(inp.source, f"{where} has no text (no non-empty text, body or content field)",
                         HINT_NO_TEXT, line)
    for name in ("id", "date", "url", "title", "outlet"):
        key, value = picked[name]
        if value is not None and (isinstance(value, dict | list | bool)):
            kind_name = _JSON_TYPES.get(type(value), type(value).__name__)
            return Rejection(inp.source, f"{where}: the field {key!r} is a JSON {kind_name}, not a string",
                             HINT_FIELD_TYPE, line)
    used = {key for key, _ in picked.values() if key is not None}
    default_id = inp.name if line is None else f"{inp.name}#{line}"
    return _checked(inp, line, where, RawRecord(
        source=inp.source, text=text, line=line,
        external_id=_as_str(picked["id"][1]) or default_id,
        url=_as_str(picked["url"][1]), title=_as_str(picked["title"][1]),
        published=_as_str(picked["date"][1]) or inp.date, outlet=_as_str(picked["outlet"][1]),
        format=kind, extra={key: value for key, value in obj.items() if key not in used},
    ))


def _checked(inp: _Input, line: int | None, where: str, rec: RawRecord) -> Result:
    """The record, or a rejection when it breaks a limit every reader applies."""
    if len(rec.text) > MAX_TEXT_CHARS:
        return Rejection(inp.source, f"{where} holds {len(rec.text):,} characters of text, over the limit "
                                     f"of {MAX_TEXT_CHARS:,}", HINT_TOO_BIG, line)
    fields = {"text": rec.text, "id": rec.external_id, "url": rec.url, "title": rec.title,
              "date": rec.published, "source": rec.outlet}
    if any("\x00" in value for value in fields.values() if value) or _has_nul(rec.extra):
        return Rejection(inp.source, f"{where} contains a NUL character", HINT_NUL, line)
    for name, value in fields.items():
        if name != "text" and value and len(value) > MAX_FIELD_CHARS:
            return Rejection(inp.source, f"{where}: the {name} field holds {len(value):,} characters, over "
                                         f"the limit of {MAX_FIELD_CHARS:,}", HINT_FIELD_TYPE, line)
    return rec


def _has_nul(value: Any) -> bool:
    """Whether a string anywhere in a (depth-limited) JSON value holds a NUL character."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


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
