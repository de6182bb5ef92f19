"""Stage 8: the document registry, its append-only audit log and retention."""

DEFAULT_NAME = "qujat-registry.sqlite"
"""File name of the default SQLite registry, next to the output folder."""
