"""Readers: every input format, path form and bad-input case, on small real files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from aidtrace.errors import (
    HINT_BINARY,
    HINT_EMPTY,
    HINT_ENCODING,
    HINT_JSON,
    HINT_NO_TEXT,
    HINT_NUL,
    HINT_TOO_BIG,
    HINT_UNREADABLE,
    UsageError,
)
from aidtrace.ingest.readers import html_to_text, read_inputs
from aidtrace.model import Notice, RawRecord, Rejection

BODY = ("Germany will send two more air defence systems to Ukraine, the defence ministry in Berlin "
        "said on Thursday, in a package worth about 500 million euros.")


def read(*paths: object, **options: object) -> tuple[list[RawRecord], list[Rejection]]:
    """Run the readers and split their output into records and rejections."""
    results = list(read_inputs([str(p) for p in paths], **options))
    records = [r for r in results if isinstance(r, RawRecord)]
    rejections = [r for r in results if isinstance(r, Rejection)]
    notices = [r for r in results if isinstance(r, Notice)]
    assert len(records) + len(rejections) + len(notices) == len(results)
    return records, rejections


def write(path: Path, content: str | bytes) -> Path:
    """Write text (UTF-8) or bytes, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- text formats


def test_plain_text_takes_date_argument_and_file_name(tmp_path: Path) -> None:
    path = write(tmp_path / "story.txt", BODY)
    (rec,), rejections = read(path, date="2025-06-12")
    assert not rejections
    assert rec.text == BODY
    assert (rec.format, rec.published, rec.external_id, rec.line) == ("text", "2025-06-12", "story.txt", None)
    assert rec.source == str(path)


def test_plain_text_without_date_has_none(tmp_path: Path) -> None:
    (rec,), _ = read(write(tmp_path / "story.txt", BODY))
    assert rec.published is None


def test_seed_format_header_gives_date_and_text_is_untouched(tmp_path: Path) -> None:
    content = f" date 2025-07 Berlin, Jul 3 (dpa) {BODY}\n"
    (rec,), _ = read(write(tmp_path / "seed.txt", content), date="2020-01-01")
    assert (rec.format, rec.published) == ("seed", "2025-07")
    assert rec.text == content


def test_reads_the_shared_seed_directory(seeds_dir: Path) -> None:
    records, rejections = read(seeds_dir)
    assert not rejections
    assert [r.external_id for r in records] == sorted(p.name for p in seeds_dir.glob("*.txt"))
    assert {r.format for r in records} == {"seed"}
    assert all(r.published for r in records)


# --------------------------------------------------------------------------- JSON


def test_jsonl_fields_ids_lines_and_extra(tmp_path: Path) -> None:
    rows = [
        {"id": "a1", "text": BODY, "date": "2025-06-12", "url": "https://example.org/a", "title": "T",
         "source": "Example News", "section": "Europe"},
        {"body": BODY, "published": "2025-06-13", "outlet": "Other"},
        {"content": BODY, "publication_date": "2025-06", "id": 7},
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    (first, second, third), rejections = read(path)
    assert not rejections
    assert (first.external_id, first.url, first.title, first.outlet, first.published, first.line) == (
        "a1", "https://example.org/a", "T", "Example News", "2025-06-12", 1)
    assert first.extra == {"section": "Europe"}
    assert (second.external_id, second.published, second.outlet, second.line) == (
        "batch.jsonl#2", "2025-06-13", "Other", 2)
    assert (third.external_id, third.published, third.format) == ("7", "2025-06", "jsonl")


def test_jsonl_malformed_line_is_rejected_and_good_lines_still_read(tmp_path: Path) -> None:
    good = json.dumps({"text": BODY})
    path = write(tmp_path / "mixed.jsonl", f'{good}\n{{"text": "x" "y"}}\n\n{good}\n')
    records, (bad,) = read(path)
    assert [r.line for r in records] == [1, 4]
    assert bad.line == 2 and bad.hint == HINT_JSON
    assert bad.reason.startswith("line 2 is not valid JSON: Expecting ',' delimiter at column")


def test_jsonl_record_without_text_and_non_object_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "r.jsonl", '{"id": "x", "title": "no body"}\n[1, 2]\n{"text": "   "}\n')
    records, rejections = read(path)
    assert not records
    assert [(r.line, r.hint) for r in rejections] == [(1, HINT_NO_TEXT), (2, HINT_JSON), (3, HINT_NO_TEXT)]
    assert "line 2 is a JSON array, not an object" in rejections[1].reason


def test_json_list_and_single_object(tmp_path: Path) -> None:
    listed = write(tmp_path / "list.json", json.dumps([{"text": BODY}, {"text": BODY, "id": "b"}]))
    single = write(tmp_path / "one.json", json.dumps({"text": BODY, "date": "2025-01-05"}))
    (a, b), _ = read(listed)
    assert (a.external_id, a.line, b.external_id, b.format) == ("list.json#1", 1, "b", "json")
    (one,), _ = read(single)
    assert (one.external_id, one.line, one.published) == ("one.json", None, "2025-01-05")


def test_json_file_holding_json_lines_is_read_as_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "lines.json", json.dumps({"text": BODY}) + "\n" + json.dumps({"text": BODY}))
    records, _ = read(path)
    assert [r.line for r in records] == [1, 2]


def test_broken_json_document_is_rejected_with_position(tmp_path: Path) -> None:
    (bad,) = read(write(tmp_path / "bad.json", '[{"text": "a"},\n {"text": }]'))[1]
    assert bad.hint == HINT_JSON and bad.line == 2
    assert bad.reason.startswith("not valid JSON: Expecting value at line 2 column")


# --------------------------------------------------------------------------- CSV


def test_csv_rows_with_multiline_field_and_row_lines(tmp_path: Path) -> None:
    content = ('id,text,date,Outlet,section\n'
               f'r1,"{BODY}",2025-06-12,Example,Europe\n'
               f'r2,"First paragraph.\n\nSecond paragraph.",2025-06-13,,\n'
               f',{BODY.replace(",", "")},,,\n')
    records, rejections = read(write(tmp_path / "table.csv", content))
    assert not rejections
    assert [r.line for r in records] == [2, 3, 6]
    assert records[0].extra == {"section": "Europe"} and records[0].outlet == "Example"
    assert records[1].text == "First paragraph.\n\nSecond paragraph."
    assert records[2].external_id == "table.csv#6"
    assert {r.format for r in records} == {"csv"}


def test_csv_row_without_text_is_rejected(tmp_path: Path) -> None:
    content = f'id,title,text\nr1,Headline only,\nr2,Fine,"{BODY}"\n'
    (rec,), (bad,) = read(write(tmp_path / "t.csv", content))
    assert rec.external_id == "r2"
    assert (bad.line, bad.hint) == (2, HINT_NO_TEXT)
    assert "the row on line 2 has no text" in bad.reason


def test_semicolon_csv(tmp_path: Path) -> None:
    (rec,), _ = read(write(tmp_path / "t.csv", f"id;text\nx;{BODY}\n"))
    assert rec.text == BODY


# --------------------------------------------------------------------------- HTML and feeds

HTML_PAGE = f"""<html><head><title>Germany pledges air defence | Example News</title>
<meta property="article:published_time" content="2025-06-12T09:00:00Z"></head>
<body><nav>Home | World | Sport | Business</nav><article><h1>Germany pledges air defence</h1>
<p>{BODY}</p>
<p>The systems will be delivered before the end of the year, officials said, adding that training
of Ukrainian crews had already begun at a site in Germany.</p>
<p>Kyiv has repeatedly asked its allies for more air defence as Russian missile and drone attacks on
its cities intensified over the summer.</p></article><footer>Contact us</footer></body></html>"""


def test_html_main_text_title_and_date(tmp_path: Path) -> None:
    (rec,), _ = read(write(tmp_path / "page.html", HTML_PAGE))
    assert rec.format == "html" and rec.external_id == "page.html"
    assert rec.title == "Germany pledges air defence"
    assert rec.published == "2025-06-12"
    assert BODY in rec.text and "Home | World" not in rec.text


def test_html_without_article_text_is_rejected(tmp_path: Path) -> None:
    page = "<html><head><title>Only a title</title></head><body><script>x()</script></body></html>"
    (bad,) = read(write(tmp_path / "blank.htm", page))[1]
    assert bad.hint == HINT_EMPTY


RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Example Wire</title><link>https://example.org</link><description>d</description>
<item><title>Air defence pledge</title><link>https://example.org/1</link><guid>urn:1</guid>
<pubDate>Thu, 12 Jun 2025 09:00:00 GMT</pubDate>
<description>&lt;p&gt;{BODY}&lt;/p&gt;&lt;p&gt;Second &amp;amp; last.&lt;/p&gt;</description></item>
<item><title>Full content</title><link>https://example.org/2</link>
<content:encoded><![CDATA[<p>Body <b>from</b> content.</p><script>x()</script>]]></content:encoded></item>
<item><title>Empty</title><link>https://example.org/3</link></item>
</channel></rss>"""


def test_rss_entries_become_records(tmp_path: Path) -> None:
    (first, second), (empty,) = read(write(tmp_path / "wire.rss", RSS))
    assert (first.external_id, first.url, first.title, first.published, first.outlet, first.line) == (
        "urn:1", "https://example.org/1", "Air defence pledge", "2025-06-12", "Example Wire", 1)
    assert first.text == f"{BODY}\n\nSecond & last."
    assert (second.text, second.external_id, second.format) == ("Body from content.", "wire.rss#2", "feed")
    assert (empty.line, empty.hint) == (3, HINT_NO_TEXT)


ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title><id>urn:feed</id>
<updated>2025-06-13T00:00:00Z</updated>
<entry><title>Atom story</title><id>urn:atom:1</id><link href="https://example.org/atom/1"/>
<updated>2025-06-13T08:00:00Z</updated><author><name>Desk</name></author>
<content type="html">&lt;p&gt;{BODY}&lt;/p&gt;</content></entry></feed>"""


def test_atom_entry(tmp_path: Path) -> None:
    (rec,), _ = read(write(tmp_path / "desk.xml", ATOM))
    assert (rec.external_id, rec.url, rec.published, rec.outlet, rec.text) == (
        "urn:atom:1", "https://example.org/atom/1", "2025-06-13", "Atom Desk", BODY)
    assert rec.extra == {"author": "Desk"}


def test_feed_without_entries_is_rejected(tmp_path: Path) -> None:
    (bad,) = read(write(tmp_path / "broken.rss", "<rss><channel><title>x</title>"))[1]
    assert bad.hint == HINT_EMPTY and "no feed entries" in bad.reason


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    assert html_to_text("<p>One&nbsp;two</p><style>p{}</style><div>Three<br>Four</div>") == (
        "One two\n\nThree\n\nFour")


# --------------------------------------------------------------------------- paths


def test_directory_is_recursive_sorted_and_skips_hidden_and_unknown(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", "sub/c.txt", ".hidden.txt", ".git/x.txt", "notes.md", "img.png"):
        write(tmp_path / "in" / name, BODY)
    records, rejections = read(tmp_path / "in")
    assert not rejections
    assert [Path(r.source).relative_to(tmp_path / "in").as_posix() for r in records] == [
        "a.txt", "b.txt", "sub/c.txt"]


def test_directory_without_input_files_is_rejected(tmp_path: Path) -> None:
    write(tmp_path / "in" / "notes.md", BODY)
    (bad,) = read(tmp_path / "in")[1]
    assert bad.hint == HINT_UNREADABLE and bad.reason.startswith("the directory holds no input files")


def test_glob_pattern_and_pattern_without_matches(tmp_path: Path) -> None:
    for name in ("x1.txt", "x2.txt", "y.jsonl"):
        write(tmp_path / name, BODY if name.endswith("txt") else json.dumps({"text": BODY}))
    records, _ = read(tmp_path / "x*.txt")
    assert [r.external_id for r in records] == ["x1.txt", "x2.txt"]
    (bad,) = read(tmp_path / "z*.txt")[1]
    assert (bad.hint, bad.reason) == (HINT_UNREADABLE, "no file matches this pattern")


def test_stdin_text_with_seed_header() -> None:
    (rec,), _ = read("-", stdin=io.StringIO(f" date 2025-06-12 {BODY}"))
    assert (rec.source, rec.external_id, rec.format, rec.published) == ("<stdin>", "<stdin>", "seed", "2025-06-12")


def test_stdin_json_lines_are_sniffed() -> None:
    lines = "\n".join(json.dumps({"text": BODY, "id": str(i)}) for i in range(3))
    records, _ = read("-", stdin=io.StringIO(lines))
    assert [(r.external_id, r.format) for r in records] == [("0", "jsonl"), ("1", "jsonl"), ("2", "jsonl")]


def test_explicit_format_overrides_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "rows.txt", json.dumps({"text": BODY, "id": "z"}))
    (rec,), _ = read(path, fmt="jsonl")
    assert (rec.external_id, rec.format) == ("z", "jsonl")


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown input format 'docx'"):
        read_inputs(["x"], fmt="docx")


# --------------------------------------------------------------------------- encodings and bad bytes


def test_latin1_file_is_detected_and_decoded(tmp_path: Path) -> None:
    text = ("Der Verteidigungsminister sagte am Donnerstag in Berlin, dass die Lieferung der "
            "Luftabwehrsysteme für die Ukraine früher als geplant beginnen würde. Die Regierung "
            "in Kiew begrüßte die Entscheidung und dankte Deutschland für die Unterstützung. "
            "Außerdem sollen weitere Munitionslieferungen über Polen erfolgen.")
    (rec,), _ = read(write(tmp_path / "de.txt", text.encode("latin-1")))
    assert rec.text == text


def test_utf16_file_with_bom(tmp_path: Path) -> None:
    (rec,), _ = read(write(tmp_path / "u16.txt", BODY.encode("utf-16")))
    assert rec.text == BODY


@pytest.mark.parametrize(("content", "hint", "reason"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", HINT_BINARY, "NUL bytes"),
    (bytes(range(1, 32)) * 20, HINT_BINARY, "control characters"),
    (b"", HINT_EMPTY, "the file is empty"),
    (b" \n\t\n", HINT_EMPTY, "only whitespace"),
    (bytes(range(0x80, 0x100)) * 4, HINT_ENCODING, "not UTF-8"),
])
def test_bad_bytes_are_rejected(tmp_path: Path, content: bytes, hint: str, reason: str) -> None:
    path = write(tmp_path / "bad.txt", content)
    records, (bad,) = read(path)
    assert not records
    assert (bad.source, bad.hint, bad.line) == (str(path), hint, None)
    assert reason in bad.reason


def test_oversize_file_is_rejected(tmp_path: Path) -> None:
    (bad,) = read(write(tmp_path / "big.txt", BODY), max_bytes=20)[1]
    assert bad.hint == HINT_TOO_BIG
    assert bad.reason == f"the file is {len(BODY.encode()):,} bytes, over the limit of 20"


def test_oversize_stdin_is_rejected() -> None:
    (bad,) = read("-", stdin=io.StringIO(BODY), max_bytes=20)[1]
    assert (bad.source, bad.hint) == ("<stdin>", HINT_TOO_BIG)


def test_missing_path_is_rejected_and_later_paths_still_read(tmp_path: Path) -> None:
    good = write(tmp_path / "ok.txt", BODY)
    (rec,), (bad,) = read(tmp_path / "missing.txt", good)
    assert rec.source == str(good)
    assert (bad.source, bad.hint, bad.reason) == (
        str(tmp_path / "missing.txt"), HINT_UNREADABLE, "no such file or directory")
    assert bad.message().startswith(f"{tmp_path / 'missing.txt'}: no such file")


# --------------------------------------------------------------------------- issue 11: hostile inputs


def test_a_deeply_nested_json_line_costs_that_line_only(tmp_path: Path) -> None:
    good = json.dumps({"text": BODY})
    nested = '{"text": "x", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    records, (bad,) = read(write(tmp_path / "n.jsonl", f"{good}\n{nested}\n{good}\n"))
    assert [r.line for r in records] == [1, 3]
    assert bad.line == 2 and "nested more than 64 levels" in bad.reason


def test_a_deeply_nested_json_document_is_rejected(tmp_path: Path) -> None:
    records, (bad,) = read(write(tmp_path / "n.json", "[" * 50_000 + "]" * 50_000))
    assert records == [] and "nested" in bad.reason


def test_recursive_glob_and_walk_end_on_symbolic_link_loops(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "a" / "story.txt", BODY)
    (root / "a" / "loop").symlink_to(root)  # in/a/loop -> in
    (root / "a" / "self").symlink_to(root / "a")
    records, _ = read(str(root / "**" / "*.txt"))
    assert [Path(r.source).name for r in records] == ["story.txt"]
    records, _ = read(root)
    assert [Path(r.source).name for r in records] == ["story.txt"]


def test_dev_zero_respects_max_bytes() -> None:
    records, (bad,) = read("/dev/zero", max_bytes=4096)
    assert records == [] and "more than the limit of 4,096 bytes" in bad.reason


def test_a_fifo_is_read_within_the_limit(tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "feed.txt"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "w", encoding="utf-8") as fh:
            fh.write(BODY)

    thread = threading.Thread(target=writer)
    thread.start()
    import time

    time.sleep(0.2)  # let the writer open its end first
    (rec,), rejections = read(fifo)
    thread.join()
    assert rec.text == BODY and rejections == []


def test_utf8_with_one_bad_byte_is_utf8_with_a_replacement_and_a_warning(tmp_path: Path) -> None:
    text = "Kyiv – Zelensky said the Patriot systems arrived. " * 3
    path = write(tmp_path / "u.txt", text.encode() + b"\xff" + "Außerdem €.".encode())
    results = list(read_inputs([str(path)]))
    (rec,) = [r for r in results if isinstance(r, RawRecord)]
    (notice,) = [r for r in results if isinstance(r, Notice)]
    assert rec.text == text + "\ufffd" + "Außerdem €."  # never another code page
    assert "replaced by U+FFFD" in notice.message


def test_one_nul_byte_rejects_one_line_of_json_lines_and_csv(tmp_path: Path) -> None:
    good = json.dumps({"text": BODY})
    records, (bad,) = read(write(tmp_path / "a.jsonl", f"{good}\n{good[:-2]}\x00\"}}\n{good}\n".encode()))
    assert [r.line for r in records] == [1, 3] and bad.line == 2 and bad.hint == HINT_NUL
    records, (bad,) = read(write(tmp_path / "a.csv", f"id,text\n1,{BODY}\n2,x\x002\n3,{BODY}\n"))
    assert [r.external_id for r in records] == ["1", "3"] and bad.line == 3


def test_a_nul_in_a_plain_text_file_rejects_that_file(tmp_path: Path) -> None:
    records, (bad,) = read(write(tmp_path / "t.txt", BODY + "\x00"))
    assert records == [] and "NUL" in bad.reason
