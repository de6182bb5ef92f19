"""The committed templates: present for every form id, reproducible, same tags and tables in KK and RU."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import pytest
from forms_helpers import ROOT, shape

from pipeline.profile import available_profiles, load_profile
from pipeline.render.compile import CompiledTemplate

_spec = importlib.util.spec_from_file_location("build_templates", ROOT / "tools" / "build_templates.py")
build_templates = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_templates)
FORMS = sorted(build_templates.FORMS)
TAG = re.compile(r"\{[{%].*?[}%]\}")


def tags(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode()
    text = re.sub(r"<[^>]+>", "", xml)
    return [t for t in TAG.findall(text) if not t.startswith("{{ L.")] + sorted(
        t for t in TAG.findall(text) if t.startswith("{{ L."))


@pytest.mark.parametrize("form", FORMS)
def test_kk_and_ru_have_the_same_tags_and_tables(form):
    kk, ru = ROOT / "templates_kk" / f"{form}.docx", ROOT / "templates_ru" / f"{form}.docx"
    assert sorted(tags(kk)) == sorted(tags(ru))
    assert shape(kk) == shape(ru)
    for path in (kk, ru):
        CompiledTemplate.load(path)


def test_committed_templates_match_a_fresh_build(tmp_path):
    written = build_templates.build(root=tmp_path)
    assert len(written) == 2 * len(FORMS)
    for path in written:
        committed = ROOT / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale: run tools/build_templates.py"


def test_every_profile_form_has_a_template():
    for profile_id in available_profiles():
        profile = load_profile(profile_id)
        for doc in profile.documents:
            assert doc.form in FORMS, f"{profile_id}: no template for {doc.form}"


def test_header_rows_repeat_on_every_page():
    with zipfile.ZipFile(ROOT / "templates_kk" / "commission_protocol.docx") as package:
        xml = package.read("word/document.xml").decode()
    assert "<w:tblHeader/>" in xml
    assert 'w:w="11906"' in xml and 'w:left="1701"' in xml and 'w:right="850"' in xml   # A4, 3 cm / 1.5 cm


def test_overridden_labels_are_tags():
    terms = build_templates.yaml.safe_load(build_templates.TERMS.read_text(encoding="utf-8"))
    for forms in terms["profiles"].values():
        for form, overrides in forms.items():
            found = tags(ROOT / "templates_kk" / f"{form}.docx")
            for key in overrides:
                assert "{{ L." + key + " }}" in found, f"{form}: {key} overridden but printed as fixed text"
