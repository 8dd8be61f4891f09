"""Two machines' worth of the archive on loopback: two `archive serve` web nodes and two
`archive worker` processes, each with a data directory of its own (as separate machines have),
sharing only PostgreSQL, Redis and an S3 server — the production shape of the README.

What is real: every process, PostgreSQL, redis-server, moto's S3 server, HTTP between them,
the PostgreSQL search backend. Nothing is mocked. A document uploaded through node A is read by
a worker and found through node B; with node A and one worker killed (SIGKILL), the other node
and worker go on, and nothing uploaded is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
import urllib3

from archive.config import REPO_ROOT
from tests import factories
from tests.integration.s3_server import moto_s3_server
from tests.integration.test_rq_jobs import kill_worker
from tests.servers import _wait_for_port, free_port

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.s3]

ARCHIVE = [sys.executable, "-c", "from archive.cli import main; main()"]
DEADLINE = 120  # seconds for a document to be read and found on a loaded machine


@pytest.fixture
def s3():
    with moto_s3_server() as server:
        yield server


@pytest.fixture
def shared(environ, postgres, redis, s3):
    """The settings every node shares: one database, one bucket, one queue, one secret."""
    name = f"nodes_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return {**environ,
            "ARCHIVE_DATABASE_URL": postgres.url(name), "ARCHIVE_SEARCH_BACKEND": "postgres",
            "ARCHIVE_JOBS_BACKEND": "rq", "ARCHIVE_REDIS_URL": redis.url,
            "ARCHIVE_JOBS_QUEUE": f"nodes-{uuid.uuid4().hex[:8]}",
            "ARCHIVE_STORE_BACKEND": "s3", "ARCHIVE_STORE_ENDPOINT": s3.endpoint,
            "ARCHIVE_STORE_BUCKET": f"b-{name.replace('_', '-')}",
            "ARCHIVE_STORE_ACCESS_KEY": s3.access_key, "ARCHIVE_STORE_SECRET_KEY": s3.secret_key,
            "ARCHIVE_STORE_SECURE": "false"}


@pytest.fixture
def machines(shared, tmp_path):
    """start(kind, name) -> (Popen, port|None): `serve` or `worker` with its own data directory."""
    started: list[subprocess.Popen] = []

    def start(kind: str, name: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
        env.update({**shared, "ARCHIVE_DATA_DIR": str(tmp_path / name)})
        port = free_port() if kind == "serve" else None
        args = ["serve", "--port", str(port)] if port else ["worker"]
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([*ARCHIVE, *args], env=env, cwd=REPO_ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        process.log = log
        started.append(process)
        if port:
            _wait_for_port(port, timeout=60)
        return process, port

    yield start
    for process in started:
        if process.poll() is None:
            kill_worker(process)
        process.log.close()


class Node:
    """A web node as an API client sees it."""

    def __init__(self, port: int, token: str):
        self.base, self.http = f"http://127.0.0.1:{port}", urllib3.PoolManager(retries=False)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **fields):
        return self.http.request("GET", self.base + path, fields=fields or None, headers=self.headers,
                                 timeout=30)

    def post_json(self, path: str, body: dict):
        return self.http.request("POST", self.base + path, body=json.dumps(body).encode(),
                                 headers={**self.headers, "Content-Type": "application/json"},
                                 timeout=30)

    def upload(self, case_no: str, filename: str, content: bytes) -> int:
        reply = self.http.request("POST", f"{self.base}/api/cases/{case_no}/documents",
                                  fields={"files": (filename, content, "application/pdf"),
                                          "kind": "invoice"}, headers=self.headers, timeout=60)
        assert reply.status == 201, reply.data
        return json.loads(reply.data)["results"][0]["document_id"]

    def read(self, document_id: int) -> dict:
        """The document once a worker has read it."""
        deadline = time.monotonic() + DEADLINE
        while True:
            shown = json.loads(self.get(f"/api/documents/{document_id}").data)
            if shown["status"] == "processed" or time.monotonic() > deadline:
                assert shown["status"] == "processed", shown
                return shown
            time.sleep(1)

    def found(self, query: str) -> set[int]:
        deadline = time.monotonic() + DEADLINE
        while True:
            reply = self.get("/api/search", q=query)
            assert reply.status == 200, reply.data
            hits = {hit["document_id"] for hit in json.loads(reply.data)["hits"]}
            if hits or time.monotonic() > deadline:
                return hits
            time.sleep(1)


def test_two_web_nodes_and_two_workers_share_only_the_database_queue_and_store(
        make_rt, shared, machines):
    runtime = make_rt(**shared)  # `archive init` on the shared database and bucket
    clerk = factories.make_user(runtime, "intake_clerk", "u_clerk")
    token = factories.api_token(runtime, clerk)
    web_a, port_a = machines("serve", "web-a")
    node_a, node_b = Node(port_a, token), Node(machines("serve", "web-b")[1], token)
    worker_a, _ = machines("worker", "worker-a")
    machines("worker", "worker-b")

    opened = node_a.post_json("/api/cases", {"claimant_name": "欧阳多节点", "claim_type": "outpatient"})
    assert opened.status == 201, opened.data
    case_no = json.loads(opened.data)["case_no"]
    first = factories.invoice_pdf(seed=31)
    first_id = node_a.upload(case_no, "发票一.pdf", first)
    number = node_a.read(first_id)["fields"]["invoice_number"]
    assert first_id in node_b.found(number), "uploaded through node A, not found through node B"

    # Node A and one worker die mid-work; the other node and worker carry on.
    kill_worker(web_a)  # SIGKILL, its process group
    kill_worker(worker_a)
    second = factories.invoice_pdf(seed=32)
    second_id = node_b.upload(case_no, "发票二.pdf", second)
    second_number = node_b.read(second_id)["fields"]["invoice_number"]
    assert second_id in node_b.found(second_number)
    for document_id, content in ((first_id, first), (second_id, second)):
        original = node_b.get(f"/api/documents/{document_id}/original")
        assert original.status == 200
        assert hashlib.sha256(original.data).digest() == hashlib.sha256(content).digest()
    shown = json.loads(node_b.get(f"/api/cases/{case_no}").data)
    assert {d["id"] for d in shown["documents"]} == {first_id, second_id}

