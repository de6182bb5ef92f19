"""OOXML helpers shared by render, stamp and signing: the one safe XML parser and friends."""

from pipeline.ooxml.xml import UnsafeXmlError, parse_xml

__all__ = ["UnsafeXmlError", "parse_xml"]
