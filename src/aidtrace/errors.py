"""Typed errors. Every message says what went wrong and how to fix it (one catalogue)."""

from __future__ import annotations


class AidtraceError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing message."""

    exit_code = 1


class UsageError(AidtraceError):
    """The user asked for something impossible (bad option, missing path)."""

    exit_code = 2


class InputError(AidtraceError):
    """One input (file or line) cannot be read; recorded as rejected, the run goes on."""

    def __init__(self, source: str, reason: str, hint: str, line: int | None = None):
        self.source, self.reason, self.hint, self.line = source, reason, hint, line
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason} — {hint}")


class NotFoundError(AidtraceError):
    """The user named something the database does not hold (a ledger id, an event id)."""


class StoreError(AidtraceError):
    """The database cannot be opened, migrated or written."""


class EngineError(AidtraceError):
    """The Dask engine cannot start, reach its scheduler, or get a partition done."""


class DataFileError(AidtraceError):
    """A packaged dictionary or lexicon is malformed (a bug in aidtrace's data files)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason} — fix the data file (it ships with aidtrace)")


class GoldFileError(AidtraceError):
    """A gold or prediction file for ``aidtrace eval`` cannot be read."""

    def __init__(self, path: str, line: int | None, reason: str):
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason} — each line must be one JSON object")


# Hints reused by readers (one place, so wording stays consistent).
HINT_ENCODING = "save the file as UTF-8, or check it is really text"
HINT_BINARY = "this looks like a binary file; pass only text, JSON Lines, CSV, HTML or feed files"
HINT_EMPTY = "the file has no text; remove it or fill it"
HINT_TOO_BIG = "split the file, or raise the limit with --max-bytes / AIDTRACE_MAX_BYTES"
HINT_JSON = "fix the JSON on that line (one object per line) or delete the line"
HINT_NO_TEXT = "give the record a text, body or content field"
HINT_UNREADABLE = "check the path exists and you may read it"
HINT_DEPTH = "flatten the record: aidtrace reads at most 64 levels of nested arrays and objects"
HINT_FIELD_TYPE = "give id, url, title, date and source as short strings and the text as a string"
HINT_NUL = "remove the NUL bytes (they are not text), or delete the line"
HINT_CSV = "fix the quoting of that row or delete it"
HINT_SPECIAL_FILE = "save the data to a regular file, or pipe it to `aidtrace ingest -`"
HINT_BUG = "this is a bug in aidtrace: report it with the input attached"
