"""``qujat run`` on the five shipped examples: the profile's documents, hashes, signatures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.forms.generate import plan_documents
from pipeline.profile import load_profile
from pipeline.read import load_evaluation
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.evaluate import evaluate

from .kit import DEMO_PASSWORD, PROFILES, example, leftovers, manifest, qujat, sha256


def _expected(profile_id: str, langs: tuple[str, ...] = ("kk", "ru")) -> set[str]:
    evaluation, _ = load_evaluation(example(profile_id))
    profile = load_profile(profile_id)
    result = evaluate(evaluation, profile, WorkingCalendar.default())
    return {doc.relpath for doc in plan_documents(evaluation, profile, result, langs)}


def _files_with_hashes(node: Any) -> list[tuple[str, str]]:
    """Every {"path", "sha256"} pair anywhere in a manifest entry (the DOCX, its PDF, copies)."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("path"), str) and isinstance(node.get("sha256"), str) and node["sha256"]:
            found.append((node["path"], node["sha256"]))
        for key, value in node.items():
            if key != "path":
                found += _files_with_hashes(value)
    elif isinstance(node, list):
        for item in node:
            found += _files_with_hashes(item)
    return found


def _check_folder(out: Path, profile_id: str) -> dict[str, Any]:
    data = manifest(out)
    profile = load_profile(profile_id)
    forms = {spec.form for spec in profile.documents} | {"meeting"}
    paths = [doc["path"] for doc in data["documents"]]
    assert len(paths) == len(set(paths))
    # exactly the documents the profile names for each employee and for the commission
    made = {p for p in paths if not p.endswith(("/meeting.kk.docx", "/meeting.ru.docx"))}
    assert made == _expected(profile_id)
    assert {doc["form"] for doc in data["documents"]} <= forms
    evaluation, _ = load_evaluation(example(profile_id))
    folders = {path.split("/")[0] for path in paths}
    assert folders & {e.id for e in evaluation.employees}, "no employee got a document"
    for doc in data["documents"]:
        assert doc["path"].endswith(f".{doc['lang']}.docx")
        twin = doc["path"][: -len(f"{doc['lang']}.docx")] + ("ru" if doc["lang"] == "kk" else "kk") + ".docx"
        assert twin in paths, f"{doc['path']} has no twin in the other language"
    # manifest hashes are the files' hashes, after QR codes and signing
    for relpath, digest in _files_with_hashes(data["documents"]):
        assert sha256(out / relpath) == digest, relpath
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*.docx")}
    recorded = {relpath for relpath, _ in _files_with_hashes(data["documents"])}
    assert on_disk <= recorded, on_disk - recorded
    return data


@pytest.mark.parametrize("profile_id", PROFILES)
def test_run_without_keys_makes_the_profiles_documents(profile_id, tmp_path, capsys):
    out = tmp_path / "out"
    result = qujat(capsys, "run", example(profile_id), "--out", out, "--jobs", "2")
    assert result.code == 0, result.err
    data = _check_folder(out, profile_id)
    assert data["profile"] == profile_id
    assert not any(doc.get("signatures") for doc in data["documents"])
    assert not list(out.rglob("*.p7s"))
    assert leftovers(tmp_path, "out") == []


@pytest.mark.parametrize("profile_id, embed", [("udp-2018", False), ("alatau-2024", True)])
def test_run_with_demo_keys_signs_and_verifies(profile_id, embed, tmp_path, capsys, monkeypatch):
    out, keys = tmp_path / "out", tmp_path / "keys"
    args = ["run", example(profile_id), "--out", out, "--demo-keys", keys] + (["--embed"] if embed else [])
    result = qujat(capsys, *args)
    assert result.code == 0, result.err
    assert "0 required signatures still missing" in result.out
    data = _check_folder(out, profile_id)
    signed = [doc for doc in data["documents"] if doc.get("signatures")]
    required = [doc for doc in data["documents"] if doc.get("signers")]
    assert required and len(signed) == len(required)
    for doc in signed:
        assert {(s["role"], str(s["iin"])) for s in doc["signers"]} <= {
            (s["role"], str(s["iin"])) for s in doc["signatures"]}
        if not embed:
            assert (out / f"{doc['path']}.p7s").is_file()
    assert embed or len(list(out.rglob("*.p7s"))) == len(signed)
    # the signatures check out against the demo root, and the whole folder passes
    monkeypatch.setenv("QUJAT_KEY_PASSWORD", DEMO_PASSWORD)
    verified = qujat(capsys, "verify", out, "--ca", keys / "ca.pem")
    assert verified.code == 0, verified.out + verified.err
