"""Turning what is printed on a claim into canonical values.

Dates become ISO `YYYY-MM-DD`; amounts become two-place decimal strings; capital-character
amounts (大写, 壹仟贰佰叁拾肆元伍角陆分) become the same decimal strings. Anything that cannot be
read with certainty gives None: a field is absent rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

_DATE = re.compile(
    r"(?P<y>\d{4}|\d{2})\s*[年.\-/]\s*(?P<m>\d{1,2})\s*[月.\-/]\s*(?P<d>\d{1,2})\s*日?"
)
_AMOUNT = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?")
_CAPITAL_DIGITS = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True))
_CAPITAL_CHARS = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正")


def parse_date(text: str | None, *, century: int = 2000) -> str | None:
    """`2024年3月5日`, `2024.03.05`, `2024-3-5`, `24-3-5` → `2024-03-05`; else None."""
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        return None
    year = int(match["y"])
    if len(match["y"]) == 2:
        year += century
    try:
        return date(year, int(match["m"]), int(match["d"])).isoformat()
    except ValueError:
        return None


def parse_amount(text: str | None) -> str | None:
    """`￥1,234.56`, `1234.5元`, `¥ 80` → `"1234.56"`, `"1234.50"`, `"80.00"`; else None."""
    if not text:
        return None
    cleaned = text.replace("￥", "").replace("¥", "").replace(" ", "").replace("元", "")
    match = _AMOUNT.search(cleaned)
    if not match:
        return None
    return format_amount(match.group().replace(",", ""))


# The separators of a numeric date need not match: on a scan `2026-03-05` comes out `2026.03-05`,
# and which marks part the figures does not change what they say.
# Systems print a date with the time of day after it (收费日期：2026-03-05 10:22:01: the date is the
# field) or as eight figures (结算日期：20260305, settlement lists and exports).
_DATE_ONLY = re.compile(
    r"(?:(?P<y>\d{4}|\d{2})\s*(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日?"
    r"|[.\-/]\s*(?P<m2>\d{1,2})\s*[.\-/]\s*(?P<d2>\d{1,2}))"
    r"|(?P<y8>20\d{2})(?P<m8>[01]\d)(?P<d8>[0-3]\d))"
    r"(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)
_AMOUNT_ONLY = re.compile(r"[￥¥]?\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?P<f>\.\d{1,2})?\s*元?")
_CAPITAL_ONLY = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正]+")


def read_date(value: str | None, *, century: int = 2000) -> str | None:
    """A value that is a date and nothing else (`2024年3月5日`, `2024.03.05`, `24-3-5`) → ISO; else None.

    Unlike `parse_date` nothing may surround the date: on a scan, `2026年6月1]日` is a misread
    day, not the 1st.
    """
    match = _DATE_ONLY.fullmatch(value.strip()) if value else None
    if not match:
        return None
    if match["y8"]:
        year, month, day = int(match["y8"]), int(match["m8"]), int(match["d8"])
    else:
        year = int(match["y"]) + (century if len(match["y"]) == 2 else 0)
        month, day = int(match["m1"] or match["m2"]), int(match["d1"] or match["d2"])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def read_amount(value: str | None) -> str | None:
    """A value that is an amount and nothing else (`￥1,234.56`, `1234.5元`) → `"1234.56"`; else None.

    `¥4,133.5¢` is None, not 4133.50: a character that is not part of an amount means the
    reading is not certain.
    """
    match = _AMOUNT_ONLY.fullmatch(value.strip()) if value else None
    return format_amount(match["n"].replace(",", "") + (match["f"] or "")) if match else None


def read_capital_amount(value: str | None) -> str | None:
    """A value written only in capital numerals (spaces aside) → `"1234.56"`; else None."""
    compact = re.sub(r"\s", "", value or "")
    return parse_capital_amount(compact) if _CAPITAL_ONLY.fullmatch(compact) else None


def format_amount(value: str | Decimal) -> str | None:
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def parse_capital_amount(text: str | None) -> str | None:
    """`壹仟贰佰叁拾肆元伍角陆分` → `"1234.56"`; `叁佰元零伍分` → `"300.05"`; else None."""
    if not text:
        return None
    capital = "".join(ch for ch in text if ch in _CAPITAL_CHARS).replace("圆", "元")
    capital = capital.rstrip("整正")
    if not capital:
        return None
    yuan_part, has_yuan, rest = capital.partition("元")
    if not has_yuan:
        yuan_part, rest = "", capital
    try:
        yuan = int(cn2an.cn2an(_to_numerals(yuan_part), "strict")) if yuan_part.strip("零") else 0
    except ValueError:
        return None
    jiao = fen = 0
    for digit_char, unit in re.findall(r"([零壹贰叁肆伍陆柒捌玖])([角分])", rest):
        if unit == "角":
            jiao = _CAPITAL_DIGITS[digit_char]
        else:
            fen = _CAPITAL_DIGITS[digit_char]
    leftover = re.sub(r"[零壹贰叁肆伍陆柒捌玖][角分]|零", "", rest)
    if leftover:
        return None  # something we do not understand: better absent than wrong
    return f"{yuan}.{jiao}{fen}"


def _to_numerals(capital: str) -> str:
    """Financial capitals to the ordinary numerals cn2an reads (壹 → 一, 拾 → 十, …)."""
    return capital.translate(str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟", "一二三四五六七八九十百千"))


def amount_to_capital(amount: str) -> str:
    """`"1234.56"` → `壹仟贰佰叁拾肆元伍角陆分` (for generated documents and cross-checks)."""
    return cn2an.an2cn(amount, "rmb")
