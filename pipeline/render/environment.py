"""The Jinja environment of every template: sandboxed, strict, XML-escaping."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from pipeline.render.source import DELIMITERS

__all__ = ["environment", "xml_text"]

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_EMPTY = Markup("")
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


def xml_text(value: Any) -> Markup:
    """``value`` as text inside ``<w:t>``: escaped, newline -> ``<w:br/>``, tab -> ``<w:tab/>``.

    ``None`` prints as nothing. Characters XML cannot carry are dropped. Already-escaped
    :class:`Markup` (e.g. the result of ``|join`` under autoescape) is not escaped twice.
    """
    if value is None:
        return _EMPTY
    markup = value if isinstance(value, Markup) else escape(value)
    if _SPECIAL.search(markup) is None:
        return markup
    text = _INVALID_XML.sub("", str(markup)).replace("\r\n", "\n").replace("\r", "\n")
    return Markup(text.replace("\n", _BREAK).replace("\t", _TAB))


@cache
def environment() -> SandboxedEnvironment:
    """The shared environment (one per process; templates compiled in it are cached by path)."""
    return SandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=xml_text,
        auto_reload=False,
        cache_size=0,
        keep_trailing_newline=True,
        **DELIMITERS,
    )
