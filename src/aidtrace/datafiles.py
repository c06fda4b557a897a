"""Packaged data files (dictionaries, lexicons, taxonomies under ``aidtrace/data``): one reader.

A malformed file is a bug in aidtrace's own data, reported as ``DataFileError`` naming it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from .errors import DataFileError

# libyaml's loader parses the larger dictionaries (people_historical.yaml) about 5x faster;
# fall back to the pure-Python one where PyYAML was built without it.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        return yaml.load(read_text(*parts), Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        raise DataFileError("/".join(("aidtrace/data", *parts)), f"not valid YAML ({err})") from err
