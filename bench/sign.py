"""Benchmark: detached CAdES-BES per document vs the bare RSA-2048 private-key operation, and
the whole pipeline (generate + QR codes + sign) on the five examples.

CMS vs RSA: both measured in the same run, interleaved in rounds; the best round of each
counts. Goal: the whole CMS (SHA-256 of the document, signed attributes, SignedData) costs at
most 1.3x the bare RSA signature.

Verify: ``validate_detached`` per signature (one RSA-2048 SignerInfo over a document: digest,
signed attributes, signature value, certificate lookup, chain walk) against the bare RSA-2048
public-key verify of one signature, measured in the same run, interleaved; prints the ratio.

Pipeline: in-process ``pipeline.run.run`` for every ``examples/*/evaluation.yaml`` with demo
keys (made before timing), against generating the same documents unsigned in the same run;
prints docs/s, signatures/s and the ratio. Run: ``python bench/sign.py [--docs N] [--size BYTES]
[--no-pipeline]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from asn1crypto import cms  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

from signing.cms import cosign, sign_detached  # noqa: E402
from signing.demo import DemoPerson, built_in_people, make_demo  # noqa: E402
from signing.keys import load_p12  # noqa: E402
from signing.software import SoftwareSigner  # noqa: E402
from signing.verify import load_roots, validate_detached  # noqa: E402

GOAL = 1.3


def _best_per_op(fn, count: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for index in range(count):
            fn(index)
        best = min(best, (time.perf_counter() - start) / count)
    return best


def verify_figures(p7s: bytes, document: bytes, roots: list[x509.Certificate], public_key: rsa.RSAPublicKey,
                   count: int, rounds: int) -> None:
    """``validate_detached`` per signature vs the bare RSA verify, best of interleaved rounds."""
    [status] = validate_detached(p7s, document, roots=roots)
    assert status.passed, status.reason
    signer_info = cms.ContentInfo.load(p7s)["content"]["signer_infos"][0]
    signature = signer_info["signature"].native
    attrs = b"\x31" + signer_info["signed_attrs"].dump()[1:]  # the DER the signature covers
    raw_times, whole_times = [], []
    for _ in range(rounds):
        raw_times.append(_best_per_op(
            lambda i: public_key.verify(signature, attrs, padding.PKCS1v15(), hashes.SHA256()), count, 1))
        whole_times.append(_best_per_op(lambda i: validate_detached(p7s, document, roots=roots), count, 1))
    raw, whole = min(raw_times), min(whole_times)
    print(f"bare RSA-2048 verify:          {raw * 1e6:8.1f} us")
    print(f"validate_detached, 1 signature: {whole * 1e6:7.1f} us  ({1 / whole:6.0f} signatures/s)")
    print(f"ratio validate / bare verify:  {whole / raw:8.1f}")


def _timed_runs(examples: list[Path], out: Path, options_for) -> tuple[float, int, int]:
    """Run every example; (seconds, documents, signatures)."""
    from pipeline.run import run

    start, documents, signatures = time.perf_counter(), 0, 0
    for example in examples:
        summary = run(example, out / example.parent.name, options_for(example))
        documents += summary.documents
        signatures += summary.signed
    return time.perf_counter() - start, documents, signatures


def pipeline_figures() -> None:
    """Generate + QR + sign (+ stamped copies) per second on the examples, vs generate only."""
    from pipeline.run import RunOptions

    examples = sorted((ROOT / "examples").glob("*/evaluation.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)

        def keys(example: Path) -> Path:
            return root / "keys" / example.parent.name

        def signed(example: Path) -> RunOptions:
            return RunOptions(keys=keys(example), demo_keys=True, stamped=False)

        _timed_runs(examples, root / "warm", signed)  # demo keys, template caches, worker start-up
        plain, documents, _ = _timed_runs(examples, root / "plain", lambda _: RunOptions())
        whole, signed_docs, signatures = _timed_runs(examples, root / "signed", signed)
        stamped, _, _ = _timed_runs(examples, root / "stamped",
                                    lambda e: RunOptions(keys=keys(e), demo_keys=True, stamped=True))
    assert signed_docs == documents
    print(f"pipeline on {len(examples)} examples: {documents} documents, {signatures} signatures")
    print(f"generate only:                 {documents / plain:8.1f} docs/s  ({plain:.2f} s)")
    print(f"generate + QR + sign:          {documents / whole:8.1f} docs/s  {signatures / whole:8.1f} signatures/s"
          f"  ({whole:.2f} s)")
    print(f"  + stamped copies:            {documents / stamped:8.1f} docs/s  ({stamped:.2f} s)")
    print(f"ratio (generate + sign) / generate only: {whole / plain:6.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300, help="documents per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--size", type=int, default=40_000, help="bytes per document (a typical DOCX)")
    parser.add_argument("--no-pipeline", action="store_true", help="skip the generate + sign figures")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        people = built_in_people()
        rsa_person: DemoPerson = people[0]
        ec_person = next(p for p in people if p.algorithm == "ec")
        make_demo(Path(tmp), [rsa_person, ec_person], password="bench")
        rsa_key = load_p12(Path(tmp) / f"{rsa_person.id}.p12", b"bench")
        rsa_signer = SoftwareSigner(rsa_key)
        ec_signer = SoftwareSigner.from_p12(Path(tmp) / f"{ec_person.id}.p12", b"bench")
        roots = load_roots(Path(tmp) / "ca.pem")

    documents = [os.urandom(args.size) for _ in range(args.docs)]
    attrs_sized = os.urandom(190)  # about the size of the signed attributes
    key = rsa_key.private_key  # the bare private-key operation is the baseline
    sign_detached(documents[0], rsa_signer)  # build the per-signer templates once

    raw_times, cms_times = [], []
    for _ in range(args.rounds):  # interleave so machine noise hits both alike
        raw_times.append(_best_per_op(lambda i: key.sign(attrs_sized, padding.PKCS1v15(), hashes.SHA256()),
                                      args.docs, 1))
        cms_times.append(_best_per_op(lambda i: sign_detached(documents[i], rsa_signer), args.docs, 1))
    raw, whole = min(raw_times), min(cms_times)
    ratio = whole / raw

    ec_whole = _best_per_op(lambda i: sign_detached(documents[i], ec_signer), args.docs, 3)
    first = sign_detached(documents[0], rsa_signer)
    co = _best_per_op(lambda i: cosign(first, documents[0], ec_signer), min(args.docs, 100), 3)

    print(f"documents: {args.docs} x {args.size} bytes, best of {args.rounds} rounds")
    print(f"bare RSA-2048 sign:            {1 / raw:8.0f} /s  ({raw * 1e6:7.1f} us)")
    print(f"detached CAdES-BES, RSA-2048:  {1 / whole:8.0f} docs/s  ({whole * 1e6:7.1f} us)")
    print(f"ratio CMS / bare RSA:          {ratio:8.3f}  (goal <= {GOAL})")
    print(f"detached CAdES-BES, ECDSA P-256: {1 / ec_whole:6.0f} docs/s")
    print(f"co-sign onto an existing .p7s: {1 / co:8.0f} /s")
    verify_figures(first, documents[0], roots, key.public_key(), min(args.docs, 200), args.rounds)
    if not args.no_pipeline:
        pipeline_figures()
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
