"""kill -9 a delivering process at random moments, resume: every document arrives once."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from pipeline.archive.registry import Registry
from pipeline.archive.schema import delivery_attempts, outbox
from pipeline.package.container import read_container
from tests.handoff.folders import make_folder

ROOT = Path(__file__).resolve().parents[2]

_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from pipeline.archive.registry import Registry
    from pipeline.deliver.worker import deliver_folder
    folder = Path(sys.argv[1])
    with Registry.for_folder(folder, sys.argv[3] if len(sys.argv) > 3 else None) as registry:
        print(deliver_folder(folder, sys.argv[2], registry).stats)
""")


def _run(folder: Path, url: str, registry: str | None = None) -> subprocess.Popen[bytes]:
    args = [str(folder), url] + ([registry] if registry else [])
    return subprocess.Popen([sys.executable, "-c", _CHILD.format(root=str(ROOT)), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _count(hot: Path) -> int:
    return sum(1 for f in hot.glob("*.zip")) if hot.exists() else 0


def test_kill_9_and_resume_delivers_each_document_exactly_once(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "out", 200, pdf=True, size=3000)
    hot = tmp_path / "hot"
    url = f"file://{hot}"
    rng = random.Random(20240501)
    kills = 0
    for run in range(20):
        child = _run(folder, url)
        if run % 4 == 0:  # during start-up: reading, registering and queueing (no new file yet)
            before, deadline = _count(hot), time.monotonic() + rng.uniform(0.1, 0.8)
            while child.poll() is None and _count(hot) == before and time.monotonic() < deadline:
                time.sleep(0.002)
        else:  # mid-batch: after a random number of new files appeared
            before, more = _count(hot), rng.randint(1, 10)
            deadline = time.monotonic() + 10
            while child.poll() is None and _count(hot) < before + more and time.monotonic() < deadline:
                time.sleep(rng.uniform(0.0, 0.004))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait()
        if kills >= 10:
            break
    assert kills >= 10
    assert _count(hot) < 200, "every kill must interrupt work still to do"
    final = _run(folder, url)
    _out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()

    manifest = json.loads((folder / "manifest.json").read_text())
    expected = {d["document_id"]: d["sha256"] for d in manifest["documents"]}
    files = sorted(hot.iterdir())
    assert [f for f in files if f.suffix != ".zip"] == []
    assert len(files) == 200
    arrived: Counter[str] = Counter()
    with Registry.for_folder(folder) as registry:
        numbers = {r.id: r.reg_number for r in registry.list_documents(status="delivered")}
        for file in files:
            members = read_container(file.read_bytes())
            meta = json.loads(members["metadata.json"])
            docx = members["document/kpi_sheet.kk.docx"]
            assert hashlib.sha256(docx).hexdigest() == expected[meta["document_id"]]
            assert meta["reg_number"] == numbers[meta["document_id"]]
            arrived[meta["document_id"]] += 1
        assert arrived == Counter({doc_id: 1 for doc_id in expected})
        with registry.engine.connect() as conn:
            rows = conn.execute(select(outbox.c.status, outbox.c.receipt)).all()
            outcomes = Counter(conn.execute(select(delivery_attempts.c.outcome)).scalars())
            written = Counter(conn.execute(select(delivery_attempts.c.document_id).where(
                delivery_attempts.c.outcome == "delivered")).scalars())
    assert len(rows) == 200 and {r.status for r in rows} == {"delivered"}
    assert {json.loads(r.receipt)["location"] for r in rows} == {str(f) for f in files}
    # one real write per document; "already" only where a kill fell between send and commit
    assert set(written.values()) == {1} and len(written) + outcomes["already"] == 200
    assert outcomes["already"] <= kills
    assert outcomes[None] == 0


def test_two_worker_processes_on_one_registry_send_each_document_once(
        tmp_path: Path, registry_location: str) -> None:
    """Both processes import the same folder at once, then share its outbox."""
    folder = make_folder(tmp_path / "out", 300, size=500)
    hot = tmp_path / "hot"
    url = f"file://{hot}"
    children = [_run(folder, url, registry_location) for _ in range(2)]
    for child in children:
        _out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()
    with Registry(registry_location) as registry, registry.engine.connect() as conn:
        numbers = sorted(int(r.reg_number[-6:]) for r in registry.list_documents(status="delivered"))
        tries = conn.execute(select(delivery_attempts.c.document_id, delivery_attempts.c.outcome,
                                    delivery_attempts.c.worker)).all()
    sent = Counter(t.document_id for t in tries if t.outcome in ("delivered", "already"))
    assert len(sent) == 300 and set(sent.values()) == {1}
    assert not [t for t in tries if t.outcome == "already"]
    assert len({t.worker.split(":")[1] for t in tries}) == 2  # both processes did work
    assert _count(hot) == 300
    assert numbers == list(range(1, 301))
