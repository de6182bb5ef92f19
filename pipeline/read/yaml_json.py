"""Read an evaluation from YAML (safe loader, line numbers kept) or JSON.

YAML booleans are only ``true``/``false`` (YAML 1.2): the field ``on`` and values such as
``no`` are not silently turned into booleans.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import InputError, Issue
from pipeline.read.source import ModelPath, Source, format_path

__all__ = ["read_json", "read_yaml"]


class _Loader(yaml.SafeLoader):
    """The safe loader with YAML 1.2 booleans: only true/false, so ``on:`` stays a key."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(issues=[Issue(location=path.name, key="input.not_utf8")]) from None
    if not text.strip():
        raise InputError(issues=[Issue(location=path.name, key="input.empty")])
    return text


def _walk(node: yaml.Node, path: ModelPath, source: Source, issues: list[Issue]) -> None:
    """Record the line of every value under ``node``; report keys written twice."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str | int, int] = {}
        for key_node, value_node in node.value:
            key: str | int = key_node.value
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag.endswith(":int"):
                key = int(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                issues.append(Issue(location=f"{source.name}: {format_path(path + (key,))} (line {line})",
                                    key="input.duplicate_key",
                                    params={"name": key, "first_line": seen[key]}))
            seen[key] = line
            source.lines[path + (key,)] = line
            _walk(value_node, path + (key,), source, issues)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            source.lines[path + (index,)] = item.start_mark.line + 1
            _walk(item, path + (index,), source, issues)


def _syntax_issue(source: Source, exc: yaml.YAMLError) -> Issue:
    mark = getattr(exc, "problem_mark", None)
    where = source.name if mark is None else f"{source.name} (line {mark.line + 1}, column {mark.column + 1})"
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return Issue(location=where, key="input.yaml_syntax", params={"problem": problem})


def _compose(text: str, source: Source) -> tuple[Any, list[Issue]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(issues=[Issue(location=source.name, key="input.empty")])
        issues: list[Issue] = []
        _walk(node, (), source, issues)
        return loader.construct_document(node), issues
    finally:
        loader.dispose()


def read_yaml(path: Path, data: bytes) -> tuple[Any, Source, list[Issue]]:
    """Parse YAML bytes: the plain data, its :class:`Source` and any duplicate-key issues."""
    source = Source(path=path, kind="yaml")
    text = _decode(path, data)
    try:
        value, issues = _compose(text, source)
    except yaml.YAMLError as exc:
        raise InputError(issues=[_syntax_issue(source, exc)]) from None
    return value, source, issues


def read_json(path: Path, data: bytes) -> tuple[Any, Source, list[Issue]]:
    """Parse JSON bytes; line numbers are added when the text is also plain YAML."""
    source = Source(path=path, kind="json")
    text = _decode(path, data)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(issues=[Issue(location=f"{path.name} (line {exc.lineno}, column {exc.colno})",
                                       key="input.json_syntax", params={"problem": exc.msg})]) from None
    try:
        _compose(text, source)
    except (yaml.YAMLError, InputError):
        source.lines.clear()
    return value, source, []
