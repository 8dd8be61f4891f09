"""Goods lines that prove themselves: a till roll's or POS receipt's line read by its own
arithmetic, wherever its words lie (archive/ocr/vat_items.py).

Tills print a goods line as one string, its figures one space or several apart, with or without
a header above it: `阿莫西林胶囊 2盒 15.50 31.00`, the name on its line and under it `2 x 15.50 31.00`,
`2盒 ×15.50 =31.00` or `数量:2 单价:15.50 金额:31.00`, a service with its amount alone (`挂号费 10.00`).
Such a line is a goods row only when its figures hold: the quantity times the unit price is the
amount (to the price's rounding), and a tax printed after a rate is the amount's tax to the cent.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from archive.ocr.label_spec import label_rules
from archive.ocr.lines import is_cjk

_NUMBER = r"\d+(?:\.\d+)?"
_MONEY = r"[¥￥]?\s*\d[\d,]*\.\d{2}"
# quantity (its unit glued or a space away), × or a space, the unit price, = or a space, the
# amount; a rate and the tax after it on a 数电票's line.
_FIGURES = (rf"(?P<first>{_NUMBER})\s*(?P<unit>[\u4e00-\u9fff]{{1,2}}|[A-Za-z]{{1,3}})?"
            rf"(?:\s*[×xX*]\s*|\s+)[¥￥]?\s*(?P<second>{_NUMBER})(?:\s*[=＝]\s*|\s+)"
            rf"(?P<amount>{_MONEY})"
            rf"(?:\s+(?P<tax_rate>\d{{1,2}}(?:\.\d+)?%|免税|不征税)\s+(?P<tax>{_MONEY}))?\s*$")
_FIGURES_ONLY = re.compile(rf"^\s*{_FIGURES}")
_NAMED = re.compile(rf"^(?P<before>.*?\S)\s+{_FIGURES}")
_AMOUNT_ONLY = re.compile(rf"^(?P<before>.*?\S)\s+(?P<amount>{_MONEY})\s*$")


def _label(key: str) -> str:
    """A figure's label as the goods table's header names its column ([vat_items.columns]), its
    characters spaced or not, and its colon."""
    words = sorted(label_rules().get("vat_items", {}).get("columns", {}).get(key, []), key=len, reverse=True)
    return "(?:" + "|".join(r"\s*".join(map(re.escape, word)) for word in words) + r")\s*[:：]\s*"


# A figures line's own labels (数量:2 单价:15.50 金额:31.00): the figures in that order; a list
# price before the price charged (数量:2 原价:16.50 现价:15.50) is none of the row's.
_LABELLED = re.compile(rf"^\s*{_label('quantity')}(?P<first>\S+)\s+(?:{_label('list_price')}\S+\s+)?"
                       rf"{_label('unit_price')}(?P<second>\S+)\s+"
                       rf"{_label('amount')}(?P<amount>\S+)"
                       rf"(?:\s+{_label('tax_rate')}(?P<tax_rate>\S+)\s+{_label('tax')}(?P<tax>\S+))?\s*$")
# A goods code or bar code printed before the name (6901234567001 阿莫西林胶囊, Y0012345 布洛芬):
# not the name's. Figures a name begins with are fewer (999感冒灵, 84 消毒液).
_CODE_BEFORE = re.compile(r"^\s*(?=[0-9A-Za-z\-]*\d)[0-9A-Za-z\-]{6,}\s+(?=\S)")
# A figure alone (a quantity, a price): no spec's word.
_BARE_FIGURE = re.compile(r"[¥￥]?\d[\d,]*(?:\.\d+)?")
# A figure in a goods line's figures: a quantity with its unit, a price, an amount, a rate.
_FIGURE_WORD = re.compile(rf"-?{_NUMBER}(?:[\u4e00-\u9fff]{{1,2}}|[A-Za-z]{{1,3}})?|-?\d[\d,]*\.\d{{2}}"
                          r"|\d{1,2}(?:\.\d+)?%")
# A short unit word between the spec and the figures (盒, 袋, kg): the unit column's.
_UNIT_WORD = re.compile(r"^(?:[\u4e00-\u9fff]{1,2}|[A-Za-z]{1,3})$")


def not_goods() -> tuple[str, ...]:
    """Words of the lines around the goods that a till prints with an amount (合计 68.30, 现金
    100.00, 找零 31.70): such a line is never a goods row ([vat_items] sums and not_goods)."""
    rules = label_rules().get("vat_items", {})
    return (*rules.get("sums", []), *rules.get("not_goods", []))


def sum_word() -> re.Pattern:
    """A sum's word (合计, 应收; OCR may space its characters): the line after a till's goods."""
    return re.compile("|".join(r"\s*".join(map(re.escape, word))
                               for word in label_rules().get("vat_items", {}).get("sums", [])))


def holds(item: dict) -> bool:
    """Whether a row's own figures hold: quantity × unit price is the amount to within the unit
    price's rounding (a unit price printed without a quantity is one unit's), and a tax printed
    after its rate is the amount's tax to the cent."""
    try:
        amount = Decimal(item["amount"])
        if "unit_price" in item:
            if not product_agrees(Decimal(item.get("quantity", "1")), Decimal(item["unit_price"]), amount):
                return False
        elif "quantity" in item:
            return False
        if "tax" in item and (rate := re.fullmatch(r"(\d{1,2}(?:\.\d+)?)%", item.get("tax_rate", ""))):
            return abs(amount * Decimal(rate.group(1)) / 100 - Decimal(item["tax"])) <= Decimal("0.01")
    except (InvalidOperation, KeyError):
        return False
    return True


def product_agrees(quantity: Decimal, price: Decimal, amount: Decimal) -> bool:
    """Whether quantity × unit price is the amount as a till computes it: to the cent when the
    price is in cents (or whole) and the quantity whole, as their product then is; to within the
    price's rounding only when the price has more places than cents or the quantity is a
    fraction (a price per gram, 0.333 kg), whose product the till rounds. A looser slack would take
    a misread figure (10盒 2 25.00, 1盒 15.51 15.50) for a row that holds."""
    places = max(0, -price.as_tuple().exponent)
    if places <= 2 and quantity == quantity.to_integral_value():
        return abs(quantity * price - amount) <= Decimal("0.005")
    return abs(quantity * price - amount) <= abs(quantity) * Decimal(5).scaleb(-places - 1) + Decimal("0.005")


def figures(text: str, quantity_first: bool | None = None) -> dict[str, str] | None:
    """A line of figures alone (`2 x 15.50 31.00`, `2盒 ×15.50 =31.00`, `数量:2 单价:15.50
    金额:31.00`), when they hold; None otherwise. `quantity_first`: the order the header prints
    the quantity and the unit price in (None: no header says)."""
    found = _LABELLED.match(text)
    if found is not None:
        inner = " ".join(part for part in (found["first"], found["second"], found["amount"],
                                           found["tax_rate"], found["tax"]) if part)
        found, quantity_first = _FIGURES_ONLY.match(inner), True
    else:
        found = _FIGURES_ONLY.match(text)
    return _held(found, quantity_first) if found is not None else None


def named(text: str, *, spec_column: bool = True, unit_column: bool = False,
          quantity_first: bool | None = None) -> dict[str, str] | None:
    """A goods line with its name (`阿莫西林胶囊 2盒 15.50 31.00`, `品名 规格 单位 数量 单价 金额`
    as one string), when its figures hold; a service with its amount alone (`挂号费 10.00`) as
    {name, amount}. None when the line is no such row."""
    found = _NAMED.match(text)
    if found is not None:
        values = _held(found, quantity_first)
    else:
        found = _AMOUNT_ONLY.match(text)
        values = {"amount": _money(found["amount"])} if found is not None else None
    if values is None:
        return None
    name, spec = _name_and_spec(found["before"], spec_column=spec_column, unit_column=unit_column)
    if not name or any(word in name for word in not_goods()):
        return None
    return {"name": name, **({"spec": spec} if spec else {}), **values}


def unheld(text: str, *, under_name: bool = False) -> bool:
    """Whether the line is printed as a goods line (a name, then its quantity, unit price and
    amount; or, `under_name`, those figures alone under a name) that is no row: its figures do
    not hold, or which is the quantity is not known. A row printed but not read."""
    found = _NAMED.match(text)
    if found is not None and named(text) is None:
        name, _spec = _name_and_spec(found["before"], spec_column=True, unit_column=False)
        if not name:  # a figure more than a row's (2 16.50 15.50 31.00: a list price, a column)
            words = text.split()
            at = next((n for n, word in enumerate(words) if _FIGURE_WORD.fullmatch(word)), len(words))
            name = "".join(words[:at]) if _figures_alone(" ".join(words[at:])) else ""
        return bool(name) and is_cjk(name) and not any(word in name for word in not_goods())
    return under_name and _figures_alone(text) and figures(text) is None


def _figures_alone(text: str) -> bool:
    """Figures alone ending in an amount, their signs and labels aside (2 ×16.50 15.50 =31.00,
    数量:2 原价:16.50 现价:15.50 金额:31.00): a goods line's figures, read or not."""
    words = re.sub(r"[\u4e00-\u9fff]{1,3}\s*[:：]|[×xX*=＝¥￥]", " ", text).split()
    return len(words) >= 3 and re.fullmatch(r"-?\d[\d,]*\.\d{2}", words[-1]) is not None and all(
        _FIGURE_WORD.fullmatch(word) for word in words)


def without_code(name: str) -> str:
    """The name without a goods code or bar code printed before it."""
    return _CODE_BEFORE.sub("", name, count=1)


def _name_and_spec(before: str, *, spec_column: bool, unit_column: bool) -> tuple[str, str]:
    """The name (its code gone) and the spec printed after it: words from the first one that
    begins with a figure or a Latin letter, a unit word at their end left out."""
    words = without_code(before).split()
    at = next((n for n, word in enumerate(words) if n and re.match(r"[0-9A-Za-z]", word)), len(words))
    name, rest = words[:at], words[at:]
    if rest and unit_column and _UNIT_WORD.match(rest[-1]):
        rest = rest[:-1]
    if not name or not is_cjk("".join(name)) or re.search(r"\d\.\d{2}$", name[-1]):
        return "", ""
    if rest and (not spec_column or any(_BARE_FIGURE.fullmatch(word) for word in rest)):
        return "", ""  # a figure more than the row's: a column not read, or read twice
    return "".join(name), " ".join(rest)


def _money(text: str) -> str:
    return re.sub(r"[¥￥\s,]", "", text)


def _places(figure: str) -> int:
    return len(figure.partition(".")[2])


def _figures_order(found: re.Match) -> bool | None:
    """Which of two figures is the quantity when no header says: the one with a unit, else the
    one with fewer than two places when the other has two or more (2 15.50, 15.50 2, 1.5 12.80);
    None when that does not tell (2.00 15.50)."""
    if found["unit"]:
        return True
    first, second = _places(found["first"]), _places(found["second"])
    if first < 2 <= second:
        return True
    if second < 2 <= first:
        return False
    return None


def _held(found: re.Match, quantity_first: bool | None = None) -> dict[str, str] | None:
    if quantity_first is None and (quantity_first := _figures_order(found)) is None:
        return None
    quantity, price = ((found["first"], found["second"]) if quantity_first
                       else (found["second"], found["first"]))
    values = {"quantity": quantity, "unit_price": price, "amount": _money(found["amount"])}
    if found["tax"]:
        values |= {"tax_rate": found["tax_rate"], "tax": _money(found["tax"])}
    return values if holds(values) else None
