"""CLI of the stamp stage: ``qujat qr add``, ``qujat qr check`` and ``qujat stamp``.

Parses and prints only; the work is in :mod:`pipeline.stamp` and :mod:`signing.verify.qr`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["register"]

CaOption = Annotated[Optional[Path], typer.Option("--ca", help="PEM file of trusted root certificates.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of captions and stamp: kk or ru.")]


def _existing(path: Path) -> Path:
    from pipeline.errors import InputError

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return path


def _roots(ca: Path | None) -> list:
    from pipeline.errors import InputError
    from signing.verify.cms import load_roots

    try:
        return load_roots(ca) if ca else []
    except (OSError, ValueError) as exc:
        raise InputError(f"{ca}: cannot read the CA certificates: {exc}") from None


def _lang(lang: str) -> str:
    from pipeline.errors import UsageError

    if lang not in ("kk", "ru"):
        raise UsageError(f"--lang must be kk or ru, not {lang!r}")
    return lang


def qr_add(
    docx: Annotated[Path, typer.Argument(help="Unsigned DOCX; rewritten in place (atomically).")],
    document_id: Annotated[str, typer.Option("--id", help="Document id in the registry.")],
    base_url: Annotated[str, typer.Option("--base-url", help="Registry base URL.")],
    certificate: Annotated[Path, typer.Option("--cert", help="PEM certificate of the official who will sign.")],
    signing_time: Annotated[str, typer.Option("--time", help="Signing time, ISO 8601 with offset; pass "
                                              "the same time to the signing step.")],
    lang: LangOption = "kk",
) -> None:
    """Put the registry and EDS QR codes into the header of DOCX (before it is signed)."""
    from cryptography import x509

    from pipeline.errors import InputError
    from pipeline.fsio import atomic_write_bytes
    from pipeline.ooxml.opc import OpcError
    from pipeline.stamp.header import add_official_qr_codes

    try:
        when = datetime.fromisoformat(signing_time)
        cert = x509.load_pem_x509_certificate(_existing(certificate).read_bytes())
    except ValueError as exc:
        raise InputError(f"--time/--cert: {exc}") from None
    if when.tzinfo is None:
        raise InputError(f"--time {signing_time!r} needs a UTC offset, e.g. 2026-11-28T17:00:00+05:00")
    try:
        data = add_official_qr_codes(_existing(docx).read_bytes(), registry_base_url=base_url,
                                     document_id=document_id, certificate=cert, signing_time=when, lang=_lang(lang))
    except (OpcError, ValueError) as exc:
        raise InputError(f"{docx}: {exc}") from None
    atomic_write_bytes(docx, data)
    typer.echo(f"QR codes added to the header of {docx}")


def qr_check(
    docx: Annotated[Path, typer.Argument(help="Signed DOCX.")],
    page: Annotated[Optional[Path], typer.Option("--page", help="Read the codes from this page image "
                    "(PNG) instead of the header images.")] = None,
    ca: CaOption = None,
) -> None:
    """Compare the EDS QR code with the signatures of DOCX (and DOCX.p7s); exit 1 on any difference."""
    from signing.verify.errors import SignaturesNotValid
    from signing.verify.qr import check_eds_qr, decode_image

    texts = decode_image(_existing(page).read_bytes()) if page else None
    p7s = docx.with_name(docx.name + ".p7s")
    check = check_eds_qr(_existing(docx).read_bytes(), texts, _roots(ca),
                         detached=p7s.read_bytes() if p7s.is_file() else None)
    if check.eds is not None:
        typer.echo(f"EDS QR: {check.eds.name}, IIN {check.eds.iin_masked}, certificate {check.eds.cert_serial}, "
                   f"{check.eds.signing_time.isoformat()}")
    if check.signature is not None:
        typer.echo(f"signature {check.signature.source}: {check.signature.indication.value} "
                   f"({check.signature.reason})")
    for problem in check.problems:
        typer.echo(f"  problem: {problem}", err=True)
    if not check.ok:
        raise SignaturesNotValid(f"{docx}: the EDS QR code does not match the signatures")
    typer.echo("EDS QR code matches the signature")


def stamp(
    path: Annotated[Path, typer.Argument(help="A signed DOCX, or a folder: every signed DOCX in it "
                                         "(with a .p7s beside it or signatures inside). Left unchanged.")],
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language of the stamp: kk or ru; default: "
                                                "from the file name (.kk.docx/.ru.docx), else kk.")] = None,
    ca: CaOption = None,
) -> None:
    """Write <name>.stamped.docx: a printable copy with a visible EDS stamp per signer."""
    from pipeline.errors import InputError, SigningError
    from pipeline.stamp.eds_stamp import write_stamped_copy
    from pipeline.stamp.folder import lang_of, stamp_folder
    from signing.verify.errors import SignaturesNotValid

    chosen = _lang(lang) if lang else None
    roots = _roots(ca)
    if path.is_dir():
        outcomes = stamp_folder(path, lang=chosen, trusted_roots=roots)
        if not outcomes:
            raise InputError(f"{path}: no signed DOCX here (none has a .p7s beside it or signatures inside)")
        for outcome in outcomes:
            if outcome.target is not None:
                typer.echo(f"Wrote {outcome.target}")
            else:
                typer.echo(f"  not stamped: {outcome.source}: {outcome.problem}", err=True)
        refused = [o for o in outcomes if o.target is None]
        if refused:
            raise SignaturesNotValid(f"{len(refused)} of {len(outcomes)} signed documents not stamped: "
                                     + ", ".join(str(o.source) for o in refused[:10]))
        return
    try:
        target = write_stamped_copy(_existing(path), lang=chosen or lang_of(path), trusted_roots=roots)
    except SigningError as exc:
        raise SignaturesNotValid(str(exc)) from None
    typer.echo(f"Wrote {target}")


def register(app: typer.Typer) -> None:
    """Add ``qr add``, ``qr check`` and ``stamp`` to the root app."""
    qr_app = typer.Typer(help="QR codes of official copies.", no_args_is_help=True)
    qr_app.command("add")(qr_add)
    qr_app.command("check")(qr_check)
    app.add_typer(qr_app, name="qr")
    app.command("stamp")(stamp)
