"""`archive statistics --month YYYY-MM | --quarter YYYY-Qn [--format csv|xlsx|json]`: the monthly
report (一月一通报) or the quarterly analysis (一季一分析) from the command line, over the same
service as the statistics desk (archive.statistics). Tables are in Chinese unless `--lang en`.

Refusals are one line on stderr with exit status 1.
"""

from __future__ import annotations

import json
import sys

import click

from archive.cli.base import cli, session_as
from archive.config import REPO_ROOT


def _translator(lang: str):
    if lang == "en":
        return lambda text: text
    from babel.support import Translations

    return Translations.load(str(REPO_ROOT / "archive" / "translations"), ["zh_Hans_CN"]).gettext


@cli.command("statistics")
@click.option("--month", default=None, help="YYYY-MM: the monthly report.")
@click.option("--quarter", default=None, help="YYYY-Qn: the quarterly analysis.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write here ('-' for stdout, the default).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--user", "username", default=None, help="Count as this user sees (default: system).")
def statistics_command(month, quarter, fmt, output, lang, username) -> None:
    """Claims, payouts and their rates, processing times, spot checks and audits of a period."""
    from archive.statistics import parse_period, report_csv, report_tables, report_xlsx, statistics_report

    translate = _translator(lang)
    period = parse_period(month, quarter)
    _, session, user = session_as(username)
    with session:
        report = statistics_report(session, user, period)
    if fmt == "xlsx":
        content: bytes | str = report_xlsx(report, translate, lang)
    elif fmt == "csv":
        content = report_csv(report, translate, lang)
    else:
        tables = [{"name": t.name, "title": t.title, "header": t.header, "rows": t.rows}
                  for t in report_tables(report, translate, lang)]
        content = json.dumps({"period": period.label, "tables": tables}, ensure_ascii=False, indent=2,
                             default=str) + "\n"
    _write(content, output)


def _write(content: bytes | str, path: str) -> None:
    if path == "-":
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content.lstrip("\ufeff"))
        return
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as handle:
        handle.write(content)


@cli.command("statistics-totals")
@click.argument("action", type=click.Choice(["rebuild", "check"]))
def statistics_totals_command(action) -> None:
    """The statistics' per-day, per-month and per-quarter totals: `rebuild` counts them again
    from the rows (after data written with plain SQL); `check` compares them with a recount
    (exit status 1 on a difference)."""
    from archive.statistics.totals import check, rebuild

    _, session, _user = session_as(None)
    with session:
        if action == "rebuild":
            facts, totals, period_totals = rebuild(session)
            session.commit()
            click.echo(f"statistics totals rebuilt: {facts} facts, {totals} day totals, "
                       f"{period_totals} month and quarter totals")
            return
        problems = check(session)
    for problem in problems[:50]:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("statistics totals agree with a recount")
