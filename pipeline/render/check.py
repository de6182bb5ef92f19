"""Check tags one by one so a template reports all its problems, each with its location."""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from pipeline.render.source import DELIMITERS, Tag, TagProblem

__all__ = ["check_tags", "unknown_names"]

_OPENERS = {"for": "endfor", "if": "endif", "with": "endwith", "macro": "endmacro",
            "call": "endcall", "filter": "endfilter", "autoescape": "endautoescape"}
_MIDDLES = {"elif": {"if"}, "else": {"if", "for"}}
_FORBIDDEN = {"include", "import", "from", "extends", "block", "raw"}

_BS, _BE = DELIMITERS["block_start_string"], DELIMITERS["block_end_string"]
_VS, _VE = DELIMITERS["variable_start_string"], DELIMITERS["variable_end_string"]


def unknown_names(env: SandboxedEnvironment, tree: nodes.Node) -> Iterable[tuple[str, str]]:
    """``("filter"|"test", name)`` for each filter or test in ``tree`` the environment lacks."""
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        if isinstance(node, nodes.Filter) and node.name not in env.filters:
            yield "filter", node.name
        elif isinstance(node, nodes.Test) and node.name not in env.tests:
            yield "test", node.name


def _probe(tag: Tag) -> str | None:
    """A small standalone Jinja text that parses iff the tag is well formed, or None."""
    body = tag.body
    body = body[1:] if body.startswith(("-", "+")) else body
    body = body[:-1] if body.endswith(("-", "+")) else body
    if tag.kind == "var":
        return f"{_VS} {body} {_VE}"
    name = tag.statement
    if name in _OPENERS:
        return f"{_BS} {body} {_BE}{_BS} {_OPENERS[name]} {_BE}"
    if name == "elif":
        return f"{_BS} if true {_BE}{_BS} {body} {_BE}{_BS} endif {_BE}"
    if name == "set":
        if "=" in body:
            return f"{_BS} {body} {_BE}"
        return f"{_BS} {body} {_BE}{_BS} endset {_BE}"
    if name in _MIDDLES or name.startswith("end"):
        return None
    return f"{_BS} {body} {_BE}"


def _syntax(env: SandboxedEnvironment, tag: Tag) -> TagProblem | None:
    probe = _probe(tag)
    if probe is None:
        return None
    if tag.statement in _FORBIDDEN:
        return TagProblem(tag.location, "render.tag.forbidden", {"tag": tag.text})
    try:
        tree = env.parse(probe)
    except TemplateSyntaxError as exc:
        return TagProblem(tag.location, "render.tag.syntax", {"tag": tag.text, "detail": exc.message or ""})
    for kind, name in unknown_names(env, tree):
        return TagProblem(tag.location, f"render.tag.unknown_{kind}", {"tag": tag.text, "name": name})
    return None


def _balance(tags: list[Tag]) -> list[TagProblem]:
    """Openers and closers pair up (``{%tr for%}`` needs an ``{%tr endfor%}``)."""
    problems: list[TagProblem] = []
    stack: list[Tag] = []
    for tag in tags:
        name = tag.statement
        if name in _OPENERS or (name == "set" and "=" not in tag.body):
            stack.append(tag)
        elif name in _MIDDLES:
            if not stack or stack[-1].statement not in _MIDDLES[name]:
                problems.append(TagProblem(tag.location, "render.tag.unopened", {"tag": tag.text}))
        elif name.startswith("end"):
            opener_name = name[3:]
            if not stack:
                problems.append(TagProblem(tag.location, "render.tag.unopened", {"tag": tag.text}))
            elif stack[-1].statement != opener_name:
                opener = stack[-1]
                problems.append(TagProblem(tag.location, "render.tag.mismatch", {
                    "tag": tag.text, "opener": opener.text, "where": opener.location}))
                if any(open_tag.statement == opener_name for open_tag in stack):
                    while stack and stack[-1].statement != opener_name:
                        stack.pop()
                    stack.pop()
            else:
                stack.pop()
    for tag in stack:
        closer = _OPENERS.get(tag.statement, "endset")
        problems.append(TagProblem(tag.location, "render.tag.unclosed", {
            "tag": tag.text, "expected": ("{%" + tag.level + " " if tag.level else "{% ") + closer + " %}"}))
    return problems


def check_tags(env: SandboxedEnvironment, tags: list[Tag], emitted: list[Tag]) -> list[TagProblem]:
    """Every problem of the tags of one part, in document order.

    ``emitted`` are the tags that reach Jinja; a tag inside a row, cell or paragraph that a
    ``{%tr``/``{%tc``/``{%p`` tag replaced is reported as discarded. ``{% vm %}`` never
    reaches Jinja (the source builder marks its cell and reports its own problems).
    """
    kept = {id(tag) for tag in emitted}
    problems: list[TagProblem] = []
    for tag in tags:
        if tag.kind == "comment" or tag.is_vmerge:
            continue
        if id(tag) not in kept:
            problems.append(TagProblem(tag.location, "render.tag.discarded", {"tag": tag.text}))
            continue
        problem = _syntax(env, tag)
        if problem is not None:
            problems.append(problem)
    problems.extend(_balance([tag for tag in emitted if tag.kind == "block"]))
    return problems
