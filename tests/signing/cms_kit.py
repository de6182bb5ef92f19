"""Shared bits of the CMS signing tests (imported by conftest and test modules)."""

from __future__ import annotations

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
