"""A private PostgreSQL cluster for the registry tests: temp dir, free loopback port.

``initdb`` + ``pg_ctl`` from the installed PostgreSQL (Debian: ``/usr/lib/postgresql/N/bin``).
As root the server runs as the ``postgres`` OS user (``pg_ctl`` refuses root). Durability is
switched off (``fsync=off``): the cluster lives only for the test session. Tests skip with the
reason when the binaries or the driver are missing, unless ``QUJAT_REQUIRE_POSTGRES=1`` (CI),
where that is an error.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

__all__ = ["PgCluster", "find_bindir", "postgres_cluster", "reap_orphans", "stop_all"]

_STARTED: list[PgCluster] = []
_USER = "postgres"
_OWNER = "owner.pid"


def find_bindir() -> Path | None:
    """The directory with ``initdb`` and ``pg_ctl`` (newest version first), or None."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).parent] if on_path else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                         reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """One running cluster; ``database()`` hands out a fresh, empty database URL."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="qujat-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._names = itertools.count(1)
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam(_USER)
            os.chmod(self.root, 0o755)
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_user = ["runuser", "-u", _USER, "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as_user, *args], capture_output=True, text=True, timeout=60,
                              check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()}\n{log}")

    def start(self) -> PgCluster:
        _STARTED.append(self)
        (self.root / _OWNER).write_text(str(os.getpid()))
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "qujat",
                  "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=100")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                  "-o", options, "-w", "-t", "30", "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://qujat@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=qujat dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self not in _STARTED:
            return
        _STARTED.remove(self)
        _shut_down(self.bindir, self.root, self._as_user)


def _shut_down(bindir: Path, root: Path, as_user: list[str]) -> None:
    if (root / "data" / "postmaster.pid").exists():
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(root / "data"),
                        "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60,
                       check=False)
    shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans(bindir: Path) -> None:
    """Stop clusters left by test sessions that were killed (their owner process is gone)."""
    as_user = ["runuser", "-u", _USER, "--"] if os.geteuid() == 0 else []
    for root in Path(tempfile.gettempdir()).glob("qujat-pg-*"):
        try:
            owner = int((root / _OWNER).read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            _shut_down(bindir, root, as_user)


def stop_all() -> None:
    """Stop every cluster this process started (the conftest's session-finish hook)."""
    while _STARTED:
        _STARTED[-1].stop()


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("QUJAT_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL required (QUJAT_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PgCluster]:
    """A private PostgreSQL cluster for the whole test session."""
    bindir = find_bindir()
    if bindir is None:
        _unavailable("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    if importlib.util.find_spec("psycopg") is None:
        _unavailable("the psycopg driver is not installed: pip install 'psycopg[binary]'")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(_USER)
        except KeyError:
            _unavailable(f"running as root and there is no '{_USER}' OS user to run the server")
    reap_orphans(bindir)
    cluster = PgCluster(bindir).start()
    try:
        yield cluster
    finally:
        cluster.stop()
