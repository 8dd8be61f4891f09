"""A value read after a label, checked against its field's type and pattern and normalised
(`take`): dates, amounts (with what OCR makes of the currency sign and separators), capital
amounts, codes, ID numbers and credit codes with their check digits, date ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.cn import ric, uscc

from archive.ocr.label_spec import LABELS_FILE, label_rules
from archive.ocr.lines import JUNK_TOKEN, Box, is_cjk, union
from archive.ocr.normalize import read_amount, read_capital_amount, read_date
from archive.ocr.person_names import person_value, signer_name

_TEXT = r"[\u4e00-\u9fff（）()·、，,0-9A-Za-z\-]{1,60}"  # a text value unless labels.toml says else
_SEAL_AFTER = re.compile(r"\s*[（(]\s*(?:" + "|".join(map(re.escape, label_rules()["values"]["seal_marks"]))
                         + r")\s*[）)]\s*$")


@dataclass(frozen=True)
class Candidate:
    text: str
    confidences: tuple[float, ...] | None
    boxes: tuple[Box | None, ...] = ()
    page: int | None = None

    @property
    def lowest_confidence(self) -> float | None:
        return min(self.confidences) if self.confidences else None

    def source(self) -> dict | None:
        box = union(self.boxes)
        return None if box is None or self.page is None else {"page": self.page, "boxes": [box]}


# A name has no check digit and no sum to catch a look-alike character (颍 read as 颖 at 51–68
# while every other character of the hospital's name read at 100): one Chinese character read
# below this leaves a name in doubt — taken only if a reference list or the case confirms it
# (fields.read_fields), else absent and flagged rather than wrong.
NAME_MIN_CONFIDENCE = 75.0


def _doubtful_character(candidate: Candidate) -> bool:
    return any(confidence < NAME_MIN_CONFIDENCE for character, confidence
               in zip(candidate.text, candidate.confidences or (), strict=False) if is_cjk(character))


# The head of a 统一社会信用代码 (GB 32100): registering authority, entity type, region code.
_CREDIT_CODE_HEAD = re.compile(r"[1-9ANY][1-9]\d{6}")


def _credit_code_whole(code: str) -> bool:
    """Whether a taxpayer number read by OCR is whole: one that begins as a 统一社会信用代码 does
    has 18 characters and its check character. A code with a character lost or misread (17
    characters, a check that fails) is far likelier than a number of that shape issued so."""
    if len(code) not in (17, 18) or not _CREDIT_CODE_HEAD.match(code):
        return True
    return len(code) == 18 and (uscc.is_valid(code) or ric.is_valid(code))


def take(rule: dict, candidate: Candidate, min_confidence: float) -> tuple[object, str | None]:
    """(normalised value, None) or (None, why it was not taken)."""
    ocr = candidate.confidences is not None
    lowest = candidate.lowest_confidence
    if rule["type"] == "amount" and ocr and (currency := _CURRENCY_MISREAD.match(candidate.text)):
        # The misread currency sign is no part of the value: judge the figures alone.
        lowest = min(candidate.confidences[currency.end():] or (0.0,))
    if rule["type"] in ("date", "date_range") and ocr:
        # A date is its digits: a doubtful 年, 月, 日 or 至 that still reads as a date (as it or
        # as another separator) gives the same date, and one that does not is refused below.
        digits = [c for ch, c in zip(candidate.text, candidate.confidences, strict=True) if ch.isdigit()]
        lowest = min(digits) if digits else lowest
    if ocr and lowest is not None and lowest < min_confidence:
        return None, "low_confidence"
    if ocr and rule["type"] == "text" and min_confidence and _doubtful_character(candidate):
        return None, "low_confidence"
    raw = JUNK_TOKEN.sub(" ", candidate.text).strip()
    kind = rule["type"]
    if kind == "date_range":
        parts = _RANGE_SEPARATOR.split(_RANGE_WORDS.sub("", raw), maxsplit=1)
        dates = [read_date(part) for part in parts]
        if not (len(dates) == 2 and all(dates)) and (clause := _RANGE_CLAUSE.match(raw)):
            dates = [read_date(clause.group(1)), read_date(clause.group(2))]
        if len(dates) == 2 and all(dates):
            return dict(zip(rule["into"], dates, strict=True)), None
        return None, "not_a_date_range"
    if kind in ("text", "code"):
        if kind == "text":
            raw = _SEAL_AFTER.sub("", raw)
        if rule.get("person"):
            raw = person_value(raw) or ""
            if not raw or rule.get("signer") and not signer_name(raw):  # 签字：同意 signs no one
                return None, "not_a_name"
        compact = re.sub(r"\s+", "", raw) if kind == "code" or is_cjk(raw) else raw
        pattern = rule.get("pattern", _TEXT if kind == "text" else r"[0-9A-Za-z][0-9A-Za-z\-]*")
        if not re.fullmatch(pattern, compact) or (kind == "code" and rule.get("digits", True)
                                                  and not any(c.isdigit() for c in compact)):
            return None, "unexpected_characters"
        if ocr and rule.get("check") == "uscc" and not _credit_code_whole(compact):
            return None, "check_digit"
        return compact, None
    if kind == "date":
        value = read_date(raw)
        return (value, None) if value else (None, "not_a_date")
    if kind == "amount":
        if ocr:
            raw = _TRAILING_SPECK.sub("", _MISREAD_SEPARATOR.sub(",", raw))
        value = read_amount(raw) or _amount_after_currency(raw)
        return (value, None) if value else (None, "not_an_amount")
    if kind == "capital":
        # 数电票 print a crossed circle before the capital amount, so nothing can be written before it.
        value = read_capital_amount(raw.lstrip("⊗ⓧ☒ "))
        return (value, None) if value else (None, "not_a_capital_amount")
    if kind == "id_number":
        number = re.sub(r"\s", "", raw).upper()
        if not re.fullmatch(r"\d{17}[\dX]", number):
            return None, "not_an_id_number"
        # On a scan a failed check digit is far more often a misread digit than a wrong number;
        # from a text layer the number is what was printed, and the referral check reports it.
        if ocr and ric.calc_check_digit(number) != number[-1]:
            return None, "check_digit"
        return number, None
    if kind == "credit_code":
        code = re.sub(r"\s", "", raw).upper()
        if not re.fullmatch(r"[0-9A-Z]{18}", code):
            return None, "not_a_credit_code"
        if ocr and not uscc.is_valid(code):
            return None, "check_digit"
        return code, None
    raise ValueError(f"unknown field type {kind!r} in {LABELS_FILE}")


_RANGE_SEPARATOR = re.compile(r"\s*(?:起\s*)?(?:至|到|—|~|－)\s*")
_DATE = r"\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?"
# A term stated in a clause, the sentence going on after it (本协议有效期自2026年1月1日起至2026年12月
# 31日止，期满…): the range at the start of what follows the label, ended by a word or punctuation.
_RANGE_CLAUSE = re.compile(rf"\s*(?:自|从|为)?\s*({_DATE})\s*(?:起\s*)?(?:至|到|—|~|－)\s*({_DATE})"
                           r"\s*止?(?=[\u4e00-\u9fff，。；,;.\s]|$)")
_RANGE_WORDS = re.compile(r"^\s*(?:自|从)\s*|\s*止\s*$")  # 自2026年1月1日起至2026年12月31日止


def range_in_parts(rule: dict, candidate: Candidate, min_confidence: float) -> tuple[dict, dict]:
    """A date range refused as a whole, read date by date: ({field: date} for those that read,
    {field: why not} for the others)."""
    separator = _RANGE_SEPARATOR.search(candidate.text)
    if separator is None:
        return {}, {}
    parts = [(0, separator.start()), (separator.end(), len(candidate.text))]
    taken, refused = {}, {}
    for name, (start, stop) in zip(rule["into"], parts, strict=True):
        part = Candidate(candidate.text[start:stop], candidate.confidences[start:stop]
                          if candidate.confidences is not None else None,
                          candidate.boxes[start:stop], candidate.page)
        value, reason = take({"type": "date"}, part, min_confidence)
        if reason is None:
            taken[name] = value
        else:
            refused[name] = reason
    return taken, refused


# tesseract's chi_sim cannot output ¥ or ￥ (they are not in its character set): it reads the sign
# as Y (or its two strokes as yY) or as some Chinese character. Only such a sign, standing where
# the sign is printed and followed by a complete amount with two decimals, is taken for it.
_CURRENCY_MISREAD = re.compile(r"(?:[Yy#]{1,2}|[\u4e00-\u9fff])\s?(?=\d)")
# On a scan the thousands separator comes out as ; or : and a speck beside it as another mark
# (4;,868.24, Y4;022.14). Marks standing exactly where a separator belongs, between a digit and
# a group of three digits that ends at another separator or the decimal point, are that one
# separator; the amount is still judged by the confidence of every character read.
_MISREAD_SEPARATOR = re.compile(r"(?<=\d)[,;:；：]{1,2}(?=\d{3}(?:[,;:；：.]|$))")
# A speck after the cents of a scanned amount reads as a full stop (275.22.): no part of it.
_TRAILING_SPECK = re.compile(r"(?<=\.\d{2})\s?[.,。]$")
_AMOUNT_WITH_CENTS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}")


def _amount_after_currency(raw: str) -> str | None:
    match = _CURRENCY_MISREAD.match(raw)
    if match and _AMOUNT_WITH_CENTS.fullmatch(raw[match.end():]):
        return read_amount(raw[match.end():])
    return None
