"""Delivery benchmark: the outbox against a plain loop of direct writes, in one run.

    python bench/deliver.py [--docs 300]

Prints documents/s into a hot folder and into WebDAV (wsgidav on loopback), each with the
outbox (queue in one transaction + claim + send + receipt, SQLite WAL) and with a plain
loop that builds the same packages and writes them with the same transport, plus the
ratio (goal: outbox < 2x), best of 3 alternating rounds each. Both start from registered
documents (registration is not the outbox's cost; the numbering line measures it). Then
registry numbering throughput with 2 concurrent writer processes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.archive.registry import Registry  # noqa: E402
from pipeline.deliver.outbox import idempotency_key  # noqa: E402
from pipeline.deliver.transports import transport_for  # noqa: E402
from pipeline.deliver.transports.base import Envelope  # noqa: E402
from pipeline.deliver.worker import deliver_folder  # noqa: E402
from pipeline.package.container import build_container  # noqa: E402
from tests.handoff.folders import make_folder  # noqa: E402
from tests.handoff.servers import DavServer  # noqa: E402

ROUNDS = 3


def plain_loop(folder: Path, url: str, work: Path) -> float:
    """Seconds to package and write every document directly (no registry in the loop)."""
    with Registry(work / "plain-setup.sqlite") as registry:
        details = [registry.find(r.id) for r in registry.register_folder(folder)]
    started = time.perf_counter()
    with transport_for(url) as transport:
        for detail in details:
            key = idempotency_key(detail.document.sha256, url)
            container = build_container(detail, [url])
            transport.send(Envelope(key=key, name=f"{container.name}.{key[:16]}.zip",
                                    data=container.data))
    return time.perf_counter() - started


def with_outbox(folder: Path, url: str, work: Path) -> float:
    """Seconds for deliver_folder on registered documents (queue, claim, send, record)."""
    with Registry(work / "outbox.sqlite") as registry:
        registry.register_folder(folder)
        started = time.perf_counter()
        summary = deliver_folder(folder, url, registry)
        elapsed = time.perf_counter() - started
    assert summary.stats.delivered == summary.queued and not summary.dead
    return elapsed


def compare(label: str, folder: Path, make_url: Callable[[str], str], work: Path, docs: int) -> None:
    """Alternate plain and outbox runs (fresh targets and registries); best of ``ROUNDS`` each."""
    plain, outbox = [], []
    for round_ in range(ROUNDS):
        for runs, run, tag in ((plain, plain_loop, "plain"), (outbox, with_outbox, "outbox")):
            for path in work.glob("*.sqlite*"):
                path.unlink()
            runs.append(run(folder, make_url(f"{tag}{round_}"), work))
    best_plain, best_outbox = min(plain), min(outbox)
    print(f"{label:<11} plain loop {docs / best_plain:7.1f} docs/s | outbox {docs / best_outbox:7.1f}"
          f" docs/s | outbox/plain time ratio {best_outbox / best_plain:4.2f}x (goal < 2x)")


def _writer(db: str, base: str, name: str, count: int, queue: multiprocessing.Queue[float]) -> None:
    registry = Registry(db)
    folders = [make_folder(Path(base) / f"{name}-{i}", 1, size=10) for i in range(count)]
    started = time.perf_counter()
    for folder in folders:
        registry.register_folder(folder)
    queue.put(time.perf_counter() - started)
    registry.close()


def numbering(work: Path, per_writer: int) -> None:
    db = str(work / "numbers.sqlite")
    Registry(db).close()
    queue: multiprocessing.Queue[float] = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_writer, args=(db, str(work), f"w{i}", per_writer, queue))
             for i in range(2)]
    for proc in procs:
        proc.start()
    times = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    with Registry(db) as registry:
        numbers = sorted(int(r.reg_number[-6:]) for r in registry.list_documents())
    gapless = numbers == list(range(1, 2 * per_writer + 1))
    print(f"numbering  2 writers x {per_writer} one-document transactions: "
          f"{2 * per_writer / max(times):7.1f} numbers/s, gapless and unique: {gapless}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = make_folder(work / "out", args.docs, pdf=True, size=20_000)
        compare("hot folder", folder, lambda tag: f"file://{work / tag}", work, args.docs)
        with DavServer(work / "dav") as dav:
            compare("WebDAV", folder, lambda tag: f"{dav.url()}/{tag}", work, args.docs)
        numbering(work, max(args.docs // 2, 50))


if __name__ == "__main__":
    main()
