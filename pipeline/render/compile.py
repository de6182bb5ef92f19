"""Compile a DOCX template once, render it many times.

``CompiledTemplate.load(path)`` unzips the template, normalises the tags Word split over
runs, lifts ``{%tr``/``{%tc``/``{%p`` tags to their element, marks ``{% vm %}`` cells,
checks every tag and compiles the tagged parts with Jinja once (cached per process by path,
mtime and SHA-256). ``render(context)`` runs the compiled parts (merging marked cells),
deflates them and writes a ZIP in which every other member is copied as the template's
original compressed bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from jinja2 import Template, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaTemplateError

from pipeline.errors import Issue, TemplateError
from pipeline.i18n import message
from pipeline.ooxml.xml import UnsafeXmlError, parse_xml
from pipeline.render.check import check_tags
from pipeline.render.environment import environment
from pipeline.render.source import PartSource, Tag, TagProblem, build_source
from pipeline.render.vmerge import merge_cells
from pipeline.render.zipraw import (
    RawMember,
    ZipAssembler,
    deflate_member,
    read_raw_members,
)

__all__ = ["DEFLATE_LEVEL", "CompiledTemplate", "template_error"]

DEFLATE_LEVEL = 1
"""zlib level for rendered parts, measured with bench/render.py: on the work plan level 1
renders ~35 % faster than level 6 and the file is ~1 % larger; stored (0) is faster still
but ~50 % larger (see pipeline/render/README.md)."""

_TAGGED_PART = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
_TAG_HINT = re.compile(rb"\{[{%#]|[}%#]\}|\{(?:<[^>]*>)+[{%#]")


def template_error(problems: list[TagProblem], file: str) -> TemplateError:
    """One :class:`TemplateError` carrying every problem as a located issue."""
    issues = [Issue(location=f"{file}, {problem.location}", key=problem.key, params=problem.params)
              for problem in problems]
    first = issues[0]
    text = f"{first.location}: {message(first.key, 'en', **first.params)}"
    if len(issues) > 1:
        text += f" (and {len(issues) - 1} more problems)"
    return TemplateError(text, issues)


@dataclass(frozen=True, slots=True)
class _Part:
    member: RawMember
    source: PartSource
    template: Template


class CompiledTemplate:
    """A DOCX template compiled once; :meth:`render` returns DOCX bytes."""

    _cache: ClassVar[dict[tuple[str, int, int], CompiledTemplate]] = {}
    _by_digest: ClassVar[dict[str, CompiledTemplate]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path, sha256: str, members: list[RawMember], parts: list[_Part]) -> None:
        self.path = path
        self.sha256 = sha256
        self._parts = parts
        self._assembler = ZipAssembler(members, [part.member.name for part in parts])
        self.tags: tuple[Tag, ...] = tuple(tag for part in parts for tag in part.source.tags)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CompiledTemplate:
        """The compiled template at ``path`` (cached per process by path, mtime and SHA-256)."""
        path = Path(path).resolve()
        try:
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
            cached = cls._cache.get(key)
            if cached is not None:
                return cached
            data = path.read_bytes()
        except OSError as exc:
            raise template_error([TagProblem("file", "render.template.unreadable",
                                             {"detail": exc.strerror or str(exc)})], str(path)) from exc
        digest = hashlib.sha256(data).hexdigest()
        with cls._lock:
            compiled = cls._by_digest.get(digest)
            if compiled is None or compiled.path != path:
                compiled = cls.from_bytes(data, path, digest)
                cls._by_digest[digest] = compiled
            cls._cache[key] = compiled
        return compiled

    @classmethod
    def from_bytes(cls, data: bytes, path: Path, digest: str | None = None) -> CompiledTemplate:
        """Compile template ``data`` (``path`` names it in errors); not cached."""
        name = path.name
        try:
            members = read_raw_members(data)
        except zipfile.BadZipFile as exc:
            raise template_error([TagProblem("file", "render.template.unreadable",
                                             {"detail": str(exc)})], name) from exc
        env = environment()
        sources: list[tuple[RawMember, PartSource]] = []
        problems: list[TagProblem] = []
        for member in members:
            if not _TAGGED_PART.match(member.name):
                continue
            xml = member.inflate()
            if member.name != "word/document.xml" and not _TAG_HINT.search(xml):
                continue
            try:
                source = build_source(member.name, xml, parse_xml)
            except UnsafeXmlError as exc:
                problems.append(TagProblem(member.name, "render.template.unreadable", {"detail": str(exc)}))
                continue
            problems.extend(source.problems)
            problems.extend(check_tags(env, list(source.tags), list(source.emitted)))
            sources.append((member, source))
        if problems:
            raise template_error(problems, name)
        parts = [_Part(member, source, _compile(env, source, name)) for member, source in sources]
        return cls(path, digest or hashlib.sha256(data).hexdigest(), members, parts)

    def render(self, context: Mapping[str, Any]) -> bytes:
        """The DOCX bytes of this template filled with ``context``."""
        rendered: dict[str, RawMember] = {}
        for part in self._parts:
            try:
                text = part.template.render(context)
            except (UndefinedError, SecurityError, JinjaTemplateError, TypeError, ValueError,
                    ArithmeticError, LookupError, AttributeError) as exc:
                raise self._render_error(part, exc) from exc
            if part.source.vmerge:
                text = merge_cells(text)
            rendered[part.member.name] = deflate_member(part.member, text.encode("utf-8"), DEFLATE_LEVEL)
        return self._assembler.assemble(rendered)

    def _render_error(self, part: _Part, exc: Exception) -> TemplateError:
        tag = part.source.tag_at_line(_template_line(exc, part.template) or 0)
        location = tag.location if tag else part.member.name
        key = "render.undefined" if isinstance(exc, UndefinedError) else "render.failed"
        detail = getattr(exc, "message", None) or str(exc)
        return template_error([TagProblem(location, key, {"tag": tag.text if tag else "", "detail": detail})],
                              self.path.name)


def _compile(env: Any, source: PartSource, name: str) -> Template:
    try:
        return env.from_string(source.source)
    except TemplateSyntaxError as exc:
        tag = source.tag_at_line(exc.lineno or 0)
        location = tag.location if tag else source.part
        raise template_error([TagProblem(location, "render.tag.syntax", {
            "tag": tag.text if tag else "", "detail": exc.message or ""})], name) from exc


def _template_line(exc: BaseException, template: Template) -> int | None:
    """The template line where ``exc`` was raised, from Jinja's rewritten traceback."""
    line = None
    traceback = exc.__traceback__
    filename = template.filename or "<template>"
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
