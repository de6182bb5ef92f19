"""Stage 7: hand documents to document and archive systems, exactly once."""
