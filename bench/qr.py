"""QR PNG encoding: zxing-cpp (what qujat uses) against segno, same payloads, same run;
then the per-document cost of the stamp and embedded-signature steps.

Run from the repository root: ``PYTHONPATH=. python bench/qr.py [N]``. Prints ms per code
for each encoder and the ratio, for the registry link and for the EDS payload (Kazakh text),
plus the cost of the whole DOCX header insertion. segno is the baseline (pure Python, ~14 ms/code measured earlier).
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import docx
import segno
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from pipeline.stamp.header import QrCodes, insert_qr_header
from pipeline.stamp.qr import qr_png
from signing.ooxml import sign_package
from signing.verify.ooxml import verify_package

REGISTRY = "https://docs.example.kz/d/ATY-2026-000123"
EDS = ("QUJAT-EDS/1\nname=ӘЛИЕВ АСҚАР БОЛАТҰЛЫ\niin=9001******45\n"
       "serial=3e1e48f463c0cec8d824311d134caefa059f80d9\ntime=2026-11-28T17:00:00+05:00\n"
       "sha256=0123456789abcdef")


def per_call_ms(fn: Callable[[], object], n: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1000


def segno_png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="png", scale=4)
    return out.getvalue()


class _Signer:
    """A throw-away self-signed RSA-2048 key with the ``sign_raw`` API."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench")])
        now = datetime.now(timezone.utc)
        self.certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                            .public_key(self.key.public_key()).serial_number(1)
                            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
                            .sign(self.key, hashes.SHA256()))

    def sign_raw(self, data: bytes, digest: str) -> bytes:
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def main(n: int) -> None:
    print(f"QR PNG encoding, {n} codes each, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    for label, text in (("registry link", REGISTRY), ("EDS payload", EDS)):
        base = per_call_ms(lambda text=text: segno_png(text), max(n // 10, 5))
        fast = per_call_ms(lambda text=text: qr_png(text), n)
        print(f"{label:14} segno {base:7.2f} ms/code   zxing-cpp {fast:6.3f} ms/code   {base / fast:6.1f}x faster")
    document = docx.Document()
    document.add_paragraph("Жеке жұмыс жоспары")
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    codes = QrCodes(REGISTRY, EDS)
    header = per_call_ms(lambda: insert_qr_header(data, codes), max(n // 10, 5))
    print(f"whole header insertion (2 codes, zip in -> zip out): {header:.2f} ms/document")
    signer = _Signer()
    stamped = insert_qr_header(data, codes)
    now = datetime.now(timezone.utc)
    raw = per_call_ms(lambda: signer.sign_raw(b"x" * 2000, "sha256"), max(n // 5, 5))
    signed = sign_package(stamped, signer, signing_time=now)
    sign = per_call_ms(lambda: sign_package(stamped, signer, signing_time=now), max(n // 10, 5))
    verify = per_call_ms(lambda: verify_package(signed, [signer.certificate]), max(n // 10, 5))
    print(f"raw RSA-2048 signature {raw:.2f} ms; sign_package {sign:.2f} ms ({sign / raw:.1f}x raw); "
          f"verify_package {verify:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
