"""A PostgreSQL primary and its streaming replica, both private to one test process (or one bench run).

Why not replicate the machine's cluster (127.0.0.1:5432)? Its pg_hba.conf has no `replication` line, and a
test must not rewrite the machine's configuration; a replica of it would also copy every other database on the
server. So `start()` makes a small cluster of its own with initdb in a temporary directory (trust auth, a
replication line in *its* pg_hba.conf, listening on 127.0.0.1 only), takes a pg_basebackup of it with `-R`
(standby.signal + primary_conninfo) into a second directory and starts that as a hot standby streaming from
it. Both listen on free ports picked by the OS, in directories of their own, so two pytest-xdist workers each
get a pair. `stop()` shuts both down and deletes the directories.

PostgreSQL refuses to run as root: when the tests run as root the server programs run as the `postgres` OS
user (runuser), which then owns the directories. PG_BIN names the server programs (default: PostgreSQL 15).
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SETTINGS = ("-c listen_addresses=127.0.0.1 -c shared_buffers=16MB -c max_connections=100 "
            "-c max_wal_senders=4 -c wal_level=replica -c hot_standby=on")


class ReplicaUnavailable(RuntimeError):
    """The pair could not be started (no PostgreSQL server programs, initdb or the standby failed)."""


@dataclass
class Pair:
    root: Path
    primary_port: int
    replica_port: int

    def url(self, database: str, replica: bool = False) -> str:
        port = self.replica_port if replica else self.primary_port
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    def dsn(self, database: str = "postgres", replica: bool = False) -> str:
        return f"host=127.0.0.1 port={self.replica_port if replica else self.primary_port} user=postgres dbname={database}"


def _as_postgres(args: list) -> list:
    return ["runuser", "-u", "postgres", "--", *map(str, args)] if os.geteuid() == 0 else list(map(str, args))


def _run(args: list, timeout: float = 120) -> None:
    done = subprocess.run(_as_postgres(args), capture_output=True, text=True, timeout=timeout, cwd="/")
    if done.returncode != 0:
        raise ReplicaUnavailable(f"{Path(str(args[0])).name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(data: Path, root: Path, fsync: bool) -> int:
    """pg_ctl start on a free port; a port taken in between (another worker) is retried with the next pick."""
    for _attempt in range(3):
        port = _free_port()
        options = f"-p {port} -k {root} {SETTINGS} -c fsync={'on' if fsync else 'off'}"
        try:
            _run([PG_BIN / "pg_ctl", "-D", data, "-l", root / f"{data.name}.log", "-w", "-t", "60", "-o", options,
                  "start"])
            return port
        except ReplicaUnavailable:
            continue
    raise ReplicaUnavailable(f"could not start {data.name}: see {root / (data.name + '.log')}")


def start(fsync: bool = False) -> Pair:
    """initdb a primary, start it, pg_basebackup -R a standby from it, start that; wait until it streams.
    fsync=False suits tests (the clusters are thrown away); a bench measuring commits passes fsync=True."""
    if not (PG_BIN / "initdb").exists():
        raise ReplicaUnavailable(f"no PostgreSQL server programs in {PG_BIN} (set PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="yiye-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    try:
        _run([PG_BIN / "initdb", "-D", root / "primary", "-U", "postgres", "-A", "trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])
        with open(root / "primary" / "pg_hba.conf", "a", encoding="ascii") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary = _start_server(root / "primary", root, fsync)
        _run([PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", primary, "-U", "postgres", "-D", root / "replica",
              "-R", "-X", "stream", "-c", "fast", "--no-sync"])
        pair = Pair(root, primary, _start_server(root / "replica", root, fsync))
        _wait_streaming(pair)
        return pair
    except Exception:
        _remove(root)
        raise


def _wait_streaming(pair: Pair, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(pair.dsn(), autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").fetchone()[0]:
                return
            time.sleep(0.1)
    raise ReplicaUnavailable(f"the standby did not start streaming within {timeout:.0f} s")


def create_database(pair: Pair, name: str) -> str:
    """A database on the private primary (it appears on the replica by replication); its primary URL."""
    with psycopg.connect(pair.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pair.url(name)


def wait_replayed(pair: Pair, timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far (bounded wait, then an error)."""
    with psycopg.connect(pair.dsn(), autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(pair.dsn(replica=True), autocommit=True) as replica:
        while True:
            caught_up = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()[0]
            if caught_up:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica did not replay up to {target} within {timeout:.0f} s")
            time.sleep(0.05)


def stop(pair: Pair) -> None:
    """Stop whichever of the two servers still runs (its postmaster.pid is there), then remove both."""
    try:
        for name in ("replica", "primary"):
            data = pair.root / name
            if (data / "postmaster.pid").exists():
                _run([PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], timeout=60)
    finally:
        _remove(pair.root)


def _remove(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
