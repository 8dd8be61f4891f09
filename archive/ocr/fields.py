"""Fields of a document, read by their printed labels (archive/ocr/labels.toml).

A value is the text after a label and its separator (a colon, or a wide gap), up to the next gap
of two or more spaces, the next label, or the end of the line; or, when the label ends its line,
the cell to its right on the same printed row, else the cell below. It is then checked against the
field's type and pattern, and normalised (archive/ocr/field_values.py); the labels' patterns are in
archive/ocr/label_match.py, labels no list knows in archive/ocr/unknown_labels.py, labels whose
block says whose value it is (购买方/销售方, 甲方/乙方) in archive/ocr/sections.py, sums standing under
a table's column in archive/ocr/column_totals.py, a hospital printed only in the title in
archive/ocr/titles.py, a bill's one unlabelled date in archive/ocr/lone_dates.py; the values
taken are chosen together under the document's sums, capital and date order (archive/ocr/joint.py).

Nothing is guessed. A value that does not check out (a date with a stray character, an amount
with `¢` in it, a name with Latin letters, an ID number whose check digit fails on a scan), or
that OCR read with low confidence, leaves the field absent and is reported as unreadable, with
what was read, so that a person looks at it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace

from archive.ocr.capital_figures import figures_after_capitals
from archive.ocr.capitals import MAX_UNCONFIRMED, unconfirmed
from archive.ocr.cells import cell_below, cell_right, cell_wrapped, segments, widen_gaps
from archive.ocr.column_totals import read_column_totals
from archive.ocr.corroboration import corroborate
from archive.ocr.field_values import Candidate, range_in_parts, take
from archive.ocr.joint import (
    choose_jointly,
    constrained_fields,
    refuse_broken_sums,
    refuse_contradicted,
    refuse_dates_out_of_order,
    refuse_disagreeing_writings,
)
from archive.ocr.label_match import (
    CAPITAL_LABEL_LIKE,
    CAPITAL_VALUE_END,
    CLOSING,
    COLONS,
    DECORATED_GAP,
    DECORATION,
    GLUED,
    LABEL_LIKE,
    LABEL_OR_LINE_END,
    NOT_LABEL_START,
    SEPARATOR,
    VALUE_END,
    confusable_label,
    decorated_like_another,
    far_from_others,
    inside_another,
    is_label,
    label_row,
    misread_label,
    printed_labels,
    unlike_others,
)
from archive.ocr.label_spec import (  # noqa: F401 - the readers' API, imported from here
    COLON,
    LABELS_FILE,
    correctable_fields,
    field_label,
    field_rules,
    fields_of,
    guess_kind,
    label_rules,
    missing_fields,
    printed_words,
)
from archive.ocr.lines import JUNK, FieldReading, Line, is_cjk, label_pattern, rows_source
from archive.ocr.lone_dates import lone_date
from archive.ocr.normalize import amount_to_capital, read_amount
from archive.ocr.person_names import (
    GLUED_NAME,
    after_a_role,
    follows_a_name,
    joined_fields,
    shared,
    the_patients,
)
from archive.ocr.reference import known_name
from archive.ocr.sections import read_sections
from archive.ocr.sum_terms import read_sum_terms
from archive.ocr.tables import line_items, statement_items
from archive.ocr.titles import hospital_from_title
from archive.ocr.unknown_labels import read_by_unknown_labels
from archive.ocr.vat_items import goods_lines, vat_items
from archive.ocr.vat_sums import tax_inclusive_sum

_spec = label_rules  # the name benchmarks and tests know
MAX_WRAPPED = 3  # lines a value wrapped onto under its own
FIELD_MIN_CONFIDENCE = 50.0  # an OCR value with any character below this is not taken (measured on
# the tuning seed: at 50, 2 wrong in 423 values taken; at 70, 1 in 395)


VISIT_TYPES = {"inpatient": "inpatient", "住院": "inpatient",
               "outpatient": "outpatient", "门诊": "outpatient"}


def read_typed_value(kind: str | None, name: str, text: str) -> tuple[str | None, str | None]:
    """A value a person typed for field `name`, checked and normalised as if read from a text
    layer: (value, None), or (None, why it cannot be taken) — the reasons of `take`."""
    kinds = correctable_fields(kind)
    if name not in kinds:
        return None, "not_correctable"
    text = text.strip()
    if kinds[name] == "visit_type":
        value = VISIT_TYPES.get(text.lower())
        return (value, None) if value else (None, "unexpected_characters")
    rules = label_rules()[kind]
    rule = rules.get(name, {"type": "date"})  # not in the rules: one date of a range
    value, reason = take(rule, Candidate(text, None), 0.0)
    if reason == "not_a_capital_amount" and (figures := read_amount(text)):
        return figures, None  # the amount the capital characters say, typed in figures
    return (None, reason) if reason else (str(value), None)


def extract_fields(kind: str, text: str | list[Line]) -> dict:
    return read_fields(kind, text).fields


def read_fields(kind: str, text: str | list[Line], *, min_confidence: float = FIELD_MIN_CONFIDENCE,
                case: dict[str, str | None] | None = None) -> FieldReading:
    """The fields of one document kind, and what was seen but could not be taken. `case`: what
    the document's case states (claimant_name, claimant_id_number, insurance_number)."""
    spec = label_rules().get(kind, {})
    rules = field_rules(kind)
    # Another field's label, recognisable by its colon, ends a value run together with it.
    sections = label_rules().get("sections", {}).get(kind, {})
    scoped = [label for section in sections.values() for labels in section.get("labels", {}).values()
              for label in labels]
    # (And a form's own words, 性别, even glued to the value before it: 张三性别：男.)
    form_words = label_rules().get("label_heads", {}).get("alone", [])
    any_label = re.compile("(?:" + "|".join(label_pattern(label) for label in sorted(
        {label for rule in rules.values() for label in rule["labels"]} | set(scoped) | set(form_words),
        key=len, reverse=True)) + rf")\s*{COLON}")
    lines = _clean_lines(text)
    # (With the labels of no field the kind's forms print: another label, as a field's are.)
    printed = printed_labels(lines, [label for rule in rules.values() for label in rule["labels"]]
                             + label_rules().get("other_labels", {}).get(kind, []))
    # So does the label of a field not printed as it is, read with a character wrong or lost
    # (县人民医院转和医院：… for 转入医院).
    # And a label glued to a value whose first characters show its type: （小写）¥4449.00.
    every_label = "|".join(label_pattern(label) for rule in rules.values() for label in rule["labels"])
    glued_label = re.compile(rf"(?:{every_label}|[（(][\u4e00-\u9fff]{{1,4}}[）)])\s?(?=[¥￥⊗ⓧ])")
    ends = [any_label, glued_label, LABEL_LIKE, *(pattern for label, shown in printed.items() if not shown
                                      for pattern in misread_label(label))]
    # A goods row's 税额：, 金额： are the row's: for the fields the rows hold too, no label on a
    # goods line is the document's ([item_lines]).
    goods = frozenset(goods_lines(lines)) if kind in label_rules().get("item_lines", {}) else frozenset()
    item_fields = set(label_rules().get("item_lines", {}).get(kind, []))
    skips = {name: goods if name in item_fields else frozenset() for name in rules}
    reading = FieldReading()
    doubtful: dict[str, tuple] = {}  # refused for low confidence: (the value it would be, source)
    capitals: dict[str, Candidate] = {}  # what was read for each capital amount
    for name, rule in rules.items():
        rejected = None
        for candidate, as_read in _candidates(lines, rule, ends, printed, skip=skips[name]):
            if rule["type"] == "capital":
                capitals.setdefault(name, candidate)
            value, reason = take(rule, candidate, min_confidence) if as_read else (None, "")
            if reason is not None and "known" in rule and (
                    known := known_name(candidate.text, candidate.confidences, rule["known"])):
                value, reason = known, None
                reading.matched.append({"field": name, "read": candidate.text, "known": known})
            if reason is not None and rule["type"] == "date_range" and as_read:
                # One date of a range read in doubt does not make the other doubtful.
                value, refused = range_in_parts(rule, candidate, min_confidence)
                reason = None if value else reason
                reading.unreadable += [{"field": part, "read": candidate.text, "reason": why}
                                       for part, why in refused.items() if value]
            if reason is None:
                taken = value if isinstance(value, dict) else {name: value}
                reading.fields.update(taken)
                if (source := candidate.source()) is not None:
                    reading.sources.update(dict.fromkeys(taken, source))
                break
            if rejected is None and reason:
                rejected = {"field": name, "read": candidate.text, "reason": reason}
                if reason == "low_confidence" and (value := take(rule, candidate, 0.0)[0]) is not None:
                    doubtful[name] = (value, candidate.source())
        else:
            if rejected:
                reading.unreadable.append(rejected)
    read_by_unknown_labels(lines, rules, reading, lambda name: rules[name].get("into", [name]),
                           lambda index, match: _value_at(lines, index, match, ends, VALUE_END),
                           min_confidence)
    read_sections(lines, sections, rules, reading,
                  lambda index, match: _value_at(lines, index, match, ends, VALUE_END), min_confidence)
    lone_date(lines, label_rules().get("lone_date", {}).get(kind), rules, reading, min_confidence)
    if "hospital" in rules:
        hospital_from_title(lines, label_rules()["kinds"].get(kind, []), rules["hospital"], reading,
                            min_confidence)
    read_column_totals(lines, label_rules().get("column_totals", {}).get(kind, {}), rules, reading,
                       min_confidence)
    if kind == "invoice":
        _invoice_extras(lines, spec, reading, min_confidence, doubtful)
    if kind == "daily_statement":
        statement_items(lines, reading, min_confidence, doubtful)
    if kind == "vat_invoice":
        tax_inclusive_sum(lines, reading)
        vat_items(lines, reading, min_confidence, doubtful)
    figures_after_capitals(lines, label_rules().get("corroborates", {}).get(kind, []), rules, reading,
                           min_confidence)
    facts = label_rules().get("case_facts", {}).get(kind, {})
    known = {name: (case or {}).get(fact) for name, fact in facts.items()}
    pairs = label_rules().get("corroborates", {}).get(kind, [])
    constraints = {"pairs": pairs, "sums": label_rules().get("sums", {}).get(kind, []),
                   "order": label_rules().get("order", {}).get(kind, [])}
    related = constrained_fields(**constraints)
    chosen = [name for name in related if name in rules and name in reading.fields
              and rules[name]["type"] != "date_range"]
    alternatives = {name: _alternatives(lines, rules[name], ends, printed, reading.fields[name],
                                        min_confidence, skip=skips[name]) for name in chosen}
    by_ocr = any(line.confidences is not None for line in lines)
    choose_jointly(reading, alternatives, **constraints, by_ocr=by_ocr)
    refuse_contradicted(reading, pairs=pairs, sums=constraints["sums"])
    corroborate(reading, doubtful, pairs=pairs, sums=constraints["sums"],
                known={name: value for name, value in known.items() if value})
    _capitals_by_figures(reading, capitals, pairs)
    if by_ocr:
        terms = _sum_terms(kind, lines, ends, printed, min_confidence)
        refuse_disagreeing_writings(reading, pairs=pairs, sums=constraints["sums"], terms=terms)
        refuse_broken_sums(reading, pairs=pairs, sums=constraints["sums"], terms=terms)
        refuse_dates_out_of_order(reading, order=constraints["order"])
    return reading


def _sum_terms(kind: str, lines: list[Line], ends: list[re.Pattern], printed: dict[str, bool],
               min_confidence: float) -> dict:
    """The amounts of the kind's sums' terms that are no field ([sum_terms])."""
    specs = label_rules().get("sum_terms", {}).get(kind, {})
    shown = printed_labels(lines, [label for spec in specs.values() for label in spec["labels"]])
    rules = label_rules().get(kind, {})
    parts = {part for rule in label_rules().get("sums", {}).get(kind, []) for part in rule["parts"]}
    own = [label for part in parts if isinstance(rules.get(part), dict)
           for label in rules[part].get("labels", [])]
    return read_sum_terms(specs, shown, lambda labels: _values_after_label(
        lines, labels, ends, {**printed, **shown}, as_printed=True), min_confidence,
        page_text="\n".join(line.text for line in lines), own_labels=own)


def _alternatives(lines: list[Line], rule: dict, ends: list[re.Pattern], printed: dict[str, bool],
                  taken: object, min_confidence: float, most: int = 4,
                  skip: frozenset[int] = frozenset()) -> list[tuple[object, dict | None]]:
    """Other values read, confidently and checked, after the same field's labels (for
    `joint.choose_jointly`): after a label as printed, not one read with a character wrong, which
    may be another field's label."""
    found: list[tuple[object, dict | None]] = []
    for candidate, as_read in _candidates(lines, rule, ends, printed, as_printed=True, skip=skip):
        value, reason = take(rule, candidate, min_confidence) if as_read else (None, "")
        if reason is None and value != taken and value not in [v for v, _ in found]:
            found.append((value, candidate.source()))
            if len(found) >= most:
                break
    return found


def _capitals_by_figures(reading: FieldReading, capitals: dict[str, Candidate],
                         pairs: list[list[str]]) -> None:
    """A capital amount not taken is the amount of its figures (taken on their own) when what was
    read agrees with them character by character but for at most MAX_UNCONFIRMED characters
    read as no capital character at all (see `capitals.unconfirmed`). The reviewers are told
    which character was not read."""
    for pair in pairs:
        for name, candidate in capitals.items():
            figures = [reading.fields.get(other) for other in pair if other != name]
            if name not in pair or name in reading.fields or len(figures) != 1 or figures[0] is None:
                continue
            gaps = unconfirmed(candidate.text, figures[0])
            if gaps is None or len(gaps) > MAX_UNCONFIRMED:
                continue
            reading.fields[name] = figures[0]
            reading.unreadable = [item for item in reading.unreadable if item["field"] != name]
            if (source := candidate.source()) is not None:
                reading.sources[name] = source
            reading.matched.append({"field": name, "read": candidate.text,
                                    "known": amount_to_capital(figures[0]),
                                    "unread": [position + 1 for position in gaps]})


def _clean_lines(text: str | list[Line]) -> list[Line]:
    if isinstance(text, str):
        return [Line(fold_radicals(line.strip())) for line in text.splitlines() if line.strip()]
    return [widen_gaps(replace(line, text=fold_radicals(line.text))) for line in text if line.text.strip()]


# Text layers (many 数电票 among them) map some characters to their Kangxi radical or a CJK
# compatibility ideograph: 开票⽇期, ⾦额. Each is the same character to a reader; one for one, so
# the boxes and confidences still line up.
_RADICALS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")


def fold_radicals(text: str) -> str:
    def fold(found: re.Match) -> str:
        folded = unicodedata.normalize("NFKC", found.group())
        return folded if len(folded) == 1 else found.group()
    return _RADICALS.sub(fold, text)




def _candidates(lines: list[Line], rule: dict, ends: list[re.Pattern], printed: dict[str, bool],
                as_printed: bool = False, skip: frozenset[int] = frozenset()
                ) -> Iterator[tuple[Candidate, bool]]:
    """(candidate, whether it may be taken as read). A field with a reference list (`known`)
    then also gets the text after its label up to the next label, across wide gaps (县  中医院):
    taken only if it is a name on the list. `skip`: the lines whose labels are not the field's."""
    glued = GLUED.get(rule["type"])
    value_end = None
    accept = _payers_only(rule) if rule.get("person") else None
    if rule["type"] == "capital":
        value_end = CAPITAL_VALUE_END
        ends = [CAPITAL_LABEL_LIKE if end is LABEL_LIKE else end for end in ends]
    # A label printed as it is, a colon-only one too (应收：), outranks a label read with a
    # character wrong or lost (the 价合计 in 原价合计 is no 价税合计).
    yield from ((candidate, True) for candidate in _values_after_label(
        lines, rule["labels"], ends, printed, value_end=value_end, glued=glued, as_printed=True,
        accept=accept, joined=joined_fields() if rule.get("person") else "", skip=skip))
    yield from ((candidate, True) for candidate in _values_after_label(
        lines, rule.get("colon_labels", []), ends, printed, as_printed=True, colon_only=True,
        skip=skip))
    spaced = [label for label in rule["labels"] if label in _one_space().get("labels", ())]
    if spaced and rule["type"] in ("text", "code"):  # (figures and dates a space after: `glued`)
        yield from ((candidate, True) for candidate in _values_after_label(
            lines, spaced, ends, printed, as_printed=True, one_space=True, accept=accept, skip=skip))
    # 交款人李建国: a name run on from its label (one a space after it is read by [one_space], which
    # knows a prompt from a name).
    if rule.get("glued_labels"):
        yield from ((candidate, True) for candidate in _values_after_label(
            lines, rule["glued_labels"], ends, printed, glued=GLUED_NAME, as_printed=True,
            glued_only=True, accept=accept, skip=skip))
    if not as_printed:
        yield from ((candidate, True) for candidate in _values_after_label(
            lines, rule["labels"], ends, printed, value_end=value_end, glued=glued, misread_only=True,
            accept=accept, skip=skip))
    if "known" in rule:
        yield from ((candidate, False) for candidate in _values_after_label(
            lines, rule["labels"], ends, printed, value_end=LABEL_OR_LINE_END, skip=skip))


def _payers_only(rule: dict):
    """A label match's test for a person's field: never a role's name (复核人 姓名, 医生姓名), and a
    label that may name someone else, or one read with a character wrong (收款人 姓名 is 病人姓名
    but for one), only in the place of the patient's (person_names)."""
    def accept(lines: list[Line], index: int, match: re.Match, read_as: str) -> bool:
        if after_a_role(lines[index].text, match.start(), match.end()):
            return False
        return (read_as == "printed" and not shared(rule, match.group())) or the_patients(
            lines, index, match.end(), words_too=shared(rule, match.group(), "word_labels"))
    return accept


def _values_after_label(lines: list[Line], labels: list[str], ends: list[re.Pattern],
                        printed: dict[str, bool] | None = None, value_end: re.Pattern | None = None,
                        glued: str | None = None, as_printed: bool = False,
                        colon_only: bool = False, misread_only: bool = False,
                        one_space: bool = False, glued_only: bool = False,
                        accept=None, joined: str = "", skip: frozenset[int] = frozenset()
                        ) -> Iterator[Candidate]:
    """Candidate values, best label first: the rest of the line up to a wide gap (or
    `value_end`) or the next label, known or label-like; or, when the line holds no value there
    (the label ends it, or a label follows: a grid's row of labels), the value in the cell below
    the label. A label standing as a word of its own is tried before one at the end of a longer
    word (清单日期 before the 日期 of 入院日期). After the labels with their separator, the labels
    glued to a value whose first characters show its type (`glued`, see label_match.GLUED); then
    the labels read with a known OCR confusion (see `confusable_label`); last, with any one
    character misread (see `misread_label`). `colon_only`: labels that are also a table's
    header or total row's word ([labels] colon_labels: a till's 合计：, 税额：), taken only as
    printed, with their colon and as a word of their own. `misread_only`: only the labels read
    with a confusion or a character wrong. `one_space`: labels as printed, a word of their own,
    with no colon and one space before their value (`缴费人 张三 性别 男`, as HIS print them): the
    value is the one word after it."""
    value_end = ONE_WORD if one_space else value_end or VALUE_END
    separator = (COLONS if colon_only else ONE_SPACE if one_space
                 else rf"(?:{SEPARATOR}|{DECORATED_GAP})")
    exact = [] if glued_only else [
        re.compile(NOT_LABEL_START + label_pattern(label) + joined + _named(label) + DECORATION + CLOSING
                   + separator) for label in labels]
    if glued is not None:
        exact += [re.compile(NOT_LABEL_START + label_pattern(label) + DECORATION + CLOSING
                             + rf"\s?(?={glued})") for label in labels]
    # (pattern, how the label was read): as printed, with a known OCR confusion, with any one
    # character wrong or lost.
    patterns = [] if misread_only else [(pattern, "printed") for pattern in exact]
    if printed and not as_printed:
        patterns += [(pattern, "confused") for label in labels for pattern in confusable_label(label)]
        patterns += [(pattern, "misread") for label in labels for pattern in misread_label(label)]
    others = set(printed or {}) - set(labels)
    fuller = _fuller_labels_printed(labels, exact, printed)
    # A colon-only label is a word of its own: the 合计 of 个人自付合计, the 应付 of 医保应付, the
    # 税额 of 免税额 are other sums.
    for own_word in (True,) if colon_only or one_space else (True, False):
        for pattern, read_as in patterns:
            for index, line in enumerate(lines):
                if index in skip:
                    continue
                for match in pattern.finditer(line.text):
                    if (match.start() == 0 or not is_cjk(line.text[match.start() - 1])) != own_word:
                        continue
                    if pattern in fuller and not any(
                            other.start() <= match.start() < other.end()
                            for other in fuller[pattern].finditer(line.text)):
                        continue  # 日期 where 清单日期 is printed: the 日期 of 入院  日期 is another's
                    if read_as != "printed" and inside_another(line.text, match, others):
                        continue  # 方名称 of 销方名称 is no 购方名称 with a character lost
                    if read_as == "misread" and not far_from_others(match, labels, printed or {}):
                        continue
                    if read_as == "confused" and not unlike_others(match, others):
                        continue
                    if read_as == "printed" and decorated_like_another(match, labels, others):
                        continue  # the label with its bracket is another field's: 合计（大写）
                    if not own_word and _ends_a_part_sum(line.text, match):
                        continue  # the 合计 of 本页合计 is a page's sum, not the document's
                    if one_space and not _one_word_value(line.text, match.end()):
                        continue  # 购买方 信息 名称：…: a heading, not a label and its value
                    if accept is not None and not accept(lines, index, match, read_as):
                        continue  # 复核人 姓名：…: someone else's name
                    yield from _value_at(lines, index, match, ends, value_end)


# A label's value a single space after it, and the one word it is.
ONE_SPACE = r"[ \u3000](?=[^\s:：;；])"
ONE_WORD = re.compile(r"\s|$")


def _one_space() -> dict:
    return label_rules().get("one_space", {})


def _one_word_value(text: str, start: int) -> bool:
    """The word a space after a bare label is its value only when it is no label (a field's, or a
    bare one: 姓名 门诊号 科室 is a row of headings), label head or heading word ([one_space]
    not_values), and a wide gap, the line's end or a label follows it."""
    word_end = ONE_WORD.search(text, start).start()
    word, after = text[start:word_end], text[word_end:]
    heads = label_rules().get("label_heads", {}).get("words", ())
    if (not word or is_label(word) or word in heads or word in _one_space().get("labels", ())
            or word.startswith(tuple(_one_space().get("not_values", ())))
            or word.endswith(tuple(_one_space().get("not_values", ())))):
        return False
    if not after.strip() or after.startswith("  "):
        return True
    following = after.split()[0]
    # (A name, then the patient's sex, age or own fields: 患者 王芳 男 45岁.)
    return is_label(following) or is_label(re.split(COLON, following)[0]) or follows_a_name(following)


def _fuller_labels_printed(labels: list[str], exact: list[re.Pattern],
                           printed: dict[str, bool] | None) -> dict[re.Pattern, re.Pattern]:
    """For a label of the field that a longer label of the same field ends with (日期 of 清单日期,
    费用日期), when that longer one is printed: the pattern of the longer one. The short label then
    counts only as part of it: OCR spaces a label's characters as it spaces cells (入院  日期), so
    the 日期 of another field's label can stand as a word of its own."""
    if not printed:
        return {}
    found = {}
    for n, label in enumerate(labels):
        longer = [m for m, other in enumerate(labels)
                  if other != label and other.endswith(label) and printed.get(other)]
        if longer:
            alternatives = "|".join(f"(?:{exact[m].pattern})" for m in longer)
            found[exact[n]] = re.compile(alternatives)
    return found


def _ends_a_part_sum(text: str, match: re.Match) -> bool:
    """Whether the label matched at the end of a longer word makes it a part's sum ([label_heads]
    part_sums: 本页合计, 小计, 累计合计)."""
    word = re.search(r"[\u4e00-\u9fff]*$", text[:match.start()]).group() + re.sub(
        r"[^\u4e00-\u9fff]", "", match.group())
    return word.endswith(tuple(label_rules().get("label_heads", {}).get("part_sums", ())))


def _named(label: str) -> str:
    """Forms name an entity's label with or without 名称 after it (转入单位名称, 收款单位名称: the
    name of 转入单位), unless the label is a name's already (姓名, 医院名称)."""
    return "" if label.endswith(("名", "名称")) or not is_cjk(label[-1]) else r"(?:\s*名\s*称)?"


def _value_at(lines: list[Line], index: int, match: re.Match, ends: list[re.Pattern],
              value_end: re.Pattern) -> Iterator[Candidate]:
    line = lines[index]
    start = match.end()
    rest = line.text[start:]
    end = value_end.search(rest)
    stop = start + (end.start() if end else len(rest))
    stop = min([stop, *(following.start() for end_pattern in ends
                        if (following := end_pattern.search(line.text, start))
                        and following.start() > start)])
    # A value ends where a cell that is a label itself begins (身份证号码 4403…  年龄  63: 年龄 is
    # the next label, printed without a colon).
    stop = min([stop, *(cell for cell, cell_end in segments(line.text)
                        if start < cell < stop and is_label(line.text[cell:cell_end]))])
    candidate = _span(line, start, stop)
    value = candidate.text and not is_label(candidate.text)
    if value and not label_row(line):
        yield candidate
        # What a narrow cell wrapped onto the lines under it, a line more each time.
        at, span = index, (start, stop)
        while at - index < MAX_WRAPPED and (wrapped := cell_wrapped(lines, at, *span)) is not None:
            at, span = at + 1, wrapped[1:]
            candidate = _joined(candidate, _span(*wrapped))
            yield candidate
        return
    if not candidate.text and (right := _value_right(lines, index, match)) is not None:
        yield right  # the value to its right on the same row, read as a line of its own
    below = _value_below(lines, index, match)
    if below is not None:
        yield below
    elif value:
        yield candidate  # nothing under it: a key–value row of short words after all


def _joined(first: Candidate, rest: Candidate) -> Candidate:
    """A value and its rest on the next line as one."""
    confidences = (first.confidences + rest.confidences if first.confidences is not None
                   and rest.confidences is not None else None)
    return Candidate(first.text + rest.text, confidences, first.boxes + rest.boxes, first.page)


def _value_right(lines: list[Line], index: int, match: re.Match) -> Candidate | None:
    """The value in the cell to the right of a label on its row (see `cells.cell_right`), unless
    that is a label (the row is a row of labels, and the value is below) or holds a colon (another
    label with its value)."""
    found = cell_right(lines, index, match.start(), match.end())
    candidate = _span(*found) if found is not None else None
    if candidate is None or not candidate.text or is_label(candidate.text):
        return None
    return None if re.search(COLON, candidate.text) else candidate


def _value_below(lines: list[Line], index: int, match: re.Match) -> Candidate | None:
    """The value in the cell under a label (see `cells.cell_below`), unless that is a label or
    holds a colon (a label of the next row with its own value: 主治医师意见：同意转诊)."""
    found = cell_below(lines, index, _word_start(lines[index].text, match.start()), match.end())
    candidate = _span(*found) if found is not None else None
    if candidate is None or not candidate.text or is_label(candidate.text):
        return None
    return None if re.search(COLON, candidate.text) else candidate


def _word_start(text: str, start: int) -> int:
    """Where the word a label ends begins: a grid's value stands under the whole label cell
    (本次医保统筹支付), not under the known label at its end (统筹支付)."""
    while start > 0 and is_cjk(text[start - 1]):
        start -= 1
    return start


def _span(line: Line, start: int, stop: int) -> Candidate:
    """The text between start and stop with junk trimmed from both ends, and its confidences."""
    while start < stop and line.text[start] in JUNK:
        start += 1
    while stop > start and line.text[stop - 1] in JUNK:
        stop -= 1
    confidences = line.confidences[start:stop] if line.confidences is not None else None
    return Candidate(line.text[start:stop], confidences, line.boxes[start:stop], line.page)




def _invoice_extras(lines: list[Line], spec: dict, reading: FieldReading, min_confidence: float,
                    doubtful: dict[str, tuple]) -> None:
    _visit_type(lines[:6], spec["visit_type"]["values"], reading)
    labels = frozenset(label for rule in spec.values() if isinstance(rule, dict)
                       for label in rule.get("labels", ()))
    line_items(lines, spec["line_items"]["categories"], reading, min_confidence, doubtful, labels)


def _visit_type(head: list[Line], values: dict[str, str], reading: FieldReading) -> None:
    """The visit type, printed in the title or on a line of its own near it, above the labelled
    fields. A line of its own that is a visit type but for one character, and shares no character
    with any other, is that one: the vocabulary is closed, and OCR reads 门 in 门诊 as 内 or 由.
    A word forms print for itself (医院, a label) is not taken for a misread 住院."""
    found = next(((line, value) for line in head for word, value in values.items() if word in line.text),
                 None)
    for line in head if found is None else ():
        if re.search(COLON, line.text):
            break
        word = line.text.strip(JUNK)
        if word in printed_words():
            continue
        near = [value for option, value in values.items() if len(option) == len(word) >= 2
                and sum(a == b for a, b in zip(word, option, strict=True)) == len(word) - 1]
        if len(near) == 1 and not any(set(word) & set(option) for option, value in values.items()
                                      if value != near[0]):
            found = (line, near[0])
            break
    if found is not None:
        line, reading.fields["visit_type"] = found
        if source := rows_source([line]):
            reading.sources["visit_type"] = source
