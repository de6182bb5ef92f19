"""``qujat generate`` through Typer, on the shipped example."""

from __future__ import annotations

import json

import pytest
import typer
from forms_helpers import ROOT
from typer.testing import CliRunner

from pipeline.commands.generate import parse_langs, register
from pipeline.errors import UsageError

EXAMPLE = ROOT / "examples" / "udp-2018" / "evaluation.yaml"


def app() -> typer.Typer:
    root = typer.Typer()
    register(root)
    root.command("noop")(lambda: None)
    return root


@pytest.mark.skipif(not EXAMPLE.exists(), reason="example not present")
def test_generate_command_writes_documents_and_manifest(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app(), ["generate", str(EXAMPLE), "--out", str(out), "--lang", "ru", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] and {d["lang"] for d in manifest["documents"]} == {"ru"}
    again = CliRunner().invoke(app(), ["generate", str(EXAMPLE), "--out", str(out)])
    assert isinstance(again.exception, UsageError)


def test_language_list_is_checked():
    assert parse_langs("kk, ru,kk") == ("kk", "ru")
    with pytest.raises(UsageError):
        parse_langs("en")
