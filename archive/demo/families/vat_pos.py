"""Till receipts as retail POS and pharmacy systems print them (tuning families for the field readers).

`vat_pos`: the 增值税普通发票（卷票） as a retail or hospital-pharmacy POS prints it on 57/80 mm
paper — 机器编号 and 收款员 at the head, the seller as 销售方 with its name on the same line or as
销方名称, the goods either as one line each with `数量×单价` and the amount right-aligned
(supermarkets) or as name above figures, 合计金额（小写）/（大写） and 校验码 at the foot. No buyer,
or 购买方 个人 / 付款方 个人; no tax lines at all on most, a 税率/税额 column on some.
`vat_machine`: a provincial 通用机打发票（卷式） as local tax bureaus issued them: 开票单位, 收款单位,
付款单位, 项目/金额 lines, 金额合计 in figures and 大写. Its 收款单位 is the seller.
"""

from __future__ import annotations

import random
from decimal import Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cn0, day, money
from archive.ocr.normalize import amount_to_capital


def _goods(rng: random.Random) -> tuple[list[tuple[str, str, str, str]], Decimal]:
    items, total = [], Decimal(0)
    for name, _spec, _unit in rng.sample(pools.VAT_GOODS, rng.randint(1, 4)):
        price, quantity = money(rng, 150, 30000), rng.randint(1, 5)
        total += price * quantity
        items.append((name, str(quantity), amount(price), amount(price * quantity)))
    return items, total


def vat_pos(rng: random.Random) -> GeneratedDocument:
    code, number = pools.digits(rng, 12), f"{rng.randrange(10**8):08d}"
    issued, check = day(rng), pools.digits(rng, 20)
    seller, seller_id = pools.company(rng), pools.tax_id(rng)
    items, total = _goods(rng)
    date_text = rng.choice((issued.isoformat(), f"{issued:%Y%m%d}", cn0(issued)))
    truth = {"invoice_code": code, "invoice_number": number, "issue_date": issued.isoformat(),
             "seller_name": seller, "seller_tax_id": seller_id, "total_amount": amount(total),
             "total_amount_capital": amount(total), "check_code": check}
    head = [f"机器编号：{pools.digits(rng, 12)}", f"发票代码：{code}", f"发票号码：{number}"]
    rng.shuffle(head)
    rows: list = [*head, f"开票日期：{date_text}  收款员：{pools.person(rng)}"]
    style = rng.random()
    if style < 0.35:  # the party word with the name on its line, the tax id under it as 税号
        rows += [f"销售方：{seller}", f"税号：{seller_id}"]
    elif style < 0.7:
        rows += [f"销方名称：{seller}", f"销方税号：{seller_id}"]
    else:
        rows += [f"销售方名称：{seller}", f"销售方纳税人识别号：{seller_id}"]
    buyer = rng.random()
    if buyer < 0.3:
        rows += ["购买方名称：个人"]
        truth["buyer_name"] = "个人"
    elif buyer < 0.45:
        rows += ["购买方：个人"]
        truth["buyer_name"] = "个人"
    elif buyer < 0.55:  # the buyer's lines printed and left blank
        rows += ["购方名称：", "购方税号："]
    rows.append(RULE)
    supermarket = rng.random() < 0.5
    if supermarket:  # one line a good: name, 数量×单价, the amount right-aligned
        rows.append(((0, "商品名称"), (0.24, "数量×单价"), (0.38, "金额")))
        items = [(name[name.rfind("*") + 1:], q, p, v) for name, q, p, v in items]
        rows += [((0, name), (0.24, f"{q}×{p}"), (0.38, v)) for name, q, p, v in items]
    else:
        rows.append(((0, "项目"), (0.2, "数量"), (0.28, "单价"), (0.38, "金额")))
        for name, quantity, price, value in items:
            rows += [name, ((0.2, quantity), (0.28, price), (0.38, value))]
    truth["items"] = [{"name": n, "quantity": q, "unit_price": p, "amount": v} for n, q, p, v in items]
    rows.append(RULE)
    foot = rng.random()
    capital = amount_to_capital(amount(total))
    if foot < 0.2:
        rows += [f"合计金额（小写）：¥{amount(total)}", f"合计金额（大写）：{capital}"]
    elif foot < 0.4:  # the one sum, bare: tax-inclusive (no tax is printed), the total
        rows += [f"合计金额：¥{amount(total)}", f"大写：{capital}"]
    elif foot < 0.7:
        rows += [f"合计（小写）：{amount(total)}", f"合计（大写）：{capital}"]
    else:
        rows += [f"小写：¥{amount(total)}    大写：{capital}"]
    if rng.random() < 0.3:
        rows.append(f"实收：{amount(total + rng.randint(0, 50))}  找零：0.00")
    rows += [f"校验码：{check}", "谢谢惠顾，请妥善保管"]
    title = rng.choice(("", rng.choice(pools.PROVINCES)[:-1])) + "增值税普通发票（卷票）"
    return from_layout("vat_invoice", "pos", title, [rows], truth, f"小票-{number}.pdf",
                       size=rng.choice((8, 9, 10)), font=rng.choice(("sans", "serif")))


def vat_machine(rng: random.Random) -> GeneratedDocument:
    code, number = pools.digits(rng, 12), f"{rng.randrange(10**8):08d}"
    issued = day(rng)
    seller, seller_id = pools.company(rng), pools.tax_id(rng)
    items, total = _goods(rng)
    truth = {"invoice_code": code, "invoice_number": number, "issue_date": issued.isoformat(),
             "seller_name": seller, "seller_tax_id": seller_id, "total_amount": amount(total),
             "total_amount_capital": amount(total)}
    rows: list = [f"发票代码：{code}", f"发票号码：{number}", f"机打号码：{number}",
                  f"开票日期：{rng.choice((issued.isoformat(), cn0(issued)))}",
                  f"行业分类：{rng.choice(('零售', '医药'))}"]
    payer = rng.random()
    if payer < 0.5:
        rows.append("付款单位：个人")
    elif payer < 0.7:
        rows.append("付款单位：")
    rows.append(RULE)
    rows.append(((0, "项目"), (0.2, "数量"), (0.28, "单价"), (0.38, "金额")))
    items = [(name[name.rfind("*") + 1:], q, p, v) for name, q, p, v in items]
    rows += [((0, name), (0.2, q), (0.28, p), (0.38, v)) for name, q, p, v in items]
    truth["items"] = [{"name": n, "quantity": q, "unit_price": p, "amount": v} for n, q, p, v in items]
    rows.append(RULE)
    rows += [f"金额合计（小写）：{amount(total)}", f"金额合计（大写）：{amount_to_capital(amount(total))}"]
    unit = [f"收款单位：{seller}", f"纳税人识别号：{seller_id}"]
    if rng.random() < 0.5:
        unit.insert(0, f"开票单位（盖章）：{seller}")
    rows += unit + [f"开票人：{pools.person(rng)}"]
    title = f"{rng.choice(pools.PROVINCES)}通用机打发票（卷式）"
    return from_layout("vat_invoice", "machine", title, [rows], truth, f"机打-{number}.pdf",
                       size=rng.choice((8, 9)), font=rng.choice(("sans", "serif")))
