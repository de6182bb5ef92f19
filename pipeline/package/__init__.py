"""Stage 6: package a signed document as a ZIP container with a metadata passport."""
