"""Signatures embedded in DOCX packages (ECMA-376 Part 2), as Word makes them."""

from signing.ooxml.package_sig import RawSigner, sign_package, signature_parts

__all__ = ["RawSigner", "sign_package", "signature_parts"]
