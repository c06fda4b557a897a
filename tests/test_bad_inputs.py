"""The catalogue of bad inputs (docs/BAD_INPUT.md): each kind gives its one-line message, the
run goes on, and no traceback reaches the user (issue 11).

Every case builds its input on disk, runs the real ``aidtrace ingest`` command, and checks the
line printed for it on standard error: ``rejected SOURCE[:LINE]: REASON — HINT`` or, for inputs
that are kept with a change, ``warning SOURCE[:LINE]: MESSAGE``.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidtrace.cli import app
from conftest import REPO

GOOD = "Germany will send two more air defence systems to Ukraine, the defence ministry said on Thursday."
GOOD_LINE = json.dumps({"id": "ok", "text": GOOD, "date": "2025-06-12"})


def _write(name: str, content: str | bytes) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        path = tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return [str(path)]
    return make


def _jsonl(*lines: str) -> Callable[[Path], list[str]]:
    return _write("in.jsonl", "\n".join([GOOD_LINE, *lines, GOOD_LINE.replace('"ok"', '"ok2"')]) + "\n")


def _empty_dir(tmp: Path) -> list[str]:
    (tmp / "empty").mkdir()
    (tmp / "empty" / "notes.docx").write_bytes(b"PK")
    return [str(tmp / "empty")]


def _link_loop(tmp: Path) -> list[str]:
    (tmp / "a.txt").symlink_to(tmp / "b.txt")
    (tmp / "b.txt").symlink_to(tmp / "a.txt")
    return [str(tmp / "a.txt")]


def _fifo(tmp: Path) -> list[str]:
    os.mkfifo(tmp / "pipe.txt")
    return [str(tmp / "pipe.txt")]


def _socket(tmp: Path) -> list[str]:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp / "s.txt"))
    return [str(tmp / "s.txt")]


NESTED = '{"id": "deep", "text": "x", "extra": ' + "[" * 1000 + "]" * 1000 + "}"

# (kind, input maker, extra arguments, expected line on stderr as a regex)
CATALOGUE: list[tuple[str, Callable[[Path], list[str]], list[str], str]] = [
    ("empty file", _write("e.txt", b""), [], r"rejected \S+e\.txt: the file is empty — the file has no text"),
    ("only whitespace", _write("w.txt", " \n\t\n"), [], r"rejected \S+w\.txt: the file holds only whitespace"),
    ("binary file", _write("b.txt", bytes(range(1, 32)) * 50), [], r"rejected \S+b\.txt: \d+ of the first \d+ bytes are control characters — this looks like a binary file"),
    ("NUL-filled file", _write("n.txt", b"\x00" * 500), [], r"rejected \S+n\.txt: the file contains NUL bytes \(the first at byte 0\)"),
    ("file over --max-bytes", _write("big.txt", GOOD * 10), ["--max-bytes", "100"], r"rejected \S+big\.txt: the file is \d[\d,]* bytes, over the limit of 100 — split the file, or raise the limit with --max-bytes"),
    ("missing file", lambda tmp: [str(tmp / "nope.txt")], [], r"rejected \S+nope\.txt: no such file or directory — check the path exists"),
    ("directory without inputs", _empty_dir, [], r"rejected \S+empty: the directory holds no input files"),
    ("glob without matches", lambda tmp: [str(tmp / "*.jsonl")], [], r"rejected \S+\*\.jsonl: no file matches this pattern"),
    ("symbolic link loop", _link_loop, [], r"rejected \S+a\.txt: the path is a loop of symbolic links"),
    ("endless device", lambda tmp: ["/dev/zero"], ["--max-bytes", "1000"], r"rejected /dev/zero: this pipe or device sends more than the limit of 1,000 bytes"),
    ("FIFO without a writer", _fifo, [], r"rejected \S+pipe\.txt: nothing arrived from this pipe or device for 10 seconds"),
    ("socket", _socket, [], r"rejected \S+s\.txt: this is a socket or block device, not a file — save the data to a regular file"),
    ("broken JSON line", _jsonl('{"id": "x", "text": "unterminated'), [], r"rejected \S+in\.jsonl:2: line 2 is not valid JSON: Unterminated string starting at column \d+ — fix the JSON on that line"),
    ("deeply nested JSON line", _jsonl(NESTED), [], r"rejected \S+in\.jsonl:2: line 2: the JSON is nested more than 64 levels deep — flatten the record"),
    ("NaN in JSON", _jsonl('{"id": "nan", "text": "x", "score": NaN}'), [], r"rejected \S+in\.jsonl:2: line 2: NaN is not a JSON value \(JSON has no NaN or Infinity\)"),
    ("integer of 5,000 digits", _jsonl('{"id": "big", "text": "x", "n": ' + "9" * 5000 + "}"), [], r"rejected \S+in\.jsonl:2: line 2: a JSON number cannot be read"),
    ("NUL byte in a JSON line", _jsonl('{"id": "nul", "text": "a\x00b"}'), [], r"rejected \S+in\.jsonl:2: line 2 contains a NUL byte — remove the NUL bytes"),
    ("escaped NUL in JSON text", _jsonl('{"id": "nul", "text": "a\\u0000b"}'), [], r"rejected \S+in\.jsonl:2: line 2 contains a NUL character — remove the NUL bytes"),
    ("JSON line that is not an object", _jsonl("[1, 2]"), [], r"rejected \S+in\.jsonl:2: line 2 is a JSON array, not an object"),
    ("record without text", _jsonl('{"id": "t", "title": "only a title"}'), [], r"rejected \S+in\.jsonl:2: line 2 has no text \(no non-empty text, body or content field\) — give the record a text"),
    ("text that is not a string", _jsonl('{"id": "t", "text": {"p": "x"}}'), [], r"rejected \S+in\.jsonl:2: line 2: the field 'text' is a JSON object, not a string"),
    ("metadata field of the wrong type", _jsonl('{"id": "t", "text": "Some text.", "title": ["a"]}'), [], r"rejected \S+in\.jsonl:2: line 2: the field 'title' is a JSON array, not a string"),
    ("metadata field too long", _jsonl(json.dumps({"id": "t", "text": "Some text.", "title": "x" * 20_000})), [], r"rejected \S+in\.jsonl:2: line 2: the title field holds 20,000 characters, over the limit of 10,000"),
    ("text over the record limit", _write("huge.txt", "word " * 250_000), [], r"rejected \S+huge\.txt: the file holds 1,250,000 characters of text, over the limit of 1,000,000"),
    ("broken JSON document", _write("doc.json", '[{"text": "a"},'), [], r"rejected \S+doc\.json:1: not valid JSON: Expecting value at line 1 column \d+"),
    ("CSV row with a NUL byte", _write("t.csv", f"id,text\n1,{GOOD}\n2,bad\x00row\n3,{GOOD} Again.\n"), [], r"rejected \S+t\.csv:3: the row on line 3 contains a NUL byte"),
    ("CSV row with broken quoting", _write("q.csv", f'id,text\n1,"{GOOD}"x\n2,"{GOOD} Again."\n'), [], r"rejected \S+q\.csv:2: the row on line 2 cannot be parsed as CSV: ',' expected after '\"' — fix the quoting"),
    ("CSV row without text", _write("r.csv", f"id,text,title\n1,,a title\n2,{GOOD}\n"), [], r"rejected \S+r\.csv:2: the row on line 2 has no text"),
    ("HTML page without article text", _write("p.html", "<html><head><title>t</title></head><body><script>var x = 1;</script></body></html>"), [], r"rejected \S+p\.html: no article text found in the HTML page"),
    ("feed without entries", _write("f.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'), [], r"rejected \S+f\.xml: no feed entries found"),
    ("feed entry without content", _write("g.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>t</title></item></channel></rss>'), [], r"rejected \S+g\.xml:1: feed entry 1 has no content or summary"),
    ("UTF-8 with a bad byte", _write("u.txt", ("Kyiv – " + GOOD + " ").encode() * 3 + b"\xff" + GOOD.encode()), [], r"warning \S+u\.txt: 1 byte sequence\(s\) are not valid UTF-8 \(the first at byte \d[\d,]*\) and were replaced by U\+FFFD"),
    ("another code page", _write("l.txt", ("Die Bundesregierung begrüßt die Lieferung für die Ukraine. " * 4).encode("latin-1")), [], r"warning \S+l\.txt: the file is not UTF-8; it was read as \S+ — save it as UTF-8"),
    ("unreadable date", _jsonl('{"id": "d", "text": "Poland will send tanks to Ukraine, officials said.", "date": "sometime soon"}'), [], r"warning \S+in\.jsonl:2: the date 'sometime soon' is not a date aidtrace can read and was ignored — write it as YYYY-MM-DD"),
    ("impossible date", _jsonl('{"id": "d", "text": "Poland will send tanks to Ukraine, officials said.", "date": "2025-02-30"}'), [], r"warning \S+in\.jsonl:2: the date '2025-02-30' is not a date aidtrace can read"),
    ("date header that disagrees", _jsonl(json.dumps({"id": "d", "text": " date 2025-06-01 Spain will send shells to Ukraine.", "date": "2025-07-04"})), [], r"warning \S+in\.jsonl:2: the date header '2025-06-01' disagrees with the publication date kept \(2025-07-04\) and was ignored"),
]


@pytest.mark.parametrize(("kind", "make", "extra", "expected"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_each_bad_input_gives_its_one_line_message(tmp_path: Path, kind: str, make: Callable[[Path], list[str]],
                                                   extra: list[str], expected: str) -> None:
    inputs = make(tmp_path)
    result = CliRunner().invoke(app, ["ingest", *inputs, "--db", str(tmp_path / "x.db"), *extra],
                                env={"COLUMNS": "250"})
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.startswith(("rejected ", "warning "))]
    assert any(re.fullmatch(expected + r".*", line) for line in lines), lines
    assert result.exit_code == (0 if expected.startswith("warning") else 1)


def test_the_catalogue_is_documented_and_long_enough() -> None:
    doc = (REPO / "docs" / "BAD_INPUT.md").read_text(encoding="utf-8")
    assert len(CATALOGUE) >= 25
    missing = [kind for kind, *_ in CATALOGUE if f"| {kind} |" not in doc]
    assert missing == []
