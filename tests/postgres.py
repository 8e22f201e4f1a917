"""A throw-away PostgreSQL cluster for the tests: initdb in a temporary folder, 127.0.0.1.

As root the server runs as the unprivileged `postgres` user (PostgreSQL refuses root).
`make test` installs Debian's postgresql package where it is missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_binaries() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    def __init__(self) -> None:
        binaries = find_binaries()
        if binaries is None:
            raise RuntimeError("PostgreSQL is not installed: run `make test` (it installs it)")
        self.bin = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="kaderbot-pg-"))
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user is not None:
            try:
                entry = pwd.getpwnam(self.user)
            except KeyError:  # the binaries without Debian's package: make the user
                subprocess.run(["useradd", "--system", "--no-create-home", self.user], check=True)
                entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.url = f"postgresql://kaderbot@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            user=self.user,
            cwd=self.folder,
        )

    def start(self) -> None:
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", "kaderbot", "-A", "trust", "-E", "UTF8")
        self.pg_ctl("start")

    def pg_ctl(self, action: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        args = ["pg_ctl", "-D", str(self.folder / "data"), "-w", "-l", str(self.folder / "log")]
        if action in ("start", "restart"):
            args += ["-o", options]
        if action in ("stop", "restart"):
            args += ["-m", "fast"]
        self._run(*args, action)

    def stop(self) -> None:
        try:
            self.pg_ctl("stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def database_url(self, name: str) -> str:
        return f"postgresql://kaderbot@127.0.0.1:{self.port}/{name}"
