"""A hospital printed only in the document's title.

Hospital systems print a 一日清单 as `XX市第一人民医院住院患者每日费用清单`, with no 医院： label
anywhere; some bills do the same (`XX医院门诊收费票据`). When the hospital is not read by its
label, the title line (one of the first lines, holding the kind's title word) gives it: the
title's words for what the document is are dropped from its end, and what is left must be a
hospital name by the field's own pattern, else nothing is taken.
"""

from __future__ import annotations

import re

from archive.ocr.field_values import Candidate, take
from archive.ocr.lines import FieldReading, Line

TITLE_LINES = 4  # the title is printed above the labelled fields
# What a title says after the hospital's name: the stay, whose, how often, what (费用清单, 收费票据).
_TITLE_TAIL = re.compile(r"(?:住院|门诊|急诊)?(?:患者|病人|病员)?(?:每日|一日|逐日|当日)?"
                         r"(?:医疗)?(?:费用|收费)?(?:明细)?(?:清单|票据|结算单)(?:[（(][^）)]*[）)])?$")


def hospital_from_title(lines: list[Line], titles: list[str], rule: dict, reading: FieldReading,
                        min_confidence: float, name: str = "hospital") -> None:
    if name in reading.fields:
        return
    for line in lines[:TITLE_LINES]:
        kept = [n for n, character in enumerate(line.text) if not character.isspace()]
        compact = "".join(line.text[n] for n in kept)
        ends = [compact.find(title) + len(title) for title in titles if title in compact]
        if not ends:
            continue
        head = compact[:min(ends)]
        hospital = _TITLE_TAIL.sub("", head)
        if not hospital or hospital == head:
            continue
        positions = kept[:len(hospital)]
        candidate = Candidate(hospital, tuple(line.confidences[n] for n in positions)
                              if line.confidences is not None else None,
                              tuple(line.boxes[n] for n in positions) if line.boxes else (), line.page)
        value, reason = take(rule, candidate, min_confidence)
        if reason is None:
            reading.fields[name] = value
            reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
            if (source := candidate.source()) is not None:
                reading.sources[name] = source
        return
