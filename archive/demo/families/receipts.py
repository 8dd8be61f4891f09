"""Three more tuning families, in shapes no other family prints (the held-back ones are printed by
other templates).

`vat_receipt`: a chain pharmacy's or supermarket's POS print of its 增值税普通发票（卷票） or of the
电子发票 it issued for the sale (as 海信/思迅-style retail POS print a 销售小票 with the invoice's
data in it): the shop's name over the invoice block, a 单号/收银员/机号 line, 开票日期 or 开票时间
with the time of day, the goods numbered (`1.`, `01`) with the name on its line and `数量 × 单价`
with the amount beside it on the next, or the figures under a 品名 数量 单价 小计 header (小计:
the row's amount), on pharmacies' prints a 批号/有效期至 line and a 生产厂家 line under a row, a
件数 line, then 合计 / 应收 / 实收 / 找零 — what the customer handed over and got back is no sum
of the invoice — a 医保统筹/个人账户/现金 payment split on pharmacy prints, the tax inside the
prices as `税率 13%  税额 2.88` or 其中税额 on some, 合计金额（大写） on some.
`invoice_insured`: an outpatient 门诊收费票据 as another province's hospital system prints it for an
insured patient (the 广东省/上海市 门诊 bills, and 医保 settlement slips printed with them): 就诊人,
病人姓名, 缴款人 or 参保人姓名, 社保卡号 or 个人编号, 参保类别, 收费时间 or 结算时间 with the time,
the hospital as 就诊医院, 定点医疗机构 or 收费单位 or only in the title, the fee classes one to a
row or two to a row, 总金额, 医疗费总额 or 费用合计, the fund split in another order and wording
(医保统筹基金支付, 个人账户支付, 个人自付 and 个人自费, or 基金支付, 账户支付, 自付金额, 自费金额), as
key–value rows or as a grid of labels with their values in the row below, beside figures that
are no part of it (个人现金支付, 大病保险支付, 本年账户余额).
`vat_counter`: an 80 mm supermarket or pharmacy counter's print of the invoice for a sale, its
table's header words with their unit or in the shop's own wording (品名规格: the spec after the
name), the row number in the name's cell on some, the seller at the foot.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cells, cn0, day, money
from archive.ocr.normalize import amount_to_capital


def _clock(rng: random.Random) -> str:
    return f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def _when(rng: random.Random, on: date) -> str:
    return rng.choice((f"{on.isoformat()} {_clock(rng)}", f"{on:%Y/%m/%d} {_clock(rng)[:5]}",
                       f"{on:%Y.%m.%d}", cn0(on)))


def _till_truth(number: str, code: str | None, issued, seller: str, seller_id: str, goods: list,
                total: Decimal) -> dict:
    """What a till's print states: its number (and code), date, seller, total and goods rows."""
    truth: dict = {"invoice_number": number, "issue_date": issued.isoformat(), "seller_name": seller,
                   "seller_tax_id": seller_id, "total_amount": amount(total),
                   "items": [{"name": n, "quantity": q, "unit_price": p, "amount": v}
                             for n, _s, q, p, v in goods]}
    if code:
        truth["invoice_code"] = code
    return truth


def _receipt_goods(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    """(name, spec, quantity, unit price, amount) of 1 to 5 goods."""
    goods = []
    for name, spec, _unit in rng.sample(pools.VAT_GOODS, rng.randint(1, 5)):
        price, quantity = money(rng, 100, 20000), rng.randint(1, 6)
        name = name[name.rfind("*") + 1:]
        goods.append((name, spec, str(quantity), amount(price), amount(price * quantity)))
    return goods


def _details(rng: random.Random) -> list:
    """A pharmacy's lines under a goods row: its batch and expiry, on some its maker."""
    expiry = f"{rng.randint(2027, 2029)}-{rng.randint(1, 12):02d}"
    lines: list = [((0, f"批号：{pools.digits(rng, rng.choice((6, 8)))}"),
                    (0.22, f"{rng.choice(('有效期至', '有效期'))}：{expiry}"))]
    if rng.random() < 0.5:
        maker = rng.choice(("华润", "康恩", "仁和", "济川"))
        lines.append(f"生产厂家：{pools.place(rng)}{maker}制药有限公司")
    return lines


def vat_receipt(rng: random.Random) -> GeneratedDocument:
    digital = rng.random() < 0.4
    code, number = ("", pools.digits(rng, 20)) if digital else (pools.digits(rng, 12),
                                                                f"{rng.randrange(10**8):08d}")
    issued, check = day(rng), pools.digits(rng, 20)
    seller, seller_id = pools.company(rng), pools.tax_id(rng)
    goods = _receipt_goods(rng)
    total = sum((Decimal(g[4]) for g in goods), Decimal(0))
    truth = _till_truth(number, code, issued, seller, seller_id, goods, total)
    rows: list = [((0.1, seller[:-4] if seller.endswith("有限公司") else seller),),
                  f"单号：XS{issued:%Y%m%d}{pools.digits(rng, 4)}",
                  ((0, f"收银员：{pools.person(rng)}"), (0.26, f"机号：{rng.randint(1, 12):02d}"))]
    head = [f"发票号码：{number}", *([f"发票代码：{code}"] if code else [])]
    rng.shuffle(head)
    rows += head
    rows.append(f"{rng.choice(('开票日期', '开票时间'))}：{_when(rng, issued)}")
    seller_label, id_label = rng.choice((("销售方名称", "纳税人识别号"), ("销售方", "税号"),
                                         ("销售方名称", "统一社会信用代码"), ("销方名称", "销方税号")))
    rows += [f"{seller_label}：{seller}", f"{id_label}：{seller_id}"]
    if rng.random() < 0.4:
        rows.append("购买方名称：个人")
        truth["buyer_name"] = "个人"
    rows.append(RULE)
    style = rng.random()
    numbered, detailed = rng.random() < 0.6, rng.random() < 0.35
    if style < 0.5:  # name on its line, then 数量 × 单价 with the amount beside it
        rows.append(((0, "品名"), (0.2, "数量×单价"), (0.36, rng.choice(("金额", "小计")))))
        for n, (name, _spec, quantity, price, value) in enumerate(goods, 1):
            mark = rng.choice((f"{n}.", f"{n:02d}")) if numbered else ""
            rows.append(f"{mark}{name}" if mark.endswith(".") else f"{mark} {name}".strip())
            rows.append(((0.2, f"{quantity} × {price}"), (0.36, value)))
            rows += _details(rng) if detailed else []
    else:  # the figures under a 品名 数量 单价 小计 header, the name (and spec) above them
        rows.append(((0, rng.choice(("品名", "商品名称"))), (0.18, "数量"), (0.26, "单价"),
                     (0.36, rng.choice(("小计", "金额")))))
        for n, (name, _spec, quantity, price, value) in enumerate(goods, 1):
            mark = f"{n:02d} " if numbered else ""
            rows.append(f"{mark}{name}")
            rows.append(((0.18, quantity), (0.26, price), (0.36, value)))
            rows += _details(rng) if detailed else []
    rows.append(RULE)
    count = sum(int(g[2]) for g in goods)
    rows.append(((0, f"件数：{count}"), (0.24, f"{rng.choice(('合计', '总计'))}：{amount(total)}")))
    if rng.random() < 0.5:
        rows.append(f"{rng.choice(('应收', '应付', '应收金额'))}：{amount(total)}")
    paid = rng.random()
    if paid < 0.35:  # a pharmacy's sale to an insured patient: the fund and the account pay part
        fund = (total * Decimal(rng.choice(("0.5", "0.7")))).quantize(Decimal("0.01"))
        account = min(total - fund, money(rng, 0, 5000))
        rows += [((0, f"医保统筹：{amount(fund)}"), (0.24, f"个人账户：{amount(account)}")),
                 f"现金：{amount(total - fund - account)}"]
    else:
        handed = (total / 10).to_integral_value(ROUND_HALF_UP) * 10 + rng.choice((0, 10, 50))
        handed = max(handed, total)
        rows += [((0, f"实收：{amount(handed)}"), (0.24, f"找零：{amount(handed - total)}"))]
    if rng.random() < 0.4:  # the tax inside the prices
        rate = Decimal(rng.choice(("13", "9", "3")))
        tax = (total * rate / (100 + rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(rng.choice((((0, f"税率：{rate}%"), (0.24, f"税额：{amount(tax)}")),
                                f"其中税额：{amount(tax)}")))
        truth["tax"] = amount(tax)
    if rng.random() < 0.5:
        rows.append(f"合计金额（大写）：{amount_to_capital(amount(total))}")
        truth["total_amount_capital"] = amount(total)
    if not digital:
        rows.append(f"校验码：{check}")
        truth["check_code"] = check
    rows += ["请妥善保管小票，凭小票退换", "谢谢惠顾，欢迎再次光临"]
    title = "电子发票（普通发票）" if digital else "增值税普通发票（卷票）"
    return from_layout("vat_invoice", "receipt", title, [rows], truth, f"销售小票-{number}.pdf",
                       size=rng.choice((8, 9)), font=rng.choice(("sans", "serif")))


# The outpatient classes the provinces' bills print (the national 医疗服务项目 classes).
_CLASSES = ("西药费", "中成药费", "中药饮片费", "检查费", "化验费", "治疗费", "卫生材料费", "诊察费",
            "一般诊疗费", "挂号费", "手术费", "放射费")


def _split(rng: random.Random, total: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    fund = (total * Decimal(rng.choice(("0.45", "0.55", "0.65")))).quantize(Decimal("0.01"))
    account = min(total - fund, money(rng, 0, 30000))
    self_funded = min(total - fund - account, money(rng, 0, 15000))
    return fund, account, total - fund - account - self_funded, self_funded


_SPLIT_WORDINGS = (("医保统筹基金支付", "个人账户支付", "个人自付", "个人自费"),
                   ("统筹基金支付", "个人账户支付", "个人自付", "个人自费"),
                   ("基金支付", "账户支付", "自付金额", "自费金额"),
                   ("医保统筹支付", "个人账户支出", "个人自付金额", "个人自费金额"))


def invoice_insured(rng: random.Random) -> GeneratedDocument:
    patient, hospital, issued = pools.person(rng, minority=0.03), pools.hospital(rng), day(rng)
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    card, scheme = pools.digits(rng, rng.choice((10, 12))), rng.choice(pools.INSURANCE_TYPES)
    items = {name: money(rng, 300, 120000) for name in rng.sample(_CLASSES, rng.randint(2, 6))}
    total = sum(items.values(), Decimal(0))
    fund, account, self_paid, self_funded = _split(rng, total)
    truth = {"invoice_code": code, "invoice_number": number, "issue_date": issued.isoformat(),
             "payer_name": patient, "visit_type": "outpatient", "insurance_number": card,
             "insurance_type": scheme, "total_amount": amount(total),
             "fund_paid": amount(fund), "personal_account_paid": amount(account),
             "self_paid": amount(self_paid), "self_funded": amount(self_funded),
             "line_items": [{"category": name, "amount": amount(value)} for name, value in items.items()]}
    person_label = rng.choice(("就诊人", "病人姓名", "患者姓名", "姓名", "缴款人", "参保人姓名"))
    card_label = rng.choice(("社保卡号", "个人编号", "医保卡号", "社会保障卡号"))
    scheme_label = rng.choice(("参保类别", "险种类型", "医保类型"))
    date_label = rng.choice(("收费时间", "收费日期", "开票时间", "结算时间"))
    rows: list = [((0, f"票据代码：{code}"), (0.5, f"票据号码：{number}")),
                  ((0, f"{person_label}：{patient}"), (0.3, f"性别：{rng.choice('男女')}"),
                   (0.5, f"门诊号：{pools.digits(rng, 9)}")),
                  ((0, f"{card_label}：{card}"), (0.5, f"{scheme_label}：{scheme}")),
                  ((0, f"就诊科室：{rng.choice(pools.DEPARTMENTS)}"),
                   (0.5, f"{date_label}：{_when(rng, issued)}")),
                  RULE]
    where = rng.random()
    title = f"{rng.choice(pools.PROVINCES)}门诊收费票据"
    if where < 0.35:
        where_label = rng.choice(("就诊医院", "定点医疗机构", "医疗机构", "收费单位"))
        rows.insert(2, ((0, f"{where_label}：{hospital}"),))
        truth["hospital"] = hospital
    elif where < 0.55:  # the hospital's own print: its name heads the bill
        title = f"{hospital}门诊收费票据"
        truth["hospital"] = hospital
    if rng.random() < 0.5:  # one class a row
        rows.append(((0, "收费项目"), (0.45, "金额（元）")))
        rows += [((0, name), (0.45, amount(value))) for name, value in items.items()]
    else:
        names = list(items)
        rows.append(((0, "项目"), (0.22, "金额"), (0.5, "项目"), (0.72, "金额")))
        rows += [tuple((0.5 * n + offset, text) for n, name in enumerate(names[m:m + 2])
                       for offset, text in ((0, name), (0.22, amount(items[name]))))
                 for m in range(0, len(names), 2)]
    rows.append(RULE)
    total_label = rng.choice(("总金额", "医疗费总额", "费用总额", "合计金额", "费用合计"))
    if rng.random() < 0.5:
        rows.append(((0, f"{total_label}：{amount(total)}"),
                     (0.45, f"大写：{amount_to_capital(amount(total))}")))
        truth["total_amount_capital"] = amount(total)
    else:
        rows.append(((0, f"{total_label}：{amount(total)}"),))
    wording = rng.choice(_SPLIT_WORDINGS)
    values = (fund, account, self_paid, self_funded)
    order = list(range(4))
    rng.shuffle(order)
    cash = self_paid + self_funded
    extras = [("个人现金支付", cash), ("大病保险支付", Decimal(0)), ("本年账户余额", money(rng, 0, 300000))]
    grid = rng.random() < 0.5
    shown = [(wording[n], values[n]) for n in order] + rng.sample(extras, 1 if grid else rng.randint(1, 2))
    if grid:  # the labels on one row, their values in the row below, a fifth of the width each
        columns = tuple(round(0.2 * n, 2) for n in range(len(shown)))
        rows += [cells(columns, [label for label, _ in shown]), cells(columns, [amount(v) for _, v in shown])]
    else:
        rows += [tuple((0.33 * n, f"{label}：{amount(value)}") for n, (label, value) in enumerate(pair))
                 for pair in (shown[m:m + 3] for m in range(0, len(shown), 3))]
    rows += [RULE, ((0, f"收款员：{pools.person(rng)}"),
                    (0.5, f"打印时间：{issued.isoformat()} {_clock(rng)}"))]
    return from_layout("invoice", "insured", title, [rows], truth, f"门诊票据-{number}.pdf",
                       size=rng.choice((9, 10)), font=rng.choice(("sans", "serif")))


_COUNTER_NAMES = ("商品", "货品名称", "药品名称", "品名", "名称")
_COUNTER_PRICES = ("单价（元）", "单价(元)", "售价", "单价")
_COUNTER_AMOUNTS = ("金额（元）", "金额(元)", "小计", "金额")


def vat_counter(rng: random.Random) -> GeneratedDocument:
    """An 80 mm supermarket or pharmacy counter's print of the invoice for a sale: the table's
    header words with their unit (单价（元）, 金额（元）) or the shop's own (商品, 货品名称, 售价), each
    good on one row (name, quantity with its unit, price, amount) or under its bar code; amounts
    with ¥ on some; the seller and its 税号 at the foot, under the sums."""
    digital = rng.random() < 0.5
    code, number = ("", pools.digits(rng, 20)) if digital else (pools.digits(rng, 10),
                                                                f"{rng.randrange(10**8):08d}")
    issued = day(rng)
    seller, seller_id = pools.company(rng), pools.tax_id(rng)
    units = {name[name.rfind("*") + 1:]: unit for name, _spec, unit in pools.VAT_GOODS}
    goods = _receipt_goods(rng)
    total = sum((Decimal(g[4]) for g in goods), Decimal(0))
    truth = _till_truth(number, code, issued, seller, seller_id, goods, total)
    rows: list = [*([f"发票代码：{code}"] if code else []), f"发票号码：{number}",
                  f"开票日期：{rng.choice((cn0(issued), issued.isoformat()))} {_clock(rng)[:5]}",
                  f"流水号：{pools.digits(rng, 14)}", RULE]
    with_spec = rng.random() < 0.3  # 品名规格: the spec after the name in its cell
    columns = (0, 0.4, 0.48, 0.58) if with_spec else (0, 0.2, 0.28, 0.38)
    rows.append(cells(columns, ("品名规格" if with_spec else rng.choice(_COUNTER_NAMES), "数量",
                                rng.choice(_COUNTER_PRICES), rng.choice(_COUNTER_AMOUNTS))))
    coded, yuan, with_unit = rng.random() < 0.4, rng.random() < 0.4, rng.random() < 0.5
    detailed, numbered = rng.random() < 0.3, rng.random() < 0.3
    rows_truth = zip(goods, truth["items"], strict=True)
    for n, ((name, spec, quantity, price, value), item) in enumerate(rows_truth, 1):
        if with_spec:
            item["spec"] = spec
        if coded:
            rows.append(f"{rng.choice(('69', '68'))}{pools.digits(rng, 11)}")
        shown = f"{quantity}{units[name]}" if with_unit else quantity
        mark = "¥" if yuan else ""
        named = f"{n} {name}" if numbered else name  # the row number in the name's cell
        rows.append(cells(columns, (f"{named} {spec}" if with_spec else named, shown, f"{mark}{price}",
                                    f"{mark}{value}")))
        rows += _details(rng) if detailed else []
    rows.append(RULE)
    count = len(goods)
    rows += [((0, f"品种数：{count}"), (0.24, f"合计：{'¥' if yuan else ''}{amount(total)}"))]
    if rng.random() < 0.5:
        rows.append(f"价税合计（大写）：{amount_to_capital(amount(total))}")
        truth["total_amount_capital"] = amount(total)
    handed = max(total, (total / 10).to_integral_value(ROUND_HALF_UP) * 10 + 10)
    rows += [((0, f"现金：{amount(handed)}"), (0.24, f"找零：{amount(handed - total)}")), RULE,
             f"销售方：{seller}", f"税号：{seller_id}", f"收银员：{pools.person(rng)}"]
    title = "电子发票（普通发票）" if digital else f"{rng.choice(pools.PROVINCES)[:-1]}增值税普通发票（卷票）"
    return from_layout("vat_invoice", "counter", title, [rows], truth, f"收银小票-{number}.pdf",
                       size=rng.choice((8, 9)), font=rng.choice(("sans", "serif")))
