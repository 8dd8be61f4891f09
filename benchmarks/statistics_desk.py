"""Statistics benchmark (issue 19 point 3): the statistics page's answer time at N cases on
PostgreSQL — the monthly report and the quarterly analysis, p50/p95 over repeated requests
through the Flask app (login, service, template) — with, as the baseline measured in the same
run on the same database, a plain `SELECT count(*) FROM cases`, and the same figures counted
from the rows (the path a reader limited to part of the county takes, and what the page did
before the day totals), `--rows-repeat` times.

The bulk rows are written around the ORM sessions, so the day totals are rebuilt once after
loading (`archive statistics-totals rebuild`; timed as `rebuild_s`).

The rows are written in bulk with SQL (generate_series) in the shapes the desks leave them: a
case per claim over two years, an invoice each (some twice), the window-intake chain with its
sign-offs (some returned), a payment with the cashier's amount for most, audits with
deductions, re-checks and follow-ups. Target: p95 ≤ 300 ms at 400,000 cases.

The hospitals are the register's (`--providers`, each with an alias) written several ways (as
registered, with a seal word, with a space, by the alias) and, for a quarter of the cases, one
of `--clinics` unregistered clinics (诊所 + a quarter of the case id, modulo): the page counts
each name written as its provider, once per distinct name (archive.statistics.hospitals), and
shows a line per hospital, so the number of distinct names is what it pays.

    .venv/bin/python benchmarks/statistics_desk.py --cases 400000 > /tmp/statistics.json

One JSON object on stdout, progress on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

TARGET_P95_MS = 300
MONTHS = 24  # cases spread over 2025-01 .. 2026-12
TOWNSHIPS = 20
HOSPITALS = ("县人民医院", "县中医院", "省立医院", "市第一人民医院", "北山镇卫生院", "河西乡卫生院",
             "东关村卫生室", "平价大药房", "县妇幼保健院", "市中医院")


def log(message: str) -> None:
    print(f"[statistics-bench] {message}", file=sys.stderr, flush=True)


def timings(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {"n": len(ordered), "p50_ms": pct(0.50), "p95_ms": pct(0.95),
            "max_ms": round(1000 * ordered[-1], 1),
            "mean_ms": round(1000 * sum(ordered) / len(ordered), 1)}


SQL = """
INSERT INTO stored_objects (id, sha256, size, store_key, content_type, created_at)
VALUES (1, repeat('a', 64), 1, 'bench/1', 'application/pdf', now());

INSERT INTO cases (id, case_no, claimant_name, claimant_id_number, claim_type, township, village, hospital,
                   filed_by, amount_fen, out_of_county, designated_provider, status, created_by_id,
                   created_at, updated_at, version)
SELECT n, 'BM-' || n, '基准' || n, '1101011990' || lpad((n % 50000)::text, 8, '0'),
       (ARRAY['outpatient','inpatient','inpatient','maternity','trauma','referral','settlement','other'])[1 + n % 8],
       '乡镇' || (n % :townships), '村' || (n % 7),
       CASE WHEN n % 4 = 0 THEN '诊所' || ((n / 4) % :clinics)
            ELSE (ARRAY['', '（章）', ' ', '#'])[1 + (n / 4) % 4] END,
       'insured', 10000 + (n * 7919) % 5000000, false, true, 'intake', :user,
       timestamptz '2025-01-01 00:00+08' + ((n * 104729) % (:months * 30 * 24 * 60)) * interval '1 minute',
       now(), 1
FROM generate_series(1::bigint, :cases) AS n;

INSERT INTO documents (case_id, object_id, kind, original_filename, filename, content_type, page_count,
                       status, attempts, uploaded_by_id, created_at, fields, checks, kind_guessed, needs_check)
SELECT n, 1, 'invoice', 'invoice.pdf', 'invoice.pdf', 'application/pdf', 1, 'processed', 1, :user, now(),
       json_build_object('total_amount', to_char((20000 + (n * 6151) % 4000000) / 100.0, 'FM9999999990.00'),
                         'self_funded', to_char(((n * 31) % 50000) / 100.0, 'FM9999999990.00'),
                         'invoice_code', '144031900111', 'invoice_number', lpad(n::text, 10, '0')),
       '[]'::json, false, false
FROM generate_series(1::bigint, :cases) AS n;

INSERT INTO workflow_instances (id, case_id, definition, definition_sha256, status, round, signed, started_at,
                                step_started_at, chain_due_on, calendar_estimated, missing, finished_at, version)
SELECT n, n, 'window_intake', repeat('0', 64), CASE WHEN n % 10 < 8 THEN 'approved' ELSE 'active' END, 1, '{}'::json,
       c.created_at + interval '2 hours', c.created_at + interval '2 hours',
       (c.created_at + interval '10 days')::date, false, '[]'::json,
       CASE WHEN n % 10 < 8 THEN c.created_at + (n % 20) * interval '1 day' END, 1
FROM generate_series(1::bigint, :cases) AS n JOIN cases c ON c.id = n;

INSERT INTO sign_offs (instance_id, case_id, seq, round, step, role, signer_id, signer_name, decision, findings,
                       missing, content_sha256, signed_at)
SELECT n, n, s, 1, (ARRAY['completeness','initial_review','re_review'])[s], 'reviewer', :user, 'bench',
       CASE WHEN s = 2 AND n % 9 = 0 THEN 'return' ELSE 'approve' END, '{}'::json, '[]'::json, repeat('0', 64),
       c.created_at + interval '2 hours' + s * ((n % 97) + 1) * interval '1 hour'
FROM generate_series(1::bigint, :cases) AS n JOIN cases c ON c.id = n CROSS JOIN generate_series(1, 3) AS s;

INSERT INTO workflow_instances (id, case_id, definition, definition_sha256, status, round, signed, started_at,
                                step_started_at, chain_due_on, calendar_estimated, missing, finished_at, version)
SELECT :cases + n, n, 'payment', repeat('0', 64), 'approved', 1, '{}'::json, w.finished_at, w.finished_at,
       (w.finished_at + interval '5 days')::date, false, '[]'::json, w.finished_at + interval '3 days', 1
FROM generate_series(1::bigint, :cases) AS n JOIN workflow_instances w ON w.id = n
WHERE n % 10 < 7 AND w.finished_at IS NOT NULL;

INSERT INTO sign_offs (instance_id, case_id, seq, round, step, role, signer_id, signer_name, decision, findings,
                       missing, content_sha256, signed_at)
SELECT w.id, w.case_id, 1, 1, 'cashier_entry', 'cashier', :user, 'bench', 'approve',
       json_build_object('amount_paid', to_char((10000 + (w.case_id::bigint * 3571) % 3000000) / 100.0, 'FM9999999990.00')),
       '[]'::json, repeat('0', 64), w.finished_at - interval '1 hour'
FROM workflow_instances w WHERE w.definition = 'payment';

INSERT INTO recheck_outcomes (case_id, month, outcome, difference_fen, checked_by_id, checked_by_name, checked_at)
SELECT n, to_char(c.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'),
       CASE WHEN n % 3 = 0 THEN 'discrepancy' ELSE 'confirmed' END, CASE WHEN n % 3 = 0 THEN n % 9000 END,
       :user, 'bench', c.created_at + interval '20 days'
FROM generate_series(1::bigint, :cases, 20) AS n JOIN cases c ON c.id = n;

INSERT INTO providers (id, name, level, kind, uscc, township, deposit_fen, deposit_status, created_by_name,
                       created_at)
SELECT k, CASE WHEN k <= :nhospitals THEN (:hospitals)[k] ELSE '定点医院' || k END,
       (ARRAY['province', 'city', 'county', 'township', 'village'])[1 + k % 5], 'hospital',
       lpad(k::text, 18, '0'), NULL, 0, 'held', 'bench', now()
FROM generate_series(1, :providers) AS k;

INSERT INTO provider_aliases (provider_id, alias, normal, recorded_by_name, recorded_at)
SELECT k, '别名' || k, '别名' || k, 'bench', now() FROM generate_series(1, :providers) AS k;

-- Each case of the register's providers written one of four ways: as registered, with a seal
-- word after it, with a space in it, or by the provider's alias.
UPDATE cases SET hospital = CASE hospital
    WHEN '' THEN p.name WHEN '（章）' THEN p.name || '（章）'
    WHEN ' ' THEN substr(p.name, 1, 1) || ' ' || substr(p.name, 2) ELSE '别名' || p.id END
FROM providers p WHERE p.id = 1 + (cases.id * 7) % :providers AND cases.hospital NOT LIKE '诊所%';

SELECT setval(pg_get_serial_sequence('cases', 'id'), :cases + 1);
SELECT setval(pg_get_serial_sequence('workflow_instances', 'id'), 2 * :cases + 1);
"""  # noqa: E501


def populate(runtime, cases: int, user_id: int, providers: int, clinics: int) -> float:
    from sqlalchemy import text

    started = time.perf_counter()
    hospitals = "ARRAY[" + ",".join(f"'{h}'" for h in HOSPITALS) + "]"
    values = {":townships": str(TOWNSHIPS), ":hospitals": hospitals, ":nhospitals": str(len(HOSPITALS)),
              ":months": str(MONTHS), ":cases": str(cases), ":user": str(user_id),
              ":providers": str(providers), ":clinics": str(clinics)}
    with runtime.engine.begin() as connection:
        for statement in SQL.split(";\n"):
            if not statement.strip():
                continue
            for key in sorted(values, key=len, reverse=True):
                statement = statement.replace(key, values[key])
            connection.execute(text(statement))
            log(f"  {' '.join(statement.split()[:3])[:60]}")
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def rebuild_totals(runtime) -> float:
    from sqlalchemy import text

    from archive.statistics.totals import rebuild

    started = time.perf_counter()
    with runtime.sessions.begin() as session:
        facts, totals, period_totals = rebuild(session)
    log(f"  {facts} facts, {totals} day totals, {period_totals} period totals")
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE statistics_facts"))
        for table in ("statistics_day_totals", "statistics_period_totals", "statistics_members",
                      "statistics_distinct_counts"):
            connection.execute(text(f"VACUUM ANALYZE {table}"))
    return time.perf_counter() - started


def from_rows(runtime, repeat: int) -> dict:
    """The month's and the quarter's claims and processing figures counted from the rows."""
    from sqlalchemy import text, true

    from archive.statistics import parse_period
    from archive.statistics.claims import claim_figures
    from archive.statistics.processing import processing

    out = {}
    periods = (("month", parse_period(month="2026-03")), ("quarter", parse_period(quarter="2026-Q1")))
    for name, period in periods:
        seconds = []
        for _ in range(repeat):
            with runtime.sessions() as session:
                session.execute(text("SET LOCAL jit = off"))
                t0 = time.perf_counter()
                claim_figures(session, period, true(), {})
                processing(session, period, true())
                seconds.append(time.perf_counter() - t0)
        out[name] = timings(seconds)
    return out


def measure(client, path: str, repeat: int) -> tuple[list[float], int]:
    client.get(path)  # warm: compiled statements, template
    seconds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - t0)
        assert response.status_code == 200, (path, response.status_code)
    return seconds, len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rows-repeat", type=int, default=3,
                        help="times the figures are counted from the rows (slow: seconds each)")
    parser.add_argument("--providers", type=int, default=60, help="providers in the register")
    parser.add_argument("--clinics", type=int, default=400,
                        help="unregistered names: 诊所 + (case id / 4) modulo this")
    args = parser.parse_args()
    if args.providers < len(HOSPITALS):
        parser.error(f"--providers: at least {len(HOSPITALS)} (the named hospitals are registered)")

    from argon2 import PasswordHasher
    from sqlalchemy import text

    from archive import create_app
    from archive.config import load_settings
    from archive.models import User
    from archive.runtime import make_runtime
    from archive.setup import initialise
    from tests.factories import login
    from tests.servers import postgres_server

    with postgres_server() as server, tempfile.TemporaryDirectory() as data:
        import psycopg

        with psycopg.connect(server.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute('CREATE DATABASE "bench"')
        runtime = make_runtime(load_settings({
            "ARCHIVE_DATA_DIR": data, "ARCHIVE_SECRET_KEY": "benchmark", "ARCHIVE_JOBS_BACKEND": "inline",
            "ARCHIVE_RECORDS_FIXITY_EVERY_HOURS": "0", "ARCHIVE_DATABASE_URL": server.url("bench")}))
        initialise(runtime)
        with runtime.sessions.begin() as session:
            director = User(username="u_director", display_name="Director", role="director",
                            password_hash=PasswordHasher().hash("pw-director"))
            session.add(director)
            session.flush()
            director_id = director.id
        log(f"writing {args.cases} cases …")
        populate_s = populate(runtime, args.cases, director_id, args.providers, args.clinics)
        log("rebuilding the statistics totals …")
        rebuild_s = rebuild_totals(runtime)
        app = create_app(runtime)
        client = app.test_client()
        assert login(client, "director").status_code == 302
        with runtime.engine.connect() as connection:
            counted = connection.execute(text("SELECT count(*) FROM cases")).scalar()
            baseline = []
            for _ in range(args.repeat + 1):
                t0 = time.perf_counter()
                connection.execute(text("SELECT count(*) FROM cases")).scalar()
                baseline.append(time.perf_counter() - t0)
            rows = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                    for table in ("documents", "workflow_instances", "sign_offs", "recheck_outcomes",
                                  "providers", "provider_aliases")}
            rows["hospital_names"] = connection.execute(
                text("SELECT count(DISTINCT hospital) FROM cases")).scalar()
        results = {}
        for name, path in (("month", "/statistics?month=2026-03"), ("quarter", "/statistics?quarter=2026-Q1"),
                           ("month_xlsx", "/statistics.xlsx?month=2026-03")):
            log(f"measuring {path} …")
            seconds, size = measure(client, path, args.repeat)
            results[name] = {**timings(seconds), "bytes": size}
        log("counting from the rows …")
        rows_path = from_rows(runtime, args.rows_repeat)
        runtime.engine.dispose()
    worst = max(results["month"]["p95_ms"], results["quarter"]["p95_ms"])
    print(json.dumps({
        "benchmark": "statistics", "database": "postgresql", "cases": counted, "rows": rows,
        "populate_s": round(populate_s, 1), "rebuild_s": round(rebuild_s, 1),
        "baseline_count_cases": timings(baseline[1:]), "baseline_from_rows": rows_path,
        "page": results, "target_p95_ms": TARGET_P95_MS, "meets_target": worst <= TARGET_P95_MS,
    }, indent=2))


if __name__ == "__main__":
    main()
