"""aidtrace: a sourced ledger of international military support, coded in PLOVER."""

__version__ = "0.1.0"
