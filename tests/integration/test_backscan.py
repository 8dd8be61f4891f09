"""Back-scanning historical paper (issue 19 point 2): manifests (CSV, XLSX) checked row by row
before anything is written, cases filed with their original dates and numbers, a resumed run
without duplicates, and the 立卷 / transfer lists."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from archive import backscan
from archive.auth import Forbidden
from archive.intake import Rejected
from archive.models import ArchiveRecord, ArchiveVolume, AuditEvent, BackscanRun, Case, Document
from archive.models.cases import DocumentStatus
from archive.records.volume_lists import as_pdf, as_xlsx, filing_list, transfer_list
from tests import factories

HEADER = ["全宗号", "年度", "保管期限", "原档号", "案卷题名", "姓名", "身份证号", "报销类别",
          "起始日期", "终止日期", "盒号", "页数", "文件"]
ID = "11010519491231002X"  # a valid GB 11643 number (check digit X)


def scans(folder: Path, count: int, *, seed: int = 1) -> list[str]:
    """Born-digital PDFs standing for scanned volumes; their names relative to `folder`."""
    names = []
    for n in range(count):
        path = folder / "box1" / f"{seed}-{n}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(factories.invoice_pdf(seed=seed * 100 + n))
        names.append(f"box1/{path.name}")
    return names


def rows_for(files: list[str]) -> list[list[str]]:
    return [
        ["F001", "2015", "D10", "", "张伟住院医疗费报销", "张伟", ID, "住院", "2015-03-02", "2015-04-20",
         "B001", "12", f"{files[0]};{files[1]}"],
        ["F001", "2015", "30年", "F001-2015-D30-0007", "李娜门诊报销", "李娜", "", "outpatient",
         "2015-06-01", "2015-06-30", "B001", "4", files[2]],
        ["F001", "2016", "D10", "", "王芳生育报销", "王芳", "", "生育", "2016-01-05", "2016-02-01",
         "B002", "6", files[3]],
    ]


def csv_bytes(rows, header=HEADER) -> bytes:
    return ("\ufeff" + "\n".join(",".join(row) for row in [header, *rows]) + "\n").encode()


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(rt, actor, name: str, content: bytes, folder: Path, progress=None):
    with rt.sessions.begin() as session:
        prepared = backscan.prepare(session, actor, manifest_name=name, content=content,
                                    folder=folder, limits=rt.limits)
        started = backscan.start_run(session, actor, manifest_name=name, folder=folder,
                                     prepared=prepared)
        run_id = started.id
    return backscan.run_backscan(rt, run_id, progress=progress)


def counts(rt) -> tuple[int, int, int, int]:
    with rt.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Case, ArchiveVolume, ArchiveRecord, Document))


def test_a_csv_manifest_files_its_cases_with_their_original_dates(rt, desk, tmp_path):
    folder = tmp_path / "scans"
    finished = run(rt, desk["archivist"], "清单.csv", csv_bytes(rows_for(scans(folder, 4))), folder)
    assert (finished.status, finished.total, finished.done, finished.skipped) == ("finished", 3, 3, 0)
    with rt.sessions() as session:
        records = {v.title: (v, r, c) for v, r, c in session.execute(
            select(ArchiveVolume, ArchiveRecord, Case)
            .join(ArchiveRecord, ArchiveRecord.case_id == ArchiveVolume.case_id)
            .join(Case, Case.id == ArchiveVolume.case_id))}
        volume, record, case = records["张伟住院医疗费报销"]
        # Filed at once, numbered by the original year, retention from the original closing day.
        assert (case.status, record.state, record.closed_on) == ("filed", "archived", date(2015, 4, 20))
        assert case.case_no.startswith("AJ-2015-") and case.created_at.year == 2015
        assert record.archive_no == "F001-2015-D10-DY-0001"
        assert record.retention_ends_on == date(2026, 1, 1)
        assert (volume.box_no, volume.pages, volume.state) == ("B001", 12, "filed")
        # The old number is kept where the row gives it; 30 years from 2015 → due 2046.
        volume, record, case = records["李娜门诊报销"]
        assert (record.archive_no, record.item_number, record.retention_code) == (
            "F001-2015-D30-0007", 7, "D30")
        assert record.retention_ends_on == date(2046, 1, 1)
        assert records["王芳生育报销"][1].archive_no == "F001-2016-D10-DY-0001"
        # No sign-off chain ran; the files went through intake and were read like any upload.
        assert session.scalar(select(func.count()).select_from(Document)) == 4
        assert set(session.scalars(select(Document.status))) == {DocumentStatus.PROCESSED}
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"backscan.started", "case.create", "document.upload", "records.four_properties",
            "records.filed", "backscan.finished"} <= actions
    assert "workflow.submit" not in actions


def test_an_xlsx_manifest_with_english_headers(runtime, users, tmp_path):
    folder = tmp_path / "scans"
    header = ["fonds", "year", "retention", "original_no", "title", "claimant", "id_number",
              "claim_type", "opened", "closed", "box", "pages", "files"]
    rows = rows_for(scans(folder, 4))
    rows[0][8:10] = [date(2015, 3, 2), date(2015, 4, 20)]  # real date cells, as Excel keeps them
    finished = run(runtime, users["archivist"], "manifest.xlsx", xlsx_bytes(rows, header), folder)
    assert (finished.status, finished.done) == ("finished", 3)
    with runtime.sessions() as session:
        assert session.scalar(select(ArchiveVolume.closed_on).where(
            ArchiveVolume.title == "张伟住院医疗费报销")) == date(2015, 4, 20)


def test_every_bad_row_is_reported_and_nothing_is_written(runtime, users, tmp_path):
    folder = tmp_path / "scans"
    files = scans(folder, 4)
    (folder / "note.txt").write_text("not a scan")
    rows = rows_for(files)
    rows[0][6] = "110105194912310021"  # wrong check digit
    rows[1][9] = "2015-02-30"  # no such day
    rows[2][2] = "15年"  # not a period of the schedule
    rows.append(["F001", "2016", "永久", "", "缺文件", "赵六", "", "其他", "2016-01-01", "2016-01-02",
                 "B3", "1", "box1/missing.pdf;note.txt"])
    with runtime.sessions() as session:
        prepared = backscan.prepare(session, users["archivist"], manifest_name="m.csv",
                                    content=csv_bytes(rows), folder=folder, limits=runtime.limits)
    found = {(e.row, e.column): e.reason for e in prepared.errors}
    assert set(found) == {(2, "身份证号"), (3, "终止日期"), (4, "保管期限"), (5, "文件")}
    assert "missing.pdf: no such file" in str(prepared.errors[-2]) + str(prepared.errors[-1])
    assert any("note.txt" in e.reason and "no such file" not in e.reason for e in prepared.errors)
    with runtime.sessions.begin() as session, pytest.raises(Rejected, match="nothing was written"):
        backscan.start_run(session, users["archivist"], manifest_name="m.csv", folder=folder,
                           prepared=prepared)
    assert counts(runtime) == (0, 0, 0, 0)


def test_an_interrupted_run_resumes_without_duplicates(rt, desk, tmp_path, monkeypatch):
    folder = tmp_path / "scans"
    content = csv_bytes(rows_for(scans(folder, 4)))
    archivist = desk["archivist"]

    def stop_after_first(outcome):
        raise KeyboardInterrupt  # Ctrl-C after the first row committed

    with pytest.raises(KeyboardInterrupt):
        run(rt, archivist, "m.csv", content, folder, progress=stop_after_first)
    assert counts(rt) == (1, 1, 1, 1)  # rows keeping an old number go first
    # A crash between a row's intake and its filing (the process dies there; simulated).
    real_file = backscan._file

    def crash(*args, **kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr(backscan, "_file", crash)
    with pytest.raises(SystemExit):
        run(rt, archivist, "m.csv", content, folder)
    assert counts(rt) == (2, 2, 1, 3)  # the second case is open with its file, not filed
    monkeypatch.setattr(backscan, "_file", real_file)
    finished = run(rt, archivist, "m.csv", content, folder)
    assert (finished.done, finished.skipped) == (3, 1)
    assert counts(rt) == (3, 3, 3, 4)
    with rt.sessions() as session:
        assert [r.status for r in session.scalars(select(BackscanRun).order_by(BackscanRun.id))] == [
            "failed", "failed", "finished"]
        numbers = sorted(session.scalars(select(ArchiveRecord.archive_no)))
    assert numbers == ["F001-2015-D10-DY-0001", "F001-2015-D30-0007", "F001-2016-D10-DY-0001"]
    # Once more: everything is there already.
    again = run(rt, archivist, "m.csv", content, folder)
    assert (again.done, again.skipped) == (3, 3) and counts(rt) == (3, 3, 3, 4)


def test_an_old_number_already_held_is_refused_and_new_numbers_follow_old_ones(runtime, users, tmp_path):
    folder = tmp_path / "scans"
    files = scans(folder, 4)
    rows = rows_for(files)
    rows[0][2:4] = ["D30", ""]  # the same series as the old number F001-2015-D30-0007
    run(runtime, users["archivist"], "m.csv", csv_bytes(rows), folder)
    with runtime.sessions() as session:
        assert session.scalar(select(ArchiveRecord.archive_no).join(Case).where(
            Case.claimant_name == "张伟")) == "F001-2015-D30-DY-0008"
        other = [["F001", "2015", "D30", "旧-0007", "另一卷", "周七", "", "其他", "2015-01-01",
                  "2015-01-02", "B9", "1", files[0]]]
        prepared = backscan.prepare(session, users["archivist"], manifest_name="m.csv",
                                    content=csv_bytes(other), folder=folder, limits=runtime.limits)
    assert [(e.row, e.column) for e in prepared.errors] == [(2, "原档号")]
    assert "already held" in prepared.errors[0].reason


def test_only_an_archivist_back_scans(runtime, users, tmp_path):
    folder = tmp_path / "scans"
    with runtime.sessions() as session, pytest.raises(Forbidden):
        backscan.prepare(session, users["intake_clerk"], manifest_name="m.csv",
                         content=csv_bytes(rows_for(scans(folder, 4))), folder=folder,
                         limits=runtime.limits)


def test_the_transfer_and_filing_lists(runtime, users, tmp_path):
    folder = tmp_path / "scans"
    run(runtime, users["archivist"], "m.csv", csv_bytes(rows_for(scans(folder, 4))), folder)
    with runtime.sessions() as session:
        transfer = transfer_list(session, users["archivist"], fonds_code="F001", year=2015)
        monthly = filing_list(session, users["archivist"], "2015-06")
    assert [(line.archive_no, line.box_no, line.pages) for line in transfer.lines] == [
        ("F001-2015-D10-DY-0001", "B001", 12), ("F001-2015-D30-0007", "B001", 4)]
    assert transfer.summary == "共 2 卷，1 盒，16 页"
    assert [line.title for line in monthly.lines] == ["李娜门诊报销"]
    sheet = load_workbook(io.BytesIO(as_xlsx(transfer))).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[1][:4] == ["序号", "档号", "原档号", "案卷题名"]
    assert values[2][1] == "F001-2015-D10-DY-0001" and values[3][2] == "F001-2015-D30-0007"
    assert values[4] == ["共 2 卷，1 盒，16 页"]
    with pdfplumber.open(io.BytesIO(as_pdf(transfer))) as pdf:
        text = "".join(page.extract_text() for page in pdf.pages)
    assert "移交清单" in text and "F001-2015-D30-0007" in text and "共 2 卷" in text


def test_the_command_reports_each_bad_row_on_one_line_and_runs_a_good_manifest(runtime, environ,
                                                                                tmp_path):
    import os

    env = {**os.environ, **environ}
    folder = tmp_path / "scans"
    rows = rows_for(scans(folder, 4))
    bad = [list(row) for row in rows]
    bad[0][6], bad[2][12] = "110105194912310021", "box1/none.pdf"
    manifest = tmp_path / "bad.csv"
    manifest.write_bytes(csv_bytes(bad))
    done = factories.archive(env, "backscan", str(folder), "--manifest", str(manifest))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith("bad.csv: row 2, 身份证号: not a valid resident ID number")
    assert lines[1] == "bad.csv: row 4, 文件: box1/none.pdf: no such file"
    assert lines[-1] == "archive: error: 2 problem(s) in bad.csv; nothing was written"
    assert counts(runtime) == (0, 0, 0, 0)
    # A manifest without a required column is one line too.
    (tmp_path / "cols.csv").write_bytes(csv_bytes([["F001"]], header=["全宗号"]))
    done = factories.archive(env, "backscan", str(folder), "--manifest", str(tmp_path / "cols.csv"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "the manifest has no column 年度" in done.stderr
    manifest.write_bytes(csv_bytes(rows))
    done = factories.archive(env, "backscan", str(folder), "--manifest", str(manifest))
    assert done.returncode == 0, done.stderr
    assert "run 1: 3 of 3 case(s) filed (0 already filed by an earlier run)" in done.stdout
    # The progress bar: off a terminal click writes its label (not the moving bar) to stderr.
    assert "back-scanning run 1" in done.stderr
    done = factories.archive(env, "volume-list", "--transfer", "F001", "2015", "-o",
                             str(tmp_path / "移交.pdf"))
    assert done.returncode == 0 and "共 2 卷，1 盒，16 页" in done.stdout
    done = factories.archive(env, "volume-list", "--month", "2015-13", "-o", str(tmp_path / "x.xlsx"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1


def test_a_gap_in_a_series_fails_the_integrity_check(runtime, users, tmp_path):
    from sqlalchemy import update

    from archive.records.four_properties import check_record, series_gaps

    folder = tmp_path / "scans"
    rows = rows_for(scans(folder, 4))
    rows[2][1:3] = ["2015", "D10"]  # the third case in the first case's series
    rows[2][8:10] = ["2015-01-05", "2015-02-01"]
    run(runtime, users["archivist"], "m.csv", csv_bytes(rows), folder)
    archivist = users["archivist"]
    with runtime.sessions.begin() as session:
        assert series_gaps(session, "F001", 2015, "D10") == []
        case_no = session.scalar(select(Case.case_no).where(Case.claimant_name == "张伟"))
        report = check_record(session, case_no, actor=archivist, store=runtime.store,
                              limits=runtime.limits, tmp_dir=runtime.tmp_dir)
        assert [(f.check, f.ok) for f in report.findings if f.check == "numbering"] == [("numbering", True)]
        # Item 1 of the series loses its number (a row edited by hand): a gap.
        session.execute(update(ArchiveRecord).where(ArchiveRecord.archive_no == "F001-2015-D10-DY-0001")
                        .values(item_number=None))
        assert series_gaps(session, "F001", 2015, "D10") == [1]
        other = session.scalar(select(Case.case_no).where(Case.claimant_name == "王芳"))
        report = check_record(session, other, actor=archivist, store=runtime.store,
                              limits=runtime.limits, tmp_dir=runtime.tmp_dir)
    numbering = [f for f in report.findings if f.check == "numbering"]
    assert not report.passed and numbering[0].ok is False
    assert numbering[0].detail == "F001-2015-D10: items missing: 1"
    # The old number kept (item 7 of D30) leaves items 1–6 of that series missing: found too.
    with runtime.sessions() as session:
        assert series_gaps(session, "F001", 2015, "D30") == [1, 2, 3, 4, 5, 6]


def test_the_desk_page_checks_an_upload_and_shows_progress(client, runtime, users, tmp_path):
    folder = tmp_path / "scans"
    files = scans(folder, 4)
    factories.login(client, users["archivist"])
    page = client.get("/records/backscan")
    assert page.status_code == 200
    token = factories.csrf_from(page.get_data(as_text=True))

    def post(rows):
        data = {"csrf_token": token, "manifest": (io.BytesIO(csv_bytes(rows)), "清单.csv"),
                "files": [(io.BytesIO((folder / name).read_bytes()), name) for name in files]}
        return client.post("/records/backscan", data=data, content_type="multipart/form-data")

    bad = rows_for(files)
    bad[1][9] = "2015-13-01"
    answer = post(bad)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "2015-13-01" in html and "终止日期" in html
    assert counts(runtime) == (0, 0, 0, 0)
    assert not list((runtime.settings.data_dir / "backscan").iterdir())  # staged scans removed
    answer = post(rows_for(files))
    assert answer.status_code == 302  # the job ran inline here; the page follows its progress
    run_id = int(answer.headers["Location"].rsplit("run=", 1)[1])
    assert client.get(f"/records/backscan/runs/{run_id}").get_json() == {
        "id": run_id, "status": "finished", "total": 3, "done": 3, "skipped": 0, "error": None,
        "percent": 100}
    assert counts(runtime)[:3] == (3, 3, 3)
    xlsx = client.get("/records/backscan/list?kind=transfer&fonds=F001&year=2015")
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.data)).active["B3"].value == (
        "F001-2015-D10-DY-0001")
    assert client.get("/records/backscan/list?month=2015-06&format=pdf").data.startswith(b"%PDF")
    factories.login(client, users["intake_clerk"])
    assert client.get("/records/backscan").status_code == 403


def test_only_a_folder_the_administrator_opened_is_read(make_rt, tmp_path):
    opened, other = tmp_path / "opened", tmp_path / "other"
    opened.mkdir(), other.mkdir()
    runtime = make_rt(ARCHIVE_BACKSCAN_FOLDERS=f'["{opened}"]')
    assert backscan.server_folder(runtime.settings, str(opened)) == opened
    for refused in (str(other), f"{opened}/..", "/"):
        with pytest.raises(Rejected, match="not one the administrator opened"):
            backscan.server_folder(runtime.settings, refused)
