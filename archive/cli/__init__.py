"""The `archive` command: one module per group of subcommands, each a few lines over the same
services the web, the API and the jobs use. `main` (base.py) is the console script."""

from archive.cli import (  # noqa: F401 - each module adds its subcommands to `cli`
    accounts,
    backscan,
    documents,
    loans,
    notices,
    oversight,
    providers,
    records,
    statistics,
    system,
    workflow,
)
from archive.cli.base import cli, main

workflow.register(cli)
oversight.register(cli)

__all__ = ["cli", "main"]
