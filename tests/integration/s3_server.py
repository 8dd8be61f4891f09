"""A real S3 API over HTTP on loopback, served by moto in a background thread."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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


def closed_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
