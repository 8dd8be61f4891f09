"""A real S3 API over HTTP on loopback, served by moto in a background thread or its own process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from moto.server import ThreadedMotoServer


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # "127.0.0.1:PORT", no scheme, as the MinIO client wants it
    access_key: str = "testing"
    secret_key: str = "testing"
    region: str = "us-east-1"
    secure: bool = False


@contextmanager
def moto_s3_server() -> Iterator[S3Server]:
    """Start moto's server on a free loopback port; stop it on exit."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(endpoint=f"{host}:{port}")
    finally:
        server.stop()


@contextmanager
def moto_s3_process() -> Iterator[S3Server]:
    """moto's server in a process of its own, as a real S3 server would be: its CPU time is not
    taken from the client's interpreter (benchmarks use this one)."""
    port = closed_port()
    command = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    server = subprocess.Popen([command, "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start on port {port}") from None
                time.sleep(0.1)
        yield S3Server(endpoint=f"127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def closed_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
