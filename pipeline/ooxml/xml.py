"""The one lxml parser of qujat: no entities, no DTD, no network, capped size.

Every module that reads XML from a DOCX, a signature or a package calls :func:`parse_xml`,
so XXE and billion-laughs protection is tested in one place.
"""

from __future__ import annotations

import threading

from lxml import etree

__all__ = ["MAX_XML_BYTES", "UnsafeXmlError", "parse_xml"]

MAX_XML_BYTES = 64 * 1024 * 1024
"""Largest XML part accepted; an OOXML part of a form is a few megabytes at most."""


class UnsafeXmlError(ValueError):
    """The XML is malformed, too large, or carries a DOCTYPE (never present in OOXML)."""


_local = threading.local()


def _parser() -> etree.XMLParser:
    """The parser of this thread (lxml parsers must not be shared between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            dtd_validation=False,
            remove_comments=False,
            remove_pis=False,
        )
        _local.parser = parser
    return parser


def parse_xml(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse ``data`` and return the root element; refuse DOCTYPEs and oversized input."""
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"XML part of {len(data)} bytes exceeds the {max_bytes}-byte limit")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXmlError(f"malformed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXmlError("XML with a DOCTYPE is refused")
    return root
