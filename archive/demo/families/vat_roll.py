"""The 增值税普通发票（卷票）, a tax-control till's roll print (a tuning family for the field readers).

Modelled on the roll invoice of 国家税务总局公告2016年第23号 (57/76/82 mm rolls, as pharmacies'
and clinics' tills print them): one narrow column — 发票代码, 发票号码, 机打号码, 机器编号, the
seller (销售方名称 and its 纳税人识别号, no heading of its own), 开票日期 and 收款员, then the goods as
品名/数量/单价/金额 lines, 合计金额 in figures and in words, and 校验码. The buyer lines are most
often left off (a patient pays at the counter); some tills print 购买方名称 with 个人 or nothing
under the seller, some 购买方：个人 above it.
The prices are tax-inclusive: there is no tax column, and only some tills add a 税额 line.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, day, money
from archive.ocr.normalize import amount_to_capital

_COLUMNS = (0, 0.2, 0.28, 0.36)  # 品名, 数量, 单价, 金额 across the roll's width (about 0.45 of A4)


def vat_roll(rng: random.Random) -> GeneratedDocument:
    code, number = pools.digits(rng, 12), f"{rng.randrange(10**8):08d}"
    issued, check = day(rng), pools.digits(rng, 20)
    seller, seller_id = pools.company(rng), pools.tax_id(rng)
    items, total = [], Decimal(0)
    for name, _spec, _unit in rng.sample(pools.VAT_GOODS, rng.randint(1, 4)):
        price, quantity = money(rng, 150, 30000), rng.randint(1, 5)
        total += price * quantity
        items.append((name, str(quantity), amount(price), amount(price * quantity)))
    date_text = issued.isoformat() if rng.random() < 0.5 else f"{issued:%Y%m%d}"
    buyer = rng.random()
    # Some tills' software prints the buyer first, as a bare party word (购买方：个人).
    rows: list = [f"发票代码：{code}", f"发票号码：{number}", f"机打号码：{number}",
                  f"机器编号：{pools.digits(rng, 12)}", *(["购买方：个人"] if buyer > 0.8 else []),
                  f"销售方名称：{seller}", f"纳税人识别号：{seller_id}",
                  f"开票日期：{date_text}", f"收款员：{pools.person(rng)}"]
    if buyer < 0.4:  # a till that prints the buyer's lines: 个人 (a patient) or nothing
        rows += [f"购买方名称：{'个人' if buyer < 0.25 else ''}", "纳税人识别号："]
    rows += [RULE, ((0, "品名"), (0.2, "数量"), (0.28, "单价"), (0.36, "金额"))]
    for name, quantity, price, value in items:  # a roll's goods name fills the width: figures below it
        rows += [name, ((0.2, quantity), (0.28, price), (0.36, value))]
    rows += [RULE, ((0, "合计"), (0.36, amount(total)))]
    truth = {"invoice_code": code, "invoice_number": number, "issue_date": issued.isoformat(),
             "seller_name": seller, "seller_tax_id": seller_id, "total_amount": amount(total),
             "total_amount_capital": amount(total), "check_code": check,
             "items": [{"name": n, "quantity": q, "unit_price": p, "amount": v} for n, q, p, v in items]}
    if buyer < 0.25 or buyer > 0.8:
        truth["buyer_name"] = "个人"
    if rng.random() < 0.3:  # a till that states the tax inside the price
        rate = Decimal(rng.choice(("3", "1")))
        tax = (total * rate / (100 + rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(f"其中税额：{amount(tax)}")
        truth["tax"] = amount(tax)
    rows += [f"合计金额（小写）：¥{amount(total)}",
             f"合计金额（大写）：{amount_to_capital(amount(total))}", f"校验码：{check}"]
    title = f"{rng.choice(pools.PROVINCES)[:-1]}增值税普通发票（卷票）"
    return from_layout("vat_invoice", "roll", title, [rows], truth, f"卷票-{number}.pdf", size=9)
