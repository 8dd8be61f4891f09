"""The 数电票 as the national tax platform's PDF draws it (a tuning family for the field readers).

Unlike `vat.digital`, the blocks' headings 购买方信息 and 销售方信息 are printed down the left
strip of each block, a character a row, as on the real 电子发票（普通发票）; the total row's label
is spaced out to its cell (合    计), and the capital amount stands after a ⓧ in its own cell.
A smaller font, as the real invoice's, keeps the long 统一社会信用代码/纳税人识别号 label and its
value inside the buyer's half.
"""

from __future__ import annotations

import random

from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import cells, cn0
from archive.demo.families.vat import _ITEM_COLUMNS, _ITEM_HEADER, _Sale


def vat_national(rng: random.Random) -> GeneratedDocument:
    sale = _Sale(rng, digital=True)
    buyer, seller = "购买方信息", "销售方信息"
    blocks = {1: ((0.04, f"名称：{sale.buyer}"), (0.54, f"名称：{sale.seller}")),
              2: ((0.04, f"统一社会信用代码/纳税人识别号：{sale.buyer_id or ''}"),
                  (0.54, f"统一社会信用代码/纳税人识别号：{sale.seller_id}"))}
    strip = []
    for n in range(5):
        left, right = blocks.get(n, (None, None))
        strip.append(tuple(cell for cell in ((0, buyer[n]), left, (0.5, seller[n]), right) if cell))
    rows = [((0.6, f"发票号码：{sale.number}"),), ((0.6, f"开票日期：{cn0(sale.issued)}"),), RULE,
            *strip, RULE, cells(_ITEM_COLUMNS, _ITEM_HEADER), *sale.item_rows(),
            ((0, "合    计"), (0.69, f"¥{sale.amount:.2f}"), (0.93, f"¥{sale.tax:.2f}")), RULE,
            ((0, "价税合计（大写）"), (0.2, f"ⓧ{sale.capital}"), (0.6, f"（小写）¥{sale.total:.2f}")), RULE,
            "备注：", ((0, f"开票人：{sale.drawer}"),)]
    return from_layout("vat_invoice", "national", "电子发票（普通发票）", [rows], sale.truth(),
                       f"数电票-{sale.number}.pdf", size=8)
