"""Helpers of the forms tests: load a test evaluation, read a DOCX's text and table shapes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import yaml
from lxml import etree

from pipeline.model import Evaluation
from pipeline.profile import load_profile
from pipeline.rules.evaluate import evaluate

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HOSTILE = ('{{7*7}}', '{% if 1 %}x{% endif %}')


def load(name: str):
    evaluation = Evaluation.model_validate(yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8")))
    profile = load_profile(evaluation.profile)
    return evaluation, profile, evaluate(evaluation, profile)


def document_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/document.xml"),
                                etree.XMLParser(resolve_entities=False, no_network=True))


def text_of(path: Path) -> str:
    """All paragraph texts of the body, one paragraph per line."""
    root = document_xml(path)
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p"))


def shape(path: Path) -> list[tuple[int, int]]:
    """(rows, grid columns) of every table, in order."""
    root = document_xml(path)
    return [(len(t.findall(f"{W}tr")), len(t.find(f"{W}tblGrid").findall(f"{W}gridCol")))
            for t in root.iter(f"{W}tbl")]
