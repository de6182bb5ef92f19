"""ExternalSigner with a real external program (a Python process holding the key)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from cms_kit import KEY_PASSWORD, ROOT, openssl_verify

from pipeline.errors import SigningError
from signing.cms import cosign, sign_detached
from signing.external import ExternalSigner, command_backend

PROGRAM = """
import os, sys
from signing.cms import sign_detached, sign_digest
from signing.software import SoftwareSigner
signer = SoftwareSigner.from_p12(sys.argv[1])
payload = sys.stdin.buffer.read()
digested = os.environ["QUJAT_SIGN_DIGESTED"] == "1"
sys.stdout.buffer.write(sign_digest(payload, signer) if digested else sign_detached(payload, signer))
"""


@pytest.fixture()
def program_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("QUJAT_KEY_PASSWORD", KEY_PASSWORD)


@pytest.mark.parametrize("digested", [False, True])
def test_program_signs_data_or_hash(tmp_path: Path, demo_dir: Path, signer_of, program_env, digested: bool) -> None:
    data = os.urandom(5000)
    signer = ExternalSigner(command_backend([sys.executable, "-c", PROGRAM, str(demo_dir / "CM03.p12")]),
                            digested=digested)
    p7s = cosign(sign_detached(data, signer_of("C001")), data, signer)
    (tmp_path / "d").write_bytes(data)
    (tmp_path / "d.p7s").write_bytes(p7s)
    result = openssl_verify(tmp_path / "d.p7s", tmp_path / "d", demo_dir / "ca.pem")
    assert result.returncode == 0, result.stderr


def test_failing_program_is_a_signing_error(program_env) -> None:
    failing = ExternalSigner(command_backend([sys.executable, "-c", "import sys; sys.exit('token not found')"]))
    with pytest.raises(SigningError, match="token not found"):
        failing.sign_detached(b"x")
    garbage = ExternalSigner(command_backend([sys.executable, "-c", "print('hello')"]))
    with pytest.raises(SigningError):
        garbage.sign_detached(b"x")
