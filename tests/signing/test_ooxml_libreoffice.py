"""LibreOffice, through its own Python UNO bridge, as a second independent verifier of DOCX signatures.

LibreOffice checks only the digests it finds (it accepts added relationships); these tests
show it reads our signatures as valid, and that it sees digest tampering.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from signing.ooxml import sign_package

try:
    from .test_ooxml_kit import NOW, make_ca, make_docx, rezip, zip_members
except ImportError:
    from test_ooxml_kit import NOW, make_ca, make_docx, rezip, zip_members

pytestmark = pytest.mark.slow

SYSTEM_PYTHON = "/usr/bin/python3"
UNO_SCRIPT = r'''
import json, os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

profile, pipe, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
proc = subprocess.Popen(["soffice", "-env:UserInstallation=" + profile, "--headless", "--invisible",
                         "--norestore", "--accept=pipe,name=%s;urp;" % pipe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.2)
    smgr = ctx.ServiceManager
    factory = smgr.createInstanceWithContext("com.sun.star.embed.StorageFactory", ctx)
    checker = smgr.createInstanceWithArgumentsAndContext(
        "com.sun.star.security.DocumentDigitalSignatures", ("1.2", True), ctx)
    for path in paths:
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        options = uno.Any("[]com.sun.star.beans.PropertyValue", (prop("StorageFormat", "ZipFormat"),))
        storage = uno.invoke(factory, "createInstanceWithArguments", ((url, 1, options),))
        infos = checker.verifyDocumentContentSignatures(storage, None)
        print(json.dumps({"path": path, "valid": [bool(i.SignatureIsValid) for i in infos],
                          "subjects": [i.Signer.SubjectName if i.Signer else "" for i in infos]}))
finally:
    proc.terminate()
    proc.wait(60)
'''


def _libreoffice_check(tmp_path: Path, files: dict[str, bytes]) -> dict[str, dict]:
    if not (os.path.exists(SYSTEM_PYTHON) and shutil.which("soffice")):
        pytest.skip("LibreOffice with its Python UNO bridge is not installed")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("python3-uno is not installed")
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    nss = tmp_path / "nssdb"
    nss.mkdir()
    env = {**os.environ, "MOZILLA_CERTIFICATE_FOLDER": str(nss)}
    result = subprocess.run(
        [SYSTEM_PYTHON, "-c", UNO_SCRIPT, (tmp_path / "lo-profile").as_uri(), f"qujat_{os.getpid()}", *paths],
        capture_output=True, text=True, timeout=240, env=env)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(files), result.stdout + result.stderr
    return {Path(line["path"]).name: line for line in lines}


def test_libreoffice_reads_our_signatures_and_sees_tampering(tmp_path):
    ca = make_ca()
    first, second = ca.issue("Әлиев Асқар Болатұлы", "900101300045"), ca.issue("Иванова Мария", "850505400012",
                                                                               algorithm="ec")
    once = sign_package(make_docx(), first, signing_time=NOW)
    twice = sign_package(once, second, signing_time=NOW + timedelta(minutes=1))
    members = zip_members(twice)
    members["word/document.xml"] = members["word/document.xml"].replace("Жеке".encode(), "Жека".encode(), 1)
    results = _libreoffice_check(tmp_path, {"once.docx": once, "twice.docx": twice, "forged.docx": rezip(members)})
    assert results["once.docx"]["valid"] == [True]
    assert results["twice.docx"]["valid"] == [True, True]
    assert "IIN850505400012" in results["twice.docx"]["subjects"][1]
    assert results["forged.docx"]["valid"] == [False, False]
