"""QR codes of an official copy: the registry link and the EDS data of the signer, as PNG.

Registry QR payload: ``<base_url>/<document_id>`` (the id percent-encoded), e.g.
``https://docs.example.kz/d/ATY-2026-000123``. The EDS QR payload is
:class:`signing.ooxml.qr_payload.EdsQrData` (format described there). Both are UTF-8 text
at error-correction level M, encoded with zxing-cpp (about 1 ms per code) and written as
1-bit PNG.
"""

from __future__ import annotations

import struct
import zlib
from urllib.parse import quote

import numpy as np
import zxingcpp

__all__ = ["qr_png", "registry_url"]


def registry_url(base_url: str, document_id: str) -> str:
    """The registry link of ``document_id`` under ``base_url``."""
    if not document_id.strip():
        raise ValueError("document id is empty")
    return base_url.rstrip("/") + "/" + quote(document_id.strip(), safe="")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_1bit(pixels: np.ndarray) -> bytes:
    """A 1-bit grayscale PNG of a 0/255 image (dark -> 0)."""
    height, width = pixels.shape
    packed = np.packbits(pixels > 127, axis=1)
    rows = np.hstack([np.zeros((height, 1), dtype=np.uint8), packed])
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _png_chunk(b"IEND", b""))


def qr_png(text: str, *, scale: int = 4) -> bytes:
    """PNG bytes of a QR code (level M, quiet zone included) holding ``text``."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return _png_1bit(np.asarray(barcode.to_image(scale=scale)))
