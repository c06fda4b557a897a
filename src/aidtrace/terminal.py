"""Text on its way to a terminal: article text is hostile, so it is shown, never interpreted.

Rich would read ``[/red]`` or ``[sic]`` in an article as markup (crashing on the first, hiding
the second), and raw escape sequences would reach the terminal (retitle it, move the cursor,
hide text, or fake a hyperlink). Every text a command shows goes through ``cell`` (a Rich
``Text``, never parsed for markup) or ``plain`` (control characters and escape sequences gone).
"""

from __future__ import annotations

import re

from rich.text import Text

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and other two-byte escapes; C1 CSI/OSC too.
_ESCAPES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
                      r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                      r"|\x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
                      r"|\x1b[ -~]?")
# C0 and C1 controls, DEL, and the bidirectional overrides that make text display reordered.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: object) -> str:
    """``text`` with escape sequences removed and every control character (newlines and tabs
    included) turned into a space, so it shows as one line of literal characters.

    Args:
        text: anything; None shows as "".
    """
    if text is None:
        return ""
    return _CONTROLS.sub(" ", _ESCAPES.sub("", str(text)))


def cell(text: object, width: int | None = None) -> Text:
    """A table cell showing ``text`` literally: no markup, no control characters, one line,
    cut to ``width`` characters with an ellipsis when given."""
    value = " ".join(plain(text).split())
    if width is not None and len(value) > width:
        value = value[: width - 1] + "…"
    return Text(value)
