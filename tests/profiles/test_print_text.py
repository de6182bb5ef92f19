"""Print text against seed text (E6): what a form prints is clean Kazakh, what is cited is verbatim."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lxml import etree
from pydantic import BaseModel

from pipeline.forms.generate import generate
from pipeline.model import Evaluation
from pipeline.profile import IndicatorGroup, Text, available_profiles, load_profile
from pipeline.rules.evaluate import evaluate

from .seedtext import in_seed, in_seed_in_two_pieces

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "atyrau-2018" / "evaluation.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# a word holding both a Latin and a Cyrillic letter (the category codes E-1, B-2 are Latin only)
MIXED = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[\u0400-\u04FF])\w+\b")
OCR_FORMS = ("Жаупкершілік", "үжым", "бөлімшениң", "Бөлімшениң", "Кызмет", "шарапар", "Негіzsіз",
             "үйымдастыр", "орындаиды", "парагы")


def _kazakh(node: object, where: str = "") -> Iterator[tuple[str, str, str | None]]:
    """(location, printed Kazakh, seed string or None) of every Kazakh text in a profile."""
    if isinstance(node, Text):
        yield where, node.kk, node.kk_source
    elif isinstance(node, BaseModel):
        if isinstance(node, IndicatorGroup):
            yield f"{where}.label", node.label, node.label_source
        for name in type(node).model_fields:
            yield from _kazakh(getattr(node, name), f"{where}.{name}")
    elif isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            yield from _kazakh(item, f"{where}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _kazakh(item, f"{where}.{key}")


def test_mixed_script_pattern_finds_what_it_must() -> None:
    assert MIXED.findall("Негіzsіз пікір, еki, қарau E-R-1 B-2") == ["Негіzsіз", "еki", "қарau"]


@pytest.mark.parametrize("name", available_profiles())
def test_no_mixed_script_word_in_printed_kazakh(name: str) -> None:
    texts = list(_kazakh(load_profile(name)))
    assert len(texts) > 20
    for where, printed, _ in texts:
        assert not MIXED.findall(printed), (where, printed)


@pytest.mark.parametrize("name", available_profiles())
def test_every_source_string_is_in_the_seed_and_differs_from_the_print(name: str) -> None:
    profile = load_profile(name)
    for where, printed, source in _kazakh(profile):
        if source is None:
            continue
        assert source != printed, where
        assert in_seed(source, profile.act.seed) or in_seed_in_two_pieces(source, profile.act.seed), \
            (where, source)


def test_atyrau_prints_the_reviewed_spelling() -> None:
    profile = load_profile("atyrau-2018")
    sources = [s for _, _, s in _kazakh(profile) if s]
    printed = " ".join(p for _, p, _ in _kazakh(profile))
    assert len(sources) > 80          # the E6 damage is everywhere in App. 4
    for form in OCR_FORMS:
        assert form not in printed, form
        assert any(form in s for s in sources), form
    labels = {c.key: c.label for c in profile.competencies.competencies}
    assert labels["responsibility"].kk == "Жауапкершілік"
    assert labels["responsibility"].kk_verbatim == "Жаупкершілік"
    assert profile.document("competency_sheet").title.kk == "Құзыреттер бойынша бағалау парағы"


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p"))


def test_generated_atyrau_competency_sheet_has_the_print_spelling(tmp_path: Path) -> None:
    evaluation = Evaluation.model_validate(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    profile = load_profile(evaluation.profile)
    generate(evaluation, profile, evaluate(evaluation, profile), tmp_path / "out")
    sheets = sorted((tmp_path / "out").rglob("competency_sheet.kk.docx"))
    assert sheets
    for sheet in sheets:
        text = _docx_text(sheet)
        assert "Жауапкершілік" in text
        assert "Құзыреттер бойынша бағалау парағы" in text
        for form in OCR_FORMS:
            assert form not in text, (sheet.name, form)
