"""What the layout families share: amounts, dates as printed, and the stamp over a label."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from archive.demo import pools

# Fee categories printed on bills (the classic family's and the e-bill's); `卫生材料费` and `诊察费`
# are wordings real bills use that labels.toml does not list.
CATEGORIES = ("西药费", "中药费", "中成药费", "检查费", "化验费", "治疗费", "手术费", "床位费", "护理费",
              "材料费", "诊查费", "放射费")
OTHER_CATEGORIES = ("卫生材料费", "诊察费", "一般诊疗费")
# Scan fonts (archive/demo/documents.py `_cjk_font`): Hei, Song, and Hei bold; a quarter of all scans
# and photos are drawn in Kai (楷体) whatever the family's font (`printed_font`).
FONTS = ("sans", "serif", "bold")


def amount(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """An amount in yuan between low and high fen."""
    return Decimal(rng.randrange(low, high)) / 100


def fund_split(rng: random.Random, total: Decimal, shares: tuple[str, ...], most_account: int,
               most_self_funded: int) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A bill's fund split (统筹, 个人账户, 自付, 自费) adding up to `total`: the fund one of
    `shares`, the account and 自费 what is left up to their caps (fen), 自付 the rest."""
    fund = (total * Decimal(rng.choice(shares))).quantize(Decimal("0.01"))
    account = min(total - fund, money(rng, 0, most_account))
    self_funded = min(total - fund - account, money(rng, 0, most_self_funded))
    return fund, account, total - fund - account - self_funded, self_funded


def vat_numbers(rng: random.Random, digital: bool) -> tuple[str, str]:
    """(invoice code, invoice number): a 数电票's none and 20 digits, an older invoice's 12 and 8."""
    return ("", pools.digits(rng, 20)) if digital else (pools.digits(rng, 12), f"{rng.randrange(10**8):08d}")


def day(rng: random.Random) -> date:
    return date(2026, rng.randint(1, 12), rng.randint(1, 28))


def cn(on: date) -> str:
    """2026年3月5日"""
    return f"{on.year}年{on.month}月{on.day}日"


def cn0(on: date) -> str:
    """2026年03月05日, as tax and e-bill systems print it"""
    return f"{on:%Y年%m月%d日}"


def cells(columns: tuple[float, ...], texts) -> tuple[tuple[float, str], ...]:
    """A grid row: each text at its column's fraction of the width (empty cells left out)."""
    return tuple((x, str(text)) for x, text in zip(columns, texts, strict=True) if str(text))
