"""Build generated folders (manifest + DOCX-like files + .p7s/.pdf) for the hand-off tests."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

BIN = "123456789012"


def make_folder(root: Path, count: int, *, signed: bool = True, pdf: bool = False,
                start: int = 1, size: int = 2000, bin_: str = BIN) -> Path:
    """A folder like the generate stage writes, with ``count`` documents."""
    root.mkdir(parents=True, exist_ok=True)
    docs = []
    for index in range(start, start + count):
        employee = f"E{index:04d}"
        rel = f"{employee}/kpi_sheet.kk.docx"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = b"PK\x03\x04" + f"document {employee} {root.name}".encode() + os.urandom(size)
        path.write_bytes(data)
        sigs = []
        if signed:
            path.with_name(path.name + ".p7s").write_bytes(b"0\x82" + os.urandom(300))
            sigs = [{"role": "employee", "iin": "900101300123", "name": f"Person {employee}",
                     "cert_serial": "0a1b2c", "signed_at": "2024-05-01T10:00:00+05:00"}]
        if pdf:
            path.with_suffix(".pdf").write_bytes(b"%PDF-1.7 " + os.urandom(500))
        docs.append({"path": rel, "form": "kpi_sheet", "lang": "kk", "employee": employee,
                     "title_kk": "Көрсеткіштер парағы", "title_ru": "Лист показателей",
                     "sha256": hashlib.sha256(data).hexdigest(), "document_id": str(uuid.uuid4()),
                     "signers": [{"role": "employee", "person": employee, "name": "x", "iin": "1"}],
                     "signatures": sigs})
    manifest = {"profile": "udp-2018", "period": "2024",
                "organisation": {"name_kk": "Мекеме", "name_ru": "Учреждение", "bin": bin_},
                "documents": docs}
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return root
