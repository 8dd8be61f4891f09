"""An amount's figures printed with no label of their own right after its capitals, as provincial
paper bills print the total: `合计人民币（大写）：玖仟玖佰陆拾叁元零陆分  ￥9963.06`.

When the figures' field was not read by a label, and the capitals were read, a currency-signed
amount standing in the cell right after the capital amount on the same line is the figures' value
only when it says the same amount as the capitals ([corroborates] pairs in labels.toml): two
writings read apart that agree are the field's value; figures that disagree are no reading at all
(they may be another sum's) and nothing is taken.
"""

from __future__ import annotations

import re

from archive.ocr.capitals import CAPITAL_CHARACTERS
from archive.ocr.field_values import Candidate, take
from archive.ocr.lines import FieldReading, Line

_CAPITALS_THEN_FIGURES = re.compile(rf"[{''.join(sorted(CAPITAL_CHARACTERS))}圆]{{2,}}[元圆角分整正]"
                                    r"\s+(?P<figures>[¥￥]\s?\d[\d,]*\.\d{2})(?=\s|$)")


def figures_after_capitals(lines: list[Line], pairs: list[list[str]], rules: dict[str, dict],
                           reading: FieldReading, min_confidence: float) -> None:
    for pair in pairs:
        capital = next((name for name in pair if rules.get(name, {}).get("type") == "capital"), None)
        figures = next((name for name in pair if rules.get(name, {}).get("type") == "amount"), None)
        if capital is None or figures is None or figures in reading.fields:
            continue
        said = reading.fields.get(capital)
        if said is None:
            continue
        _take_figures(lines, rules[figures], figures, said, reading, min_confidence)


def _take_figures(lines: list[Line], rule: dict, name: str, said: str, reading: FieldReading,
                  min_confidence: float) -> None:
    for line in lines:
        for found in _CAPITALS_THEN_FIGURES.finditer(line.text):
            start, stop = found.span("figures")
            candidate = Candidate(line.text[start:stop],
                                  line.confidences[start:stop] if line.confidences is not None else None,
                                  line.boxes[start:stop] if line.boxes else (), line.page)
            value, reason = take(rule, candidate, min_confidence)
            if reason is None and value == said:
                reading.fields[name] = value
                reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
                if (source := candidate.source()) is not None:
                    reading.sources[name] = source
                return
