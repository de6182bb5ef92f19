"""CLI of the signing stage: ``qujat keys demo``, ``qujat sign``, ``qujat verify``.

Parses and prints only; the work is in :mod:`signing`. Key passwords come from the
environment (``QUJAT_KEY_PASSWORD`` or ``QUJAT_KEY_PASSWORD_<NAME>``) or a prompt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["register"]


def _echo_err(text: str) -> None:
    typer.echo(text, err=True)


def keys_demo(
    directory: Annotated[Path, typer.Argument(help="Folder to write ca.pem, <person>.p12, people.json into.")],
    people: Annotated[Optional[Path], typer.Option("--people", help="YAML/JSON list of "
                      "{id, full_name, iin, role, organisation, bin}; default: a built-in cast.")] = None,
) -> None:
    """Make a test CA and NCA-like demo keys (for tests and trials; not real NCA keys)."""
    from signing.demo import DEMO_PASSWORD, make_demo, read_people

    index = make_demo(directory, read_people(people) if people else None)
    typer.echo(f"Wrote {directory / 'ca.pem'} and {len(index)} keys "
               "(+ expired.p12, other-root.p12, auth-only.p12)")
    for entry in index.values():
        typer.echo(f"  {entry['file']:<14} {entry['name']} [{', '.join(entry['roles'])}] {entry['algorithm']}")
    typer.echo(f"Demo password (also in {directory / 'README.txt'}): {DEMO_PASSWORD}")
    typer.echo("Pass it through the environment: export QUJAT_KEY_PASSWORD=...")


def _ncalayer_signer(url: str, shape: str, trust_cert: Path | None):
    from pipeline.errors import UsageError
    from signing.external import IdentifiedExternalSigner
    from signing.ncalayer import NCALayerClient

    if shape not in ("basics", "legacy"):
        raise UsageError(f"--ncalayer-shape must be basics or legacy, not {shape!r}")
    client = NCALayerClient(url, shape=shape, trust_cert=trust_cert)
    return IdentifiedExternalSigner(lambda payload, digested: client.sign(payload, digested=digested))


def sign(
    directory: Annotated[Path, typer.Argument(help="Evaluation folder with manifest.json.")],
    key: Annotated[Optional[Path], typer.Option("--key", help="The signer's .p12 (password from "
                   "QUJAT_KEY_PASSWORD[_<NAME>] or a prompt).")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="Sign only as this role "
                    "(e.g. direct_manager); default: every role of the key's person.")] = None,
    embed: Annotated[bool, typer.Option("--embed", help="Sign inside each DOCX (ECMA-376) "
                     "instead of a detached .p7s.")] = False,
    ncalayer: Annotated[bool, typer.Option("--ncalayer", help="Sign through NCALayer instead of a .p12 "
                        "(tokens, GOST keys); the signer is whoever's certificate NCALayer returns.")] = False,
    ncalayer_url: Annotated[str, typer.Option("--ncalayer-url", help="NCALayer's WebSocket address.")]
    = "wss://127.0.0.1:13579",
    ncalayer_shape: Annotated[str, typer.Option("--ncalayer-shape", help="NCALayer module: basics "
                              "(kz.gov.pki.knca.basics) or legacy (commonUtils).")] = "basics",
    ncalayer_cert: Annotated[Optional[Path], typer.Option("--ncalayer-cert", help="PEM certificate of "
                             "NCALayer's local TLS endpoint, to trust it.")] = None,
) -> None:
    """Sign (or co-sign) every document of DIR/manifest.json that waits for this key's person."""
    from pipeline.errors import UsageError
    from signing.documents import SignatureSpec, sign_folder, sign_folder_externally
    from signing.software import SoftwareSigner

    if (key is None) == (not ncalayer):
        raise UsageError("give --key KEY.p12 or --ncalayer (one of them)")
    if ncalayer and embed:
        raise UsageError("--embed needs --key: NCALayer returns a whole CMS, so it signs detached .p7s files only")
    spec = SignatureSpec(role=role, embed=embed)
    if key is not None:
        signer = SoftwareSigner.from_p12(key)
        outcomes = sign_folder(directory, signer, spec, notify=_echo_err)
    else:
        signer = _ncalayer_signer(ncalayer_url, ncalayer_shape, ncalayer_cert)
        outcomes = sign_folder_externally(directory, signer, spec, notify=_echo_err)
    identity = signer.identity
    typer.echo(f"Signer: {identity.name} (IIN {identity.iin.masked() if identity.iin else '-'}, "
               f"certificate {identity.cert_serial})")
    for outcome in outcomes:
        typer.echo(f"  {outcome.action:<14} {outcome.document} as {', '.join(outcome.roles)} -> {outcome.output}")


def verify(
    path: Annotated[Path, typer.Argument(help="A document, a .p7s, or an evaluation folder.")],
    ca: Annotated[Optional[Path], typer.Option("--ca", help="PEM file of trusted root certificates.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the statuses as JSON.")] = False,
) -> None:
    """Check every signature, that each required signer signed, and each DOCX's EDS QR code.

    Exit 0 only if every required signature is valid and every EDS QR code present matches.
    """
    from pipeline.errors import InputError
    from signing.verify.cms import load_roots
    from signing.verify.documents import verify_path
    from signing.verify.errors import SignaturesNotValid
    from signing.verify.report import render_json, render_text

    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    try:
        roots = load_roots(ca) if ca else []
    except (OSError, ValueError) as exc:
        raise InputError(f"{ca}: cannot read the CA certificates: {exc}") from None
    reports = verify_path(path, roots)
    if as_json:
        typer.echo(render_json(reports))
    else:
        for line in render_text(reports):
            typer.echo(line)
        if not ca:
            _echo_err("no --ca given: no signature can be trusted")
    failed = [report.document for report in reports if not report.ok]
    if not reports:
        raise SignaturesNotValid("nothing to verify")
    if failed:
        shown = ", ".join(failed[:10]) + (f" and {len(failed) - 10} more" if len(failed) > 10 else "")
        raise SignaturesNotValid(f"{len(failed)} of {len(reports)} documents failed verification: {shown}")


def register(app: typer.Typer) -> None:
    """Add ``keys demo``, ``sign`` and ``verify`` to the root app."""
    keys_app = typer.Typer(help="Signing keys: demo CA and NCA-like test keys.", no_args_is_help=True)
    keys_app.command("demo")(keys_demo)
    app.add_typer(keys_app, name="keys")
    app.command("sign")(sign)
    app.command("verify")(verify)
