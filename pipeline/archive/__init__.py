"""Stage 8: the document registry, its append-only audit log and retention."""
