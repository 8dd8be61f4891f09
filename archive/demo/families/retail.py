"""Two more tuning families, modelled on prints no other family covers.

`vat_member`: a chain pharmacy's (or a supermarket pharmacy counter's) member sale, as 海典/
英克-style retail POS print the invoice's data on the till slip: the store and its 会员卡号, the
goods under 商品名称 数量 单价 金额 with the name on its line (some names begin with figures:
84消毒液, 999感冒灵颗粒, printed `84 消毒液` by some tills) and the figures under it, numbered on
some, a 会员价优惠/单品折扣/促销优惠 line under a row, then the sum before the discounts (商品合计,
原价合计 or 合计), an order's discount (整单优惠, 满减优惠, 优惠合计), the sum due after them (应收,
应付金额, 折后金额), the payment (医保卡支付 with 统筹 and 个账, 现金) and 实收/找零, and a line of
what the member saved. The rows are the goods as printed; the discounts are no goods and no row.
`invoice_fiscal`: the 医疗收费电子票据 as another province's 财政电子票据 platform prints it: the
items in a table two columns wide with 数量 and 单位 beside 金额, an 其他信息 block of key–value
pairs run together on wrapped lines (业务流水号, 门诊号, 就诊日期, 医保类型, 医保编号, the fund split
in that province's wording: 统筹基金支付 or 医保统筹支付, 个人帐户支付, 个人现金支付, 个人自付/个人自负,
个人自费), the payee as 收款单位(章) or 开票单位（盖章）.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from archive.demo import documents as gen
from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cells, cn0, day, fund_split, money, vat_numbers
from archive.demo.families.receipts import _clock, _till_truth
from archive.ocr.normalize import amount_to_capital

_ROW_DISCOUNTS = ("会员价优惠", "会员优惠", "单品折扣", "促销优惠", "折扣")
_ORDER_DISCOUNTS = ("整单优惠", "满减优惠", "优惠合计", "折扣金额", "会员折扣")
_BEFORE = ("商品合计", "原价合计", "合计", "商品总额")
_DUE = ("应收", "应付金额", "应收金额", "折后金额", "应付")


def _goods(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    """(name, spec, quantity, unit price, amount) of 2 to 6 goods, a name with figures first
    among them more often than not."""
    pool = list(pools.RETAIL_GOODS)
    chosen = rng.sample(pool, rng.randint(2, 6))
    goods = []
    for name, spec, _unit in chosen:
        price, quantity = money(rng, 150, 9000), rng.randint(1, 4)
        goods.append((name, spec, str(quantity), amount(price), amount(price * quantity)))
    return goods


def _printed_name(rng: random.Random, name: str) -> str:
    """84 消毒液: some tills part a name's leading figures from its words."""
    head = len(name) - len(name.lstrip("0123456789"))
    if 0 < head < len(name) and name[head] not in ".%-" and rng.random() < 0.4:
        return f"{name[:head]} {name[head:]}"
    return name


def vat_member(rng: random.Random) -> GeneratedDocument:
    digital = rng.random() < 0.5
    code, number = vat_numbers(rng, digital)
    issued = day(rng)
    seller, seller_id = pools.company(rng), pools.tax_id(rng)
    goods = _goods(rng)
    before = sum((Decimal(g[4]) for g in goods), Decimal(0))
    # A discount under some rows (never more than a tenth of the row), and one on the order.
    row_discounts = [(Decimal(g[4]) * Decimal(rng.choice(("0.05", "0.1")))).quantize(Decimal("0.01"))
                     if rng.random() < 0.4 else Decimal(0) for g in goods]
    order_discount = Decimal(rng.choice((0, 0, 2, 5, 10))) if before > 30 else Decimal(0)
    if not any(row_discounts) and not order_discount:
        order_discount = Decimal(1)
    total = before - sum(row_discounts, Decimal(0)) - order_discount
    truth = _till_truth(number, code, issued, seller, seller_id, goods, total)
    store = seller.split("有限公司")[0].removesuffix("连锁")
    rows: list = [((0.08, store),), f"门店：{pools.town(rng)}店",
                  ((0, f"单号：{issued:%Y%m%d}{pools.digits(rng, 6)}"),
                   (0.26, f"收银员：{rng.randint(1, 40):03d}")),
                  f"会员卡号：{rng.choice(('138', '159', '186'))}****{pools.digits(rng, 4)}"]
    rows += [*([f"发票代码：{code}"] if code else []), f"发票号码：{number}",
             f"开票日期：{rng.choice((cn0(issued), issued.isoformat()))} {_clock(rng)}",
             f"销售方：{seller}", f"{rng.choice(('税号', '纳税人识别号'))}：{seller_id}", RULE]
    numbered = rng.choice(("", "{n}.{name}", "{n:02d} {name}", "{n} {name}"))
    rows.append(cells((0, 0.18, 0.26, 0.36), (rng.choice(("商品名称", "品名")), "数量", "单价", "金额")))
    for n, ((name, _spec, quantity, price, value), discount) in enumerate(zip(goods, row_discounts,
                                                                             strict=True), 1):
        shown = _printed_name(rng, name)
        rows.append(numbered.format(n=n, name=shown) if numbered else shown)
        rows.append(cells((0.18, 0.26, 0.36), (quantity, price, value)))
        if discount:
            rows.append(((0.04, rng.choice(_ROW_DISCOUNTS)), (0.36, f"-{amount(discount)}")))
    rows.append(RULE)
    count = sum(int(g[2]) for g in goods)
    rows.append(((0, f"件数：{count}"), (0.2, f"{rng.choice(_BEFORE)}：{amount(before)}")))
    if order_discount:
        sign = rng.choice(("-", ""))
        rows.append(f"{rng.choice(_ORDER_DISCOUNTS)}：{sign}{amount(order_discount)}")
    rows.append(f"{rng.choice(_DUE)}：{amount(total)}")
    if rng.random() < 0.4:  # an insured member: the card pays part from the fund and the account
        fund = (total * Decimal("0.5")).quantize(Decimal("0.01"))
        account = min(total - fund, money(rng, 0, 3000))
        rows += [((0, f"医保卡支付：{amount(fund + account)}"),),
                 ((0.04, f"统筹：{amount(fund)}"), (0.22, f"个账：{amount(account)}")),
                 f"现金：{amount(total - fund - account)}"]
    else:
        handed = max(total, (total / 10).to_integral_value(ROUND_HALF_UP) * 10 + rng.choice((0, 10)))
        rows.append(((0, f"实收：{amount(handed)}"), (0.22, f"找零：{amount(handed - total)}")))
    saved = before - total
    rows.append(rng.choice((f"本单共节省：{amount(saved)}元", f"本次优惠：{amount(saved)}")))
    if rng.random() < 0.4:
        rows.append(f"合计金额（大写）：{amount_to_capital(amount(total))}")
        truth["total_amount_capital"] = amount(total)
    rows += ["会员积分：" + str(int(total)), "请妥善保管小票，凭小票退换", "谢谢惠顾，欢迎再次光临"]
    title = "电子发票（普通发票）" if digital else "增值税普通发票（卷票）"
    return from_layout("vat_invoice", "member", title, [rows], truth, f"会员小票-{number}.pdf",
                       size=rng.choice((8, 9)), font=rng.choice(("sans", "serif")))


# The outpatient classes provinces' e-bills list, with the unit some platforms print.
_CLASSES = (("西药费", "项"), ("中成药费", "项"), ("检查费", "次"), ("化验费", "次"), ("治疗费", "次"),
            ("卫生材料费", "项"), ("诊察费", "次"), ("挂号费", "次"), ("放射费", "次"), ("一般诊疗费", "次"))
# The fund split as provinces' platforms word it in the 其他信息 block: (fund, account, self-paid,
# self-funded); 个人帐户 with 帐 as many print it, 个人自负 as Shanghai's does.
_SPLITS = (("统筹基金支付", "个人帐户支付", "个人自付", "个人自费"),
           ("医保统筹支付", "个人账户支付", "个人自负", "个人自费"),
           ("医保统筹基金支付", "个人帐户支付", "个人自负", "个人自费"),
           ("统筹基金支付", "个人账户支付", "自付金额", "自费金额"))


def invoice_fiscal(rng: random.Random) -> GeneratedDocument:
    patient, hospital, issued = pools.person(rng, minority=0.03), pools.hospital(rng), day(rng)
    visit = rng.choice(("门诊", "门诊", "住院"))
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    check = "".join(rng.choice("0123456789abcdef") for _ in range(6))
    serial, card = pools.digits(rng, rng.choice((12, 18))), pools.digits(rng, 12)
    scheme = rng.choice(pools.INSURANCE_TYPES)
    items = {name: (unit, money(rng, 500, 90000)) for name, unit in rng.sample(_CLASSES, rng.randint(2, 7))}
    total = sum((value for _, value in items.values()), Decimal(0))
    fund, account, self_paid, self_funded = fund_split(rng, total, ("0.4", "0.6", "0.7"), 20000, 8000)
    truth = {"invoice_code": code, "invoice_number": number, "check_code": check,
             "issue_date": issued.isoformat(), "payer_name": patient, "hospital": hospital,
             "visit_type": "outpatient" if visit == "门诊" else "inpatient",
             "total_amount": amount(total), "total_amount_capital": amount(total),
             "fund_paid": amount(fund), "personal_account_paid": amount(account),
             "self_paid": amount(self_paid), "self_funded": amount(self_funded),
             "serial_number": serial, "insurance_number": card, "insurance_type": scheme,
             "line_items": [{"category": name, "amount": amount(value)}
                            for name, (_, value) in items.items()]}
    title = f"{rng.choice(pools.PROVINCES)}医疗{visit}收费票据（电子）"
    rows: list = [((0, f"票据代码：{code}"), (0.36, f"票据号码：{number}"), (0.7, f"校验码：{check}")),
                  ((0, f"交款人：{patient}"), (0.36, f"交款人统一社会信用代码：{gen.id_number(rng)}")),
                  ((0, f"开票日期：{rng.choice((issued.isoformat(), cn0(issued)))}"),), RULE]
    header = ("项目名称", "数量", "单位", "金额（元）")
    offsets = (0, 0.2, 0.28, 0.36)
    rows.append(tuple((half + x, word) for half in (0, 0.5) for x, word in zip(offsets, header, strict=True)))
    names = list(items)
    for first in range(0, len(names), 2):
        row: tuple = ()
        for half, name in zip((0, 0.5), names[first:first + 2], strict=False):
            unit, value = items[name]
            row += tuple((half + x, text) for x, text in zip(offsets, (name, "1", unit, amount(value)),
                                                             strict=True))
        rows.append(row)
    rows += [RULE, ((0, f"金额合计（大写）{amount_to_capital(amount(total))}"),
                    (0.6, f"（小写）{amount(total)}")), ((0, "其他信息"),)]
    fund_label, account_label, self_paid_label, self_funded_label = rng.choice(_SPLITS)
    visit_day = issued - timedelta(days=rng.randint(0, 3) if visit == "门诊" else rng.randint(3, 12))
    pairs = [f"业务流水号：{serial}", f"{visit}号：{pools.digits(rng, 8)}",
             f"就诊日期：{visit_day:%Y%m%d}", f"医保类型：{scheme}", f"医保编号：{card}",
             f"{fund_label}：{amount(fund)}", f"其他支付：{amount(Decimal(0))}",
             f"{account_label}：{amount(account)}", f"个人现金支付：{amount(self_paid + self_funded)}",
             f"{self_paid_label}：{amount(self_paid)}", f"{self_funded_label}：{amount(self_funded)}"]
    # The block's pairs run on, two or three to a printed line, one space apart.
    at = 0
    while at < len(pairs):
        take = rng.choice((2, 3))
        rows.append(" ".join(pairs[at:at + take]))
        at += take
    payee = rng.choice(("收款单位(章)", "收款单位（章）", "开票单位（盖章）"))
    rows += [RULE, ((0, f"{payee}：{hospital}"), (0.5, f"复核人：{pools.person(rng)}"),
                    (0.75, f"收款人：{pools.person(rng)}"))]
    return from_layout("invoice", "fiscal", title, [rows], truth, f"电子票据-{number}.pdf",
                       size=rng.choice((9, 10)), font=rng.choice(("sans", "serif")))
