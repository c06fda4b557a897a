"""Packaged data files (dictionaries, lexicons, taxonomies under ``aidtrace/data``): one reader.

A malformed file is a bug in aidtrace's own data, reported as ``DataFileError`` naming it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from .errors import DataFileError


def read_text(*parts: str) -> str:
    """Text of ``aidtrace/data/<parts>``."""
    path = "/".join(("aidtrace/data", *parts))
    try:
        return resources.files("aidtrace").joinpath("data", *parts).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DataFileError(path, f"cannot read ({err})") from err


def load_yaml(*parts: str) -> Any:
    """Parsed YAML of ``aidtrace/data/<parts>``."""
    try:
        return yaml.safe_load(read_text(*parts))
    except yaml.YAMLError as err:
        raise DataFileError("/".join(("aidtrace/data", *parts)), f"not valid YAML ({err})") from err
