"""XML namespaces of OOXML and XML-DSig, and ``qn("w:t")`` Clark names."""

from __future__ import annotations

__all__ = ["NSMAP", "qn"]

NSMAP: dict[str, str] = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xd": "http://uri.etsi.org/01903/v1.3.2#",
    "mdssi": "http://schemas.openxmlformats.org/package/2006/digital-signature",
    "digsig": "http://schemas.microsoft.com/office/2006/digsig",
}


def qn(tag: str) -> str:
    """``"w:p"`` -> ``"{http://...wordprocessingml/2006/main}p"``."""
    prefix, _, local = tag.partition(":")
    return f"{{{NSMAP[prefix]}}}{local}"
