"""More item tables, modelled on other systems' prints of the shapes the readers found hard
(tuning families; the held-back ones are printed by other templates).

`statement_carried`: a 住院费用明细清单 continued over pages as Neusoft (东软) HIS prints it: page 1
opens with the patient block and the header; each later page opens with `（续表）` or `续上页`, a
`承前页` row carrying the pages before's sum forward, and the header repeated on some systems'
prints only; each page closes with `本页合计` and a running `累计` on its own line; the day's total
as `总金额`.
`statement_ratio`: an 一日清单 as Winning (卫宁) HIS prints it for insured patients: 项目编码 before or
after the name, 医保类别 as 甲类/乙类/丙类 (or 甲/乙/丙) and a 自付比例 column (0%, 10%, 100%) after
the amount, the unit under 单位 before 规格 on some prints.
`invoice_feetable`: a hospital system's bill with its fee items as a table (收费项目 金额 统筹支付
个人自付, or two 项目/金额 pairs a row) and a 合计 row under it.
`vat_pharmacy`: a chain pharmacy's 小票-style print of its 数电票 (as 老百姓/一心堂-style POS
systems print the goods): the header 商品名称 规格 数量 单价 金额, each goods row on two lines — the
name (with its 商品编码 on a line of its own on some prints), then the spec, quantity, unit price
and amount under the header's columns — and a 医保 column (统筹/自费) on some; or 药品名称/规格 over
数量 单价 金额, the name and spec on one line and the quantity with its unit (2盒) under it.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cells, cn0, day, money
from archive.demo.families.invoices import _Bill
from archive.demo.families.statements import _pages_of, _Stay, _subtotal
from archive.ocr.normalize import amount_to_capital


def statement_carried(rng: random.Random) -> GeneratedDocument:
    stay = _Stay(rng, count=rng.randint(12, 22))
    columns = (0, 0.34, 0.48, 0.6, 0.7, 0.82)
    header = cells(columns, ("项目名称", "规格", "数量", "单价", "金额", "类别"))
    repeat_header = rng.random() < 0.5
    chunks = _pages_of(stay.items, rng)
    pages, carried = [], Decimal(0)
    for page, chunk in enumerate(chunks, 1):
        if page == 1:
            rows = [((0, f"姓名：{stay.patient}"), (0.34, f"住院号：{stay.number}"),
                     (0.66, f"科室：{stay.department}")),
                    ((0, f"医疗机构：{stay.hospital}"), (0.6, f"费用日期：{stay.day.isoformat()}")), RULE,
                    header]
        else:
            rows = [((0.4, rng.choice(("（续表）", "续上页"))),),
                    *([header] if repeat_header else []),
                    ((0, "承前页"), (0.7, amount(carried)))]
        rows += [cells(columns, (i["name"], i["spec"], i["quantity"], i["unit_price"], i["amount"],
                                 i["insurance_class"])) for i in chunk]
        carried += Decimal(_subtotal(chunk))
        rows += [RULE, ((0, "本页合计"), (0.7, _subtotal(chunk))), ((0, "累计"), (0.7, amount(carried)))]
        if page == len(chunks):
            rows += [((0, f"总金额：{stay.total}"),), ((0, f"患者签名：{stay.patient}"),)]
        rows.append(((0.42, f"第{page}页 共{len(chunks)}页"),))
        pages.append(rows)
    return from_layout("daily_statement", "carried", "住院费用明细清单", pages, stay.truth(),
                       f"明细清单-{stay.patient}.pdf", paged_scan=True)


_RATIO = {"甲": "0%", "乙": "10%", "丙": "100%"}


def statement_ratio(rng: random.Random) -> GeneratedDocument:
    stay = _Stay(rng, count=rng.randint(4, 9))
    admitted = stay.day - timedelta(days=rng.randint(1, 9))
    code_first, long_class = rng.random() < 0.5, rng.random() < 0.5
    if code_first:
        columns = (0, 0.14, 0.4, 0.5, 0.58, 0.68, 0.8, 0.9)
        heads = ("项目编码", "项目名称", "规格", "数量", "单价", "金额", "医保类别", "自付比例")
    else:
        columns = (0, 0.28, 0.42, 0.52, 0.6, 0.7, 0.8, 0.9)
        heads = ("项目名称", "项目编码", "规格", "数量", "单价", "金额", "医保类别", "自付比例")
    rows = [((0, f"患者姓名：{stay.patient}"), (0.36, f"住院号：{stay.number}"),
             (0.66, f"科室：{stay.department}")),
            ((0, f"入院日期：{admitted.isoformat()}"), (0.5, f"清单日期：{stay.day.isoformat()}")),
            ((0, f"医院名称：{stay.hospital}"),), RULE, cells(columns, heads)]
    for item in stay.items:
        code = pools.digits(rng, rng.choice((8, 10)))
        cls = item["insurance_class"] + ("类" if long_class else "")
        values = {"项目编码": code, "项目名称": item["name"], "规格": item["spec"], "数量": item["quantity"],
                  "单价": item["unit_price"], "金额": item["amount"], "医保类别": cls,
                  "自付比例": _RATIO[item["insurance_class"]]}
        rows.append(cells(columns, [values[head] for head in heads]))
    rows += [RULE, ((0, f"当日合计：{stay.total}"),), ((0, f"患者签字：{stay.patient}"),)]
    return from_layout("daily_statement", "ratio", "住院患者一日费用清单", [rows], stay.truth(),
                       f"一日清单-{stay.patient}.pdf", font="serif")


def vat_pharmacy(rng: random.Random) -> GeneratedDocument:
    number, issued = pools.digits(rng, 20), day(rng)
    seller, seller_id = pools.company(rng), pools.tax_id(rng)
    rate = rng.choice(("13", "3", "1"))
    with_code, with_insurance = rng.random() < 0.5, rng.random() < 0.4
    items, goods = [], []
    for name, spec, unit in rng.sample(pools.VAT_GOODS, rng.randint(1, 4)):
        price, quantity = money(rng, 150, 30000), rng.randint(1, 5)
        items.append({"name": name, "spec": spec, "quantity": str(quantity), "unit_price": amount(price),
                      "amount": amount(price * quantity)})
        goods.append((name, spec, unit, quantity, price))
    value = sum((Decimal(i["amount"]) for i in items), Decimal(0))
    tax = (value * Decimal(rate) / (100 + Decimal(rate))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    rows: list = [f"发票号码：{number}", f"开票日期：{cn0(issued)}", f"销售方名称：{seller}",
                  f"纳税人识别号：{seller_id}", "购买方名称：个人", RULE]
    if rng.random() < 0.5:  # 商品名称 over 规格 数量 单价 金额: the spec under its own heading
        columns = (0, 0.24, 0.32, 0.42, 0.54)
        heads = ("规格", "数量", "单价", "金额", *(("医保",) if with_insurance else ()))
        rows += [((0, "商品名称"),), cells(columns[:len(heads)], heads)]
        for (name, spec, _unit, quantity, price), item in zip(goods, items, strict=True):
            rows.append(name)
            if with_code:
                rows.append(f"商品编码：{pools.digits(rng, 13)}")
            paid_by = (rng.choice(("统筹", "自费")),) if with_insurance else ()
            figures = (spec, quantity, amount(price), item["amount"], *paid_by)
            rows.append(cells(columns[:len(heads)], figures))
    else:  # 药品名称/规格 over the figures: the name and spec on one line, the quantity with its unit
        columns = (0, 0.3, 0.4, 0.52)
        rows.append(cells(columns, (rng.choice(("药品名称/规格", "商品名称/规格")), "数量", "单价", "金额")))
        for (name, spec, unit, quantity, price), item in zip(goods, items, strict=True):
            rows.append(f"{name} {spec}")
            if with_code:
                rows.append(f"商品编码：{pools.digits(rng, 13)}")
            rows.append(cells(columns[1:], (f"{quantity}{unit}", amount(price), item["amount"])))
    rows += [RULE, f"合计金额（小写）：¥{amount(value)}",
             f"合计金额（大写）：{amount_to_capital(amount(value))}", f"其中税额：{amount(tax)}",
             f"收款员：{pools.person(rng)}"]
    truth = {"invoice_number": number, "issue_date": issued.isoformat(), "seller_name": seller,
             "seller_tax_id": seller_id, "buyer_name": "个人", "total_amount": amount(value),
             "total_amount_capital": amount(value), "tax": amount(tax), "items": items}
    return from_layout("vat_invoice", "pharmacy", "电子发票（普通发票）", [rows], truth,
                       f"药店小票-{number}.pdf", size=9)


def invoice_feetable(rng: random.Random) -> GeneratedDocument:
    """A hospital system's 住院/门诊收费票据 with its fee items as a table (as iMedical-style HIS
    print the unified bill's body): 收费项目, 金额（元）, then what the fund and the patient pay of
    it (统筹支付, 个人自付) under their own headings, or the categories two to a row under
    项目/金额 项目/金额; the 合计 row under the table, the fund split after it."""
    bill = _Bill(rng, count=rng.choice((3, 4, 5)), other=0.2)
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    rows = [((0, f"票据代码：{code}"), (0.55, f"票据号码：{number}")),
            ((0, f"交款人：{bill.patient}"), (0.55, f"开票日期：{bill.issued.isoformat()}")),
            ((0, f"医疗机构：{bill.hospital}"),), ((0, f"医保编号：{bill.insurance}"),), RULE]
    if rng.random() < 0.5:
        columns = (0, 0.3, 0.5, 0.7)
        rows.append(cells(columns, ("收费项目", "金额（元）", "统筹支付", "个人自付")))
        for name, value in bill.items.items():
            fund = (value * Decimal(rng.choice(("0.5", "0.7", "0.9")))).quantize(Decimal("0.01"))
            rows.append(cells(columns, (name, f"{value:.2f}", f"{fund:.2f}", f"{value - fund:.2f}")))
    else:
        columns = (0, 0.25, 0.5, 0.75)
        rows.append(cells(columns, ("项目", "金额", "项目", "金额")))
        pairs = list(bill.items.items())
        for at in range(0, len(pairs), 2):
            texts = [text for name, value in pairs[at:at + 2] for text in (name, f"{value:.2f}")]
            rows.append(cells(columns[:len(texts)], texts))
    rows += [((0, "合计"), (0.3, f"{bill.total:.2f}")), RULE,
             ((0, f"合计（大写）：{bill.capital}"), (0.55, f"（小写）：{bill.total:.2f}")),
             ((0, f"统筹基金支付：{bill.fund:.2f}"), (0.5, f"个人账户支付：{bill.account:.2f}")),
             ((0, f"个人自付：{bill.self_paid:.2f}"), (0.5, f"个人自费：{bill.self_funded:.2f}")),
             ((0, f"收款人：{pools.person(rng)}"),)]
    truth = bill.truth(invoice_code=code, invoice_number=number, insurance_number=bill.insurance)
    return from_layout("invoice", "feetable", f"医疗{bill.visit}收费票据", [rows], truth,
                       f"收费票据-{bill.patient}.pdf")
