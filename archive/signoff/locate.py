"""Line numbers for keys of a TOML file, so a definition error can name its line.

`tomllib` returns plain dictionaries without positions; this finds a key again in the raw text.
It understands what the definition files use: tables (`[chain]`), arrays of tables
(`[[step]]`, the n-th occurrence), sub-tables of those (`[step.required_documents]`), keys, and
a value inside a multi-line array (searched from the key's line to the end of the table).
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"]+)\s*\]\]?\s*(#.*)?$")


class Locator:
    def __init__(self, text: str):
        self.lines = text.splitlines()
        # (index of line, table name, is an array of tables)
        self.headers = [(i, m.group(2), m.group(1) == "[[")
                        for i, line in enumerate(self.lines) if (m := _HEADER.match(line))]

    def line(self, table: str | None = None, index: int = 0, key: str | None = None,
             needle: str | None = None) -> int:
        """1-based line of `key` (dotted for sub-tables) in `table` (its `index`-th occurrence
        for an array of tables), or of `needle` at or after it; the best line found."""
        start, end = self._block(table, index)
        best = start
        for part in (key.split(".") if key else []):
            found = self._find_key(part, best, end)
            if found is None:
                break
            best = found
        if needle is not None:
            for i in range(best, end):
                if needle in self.lines[i]:
                    best = i
                    break
        return best + 1

    def _block(self, table: str | None, index: int) -> tuple[int, int]:
        if table is None:  # top-level keys: before the first header
            return 0, self.headers[0][0] if self.headers else len(self.lines)
        seen = -1
        for position, (line, name, _array) in enumerate(self.headers):
            if name != table:
                continue
            seen += 1
            if seen < index:
                continue
            end = len(self.lines)
            for later, later_name, _ in self.headers[position + 1:]:
                if not later_name.startswith(table + "."):
                    end = later
                    break
            return line, end
        return 0, len(self.lines)

    def _find_key(self, key: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf"^\s*(\"?){re.escape(key)}\1\s*=")
        for i in range(start, end):
            header = _HEADER.match(self.lines[i])
            if header and i > start and header.group(2).split(".")[-1] == key:
                return i
            if pattern.match(self.lines[i]):
                return i
        return None
