"""Shared bits of the CMS signing tests (imported by conftest and test modules)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

KEY_PASSWORD = "pw-" + secrets.token_hex(8)
CLI_RUNNER = Path(__file__).with_name("cli_runner.py")
ROOT = Path(__file__).resolve().parents[2]


def openssl_verify(p7s: Path, content: Path, ca: Path) -> subprocess.CompletedProcess[str]:
    """The independent check: ``openssl cms -verify`` of a detached DER signature."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl is required"
    return subprocess.run(
        [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(p7s), "-content", str(content),
         "-CAfile", str(ca), "-purpose", "any", "-out", "/dev/null"],
        capture_output=True, text=True, check=False,
    )


def run_qujat(*args: str, env: dict[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the signing commands in a fresh process, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("QUJAT_KEY_PASSWORD")}
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run([sys.executable, str(CLI_RUNNER), *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, check=False, stdin=subprocess.DEVNULL)


def make_folder(root: Path, demo_dir: Path, docs: dict[str, list[str]]) -> Path:
    """An evaluation folder with random "documents" under E001/ and a manifest naming their signers."""
    people = json.loads((demo_dir / "people.json").read_text(encoding="utf-8"))
    (root / "E001").mkdir(parents=True)
    documents = []
    for name, signers in docs.items():
        data = os.urandom(3000) + name.encode()
        (root / "E001" / name).write_bytes(data)
        documents.append({
            "path": f"E001/{name}", "form": name.split(".")[0], "lang": name.split(".")[1], "employee": "E001",
            "sha256": hashlib.sha256(data).hexdigest(), "document_id": f"doc-{name}",
            "signers": [{"role": people[p]["roles"][0], "person": p, "name": people[p]["name"],
                         "iin": people[p]["iin"]} for p in signers],
            "signatures": [],
        })
    (root / "manifest.json").write_text(json.dumps({"profile": "udp-2018", "documents": documents},
                                                   ensure_ascii=False), encoding="utf-8")
    return root
