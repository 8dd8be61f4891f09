"""Medical fee bills (医疗收费票据) as the templates in use print them.

Modelled on the Ministry of Finance's unified medical fee bill (财综〔2018〕72号) in its electronic
(财政电子票据) and paper forms, provincial paper bills and hospital systems' receipts. Families vary
the label wordings (交款人/患者姓名/姓名, 收款单位(章)/医疗机构, 合计(大写)/合计金额大写), spaced
labels, full- and half-width brackets and colons, key–value rows against grids.
"""

from __future__ import annotations

import random
from decimal import Decimal

from archive.demo import documents as gen
from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import CATEGORIES, OTHER_CATEGORIES, cells, cn0
from archive.demo.families.common import amount as _amount
from archive.demo.families.common import cn as _cn
from archive.demo.families.common import day as _day
from archive.ocr.normalize import amount_to_capital


class _Bill:
    """What an invoice of any family states."""

    def __init__(self, rng: random.Random, *, count: int = 3, other: float = 0.0):
        self.patient = pools.person(rng, minority=0.03)
        self.hospital = pools.hospital(rng)
        self.visit = rng.choice(("住院", "门诊"))
        self.issued = _day(rng)
        names = list(rng.sample(CATEGORIES, count))
        if rng.random() < other:
            names[-1] = rng.choice(OTHER_CATEGORIES)
        self.items = {name: Decimal(rng.randrange(1000, 200000)) / 100 for name in names}
        self.total = sum(self.items.values(), Decimal(0))
        self.fund = (self.total * Decimal(rng.choice(("0.5", "0.6", "0.7")))).quantize(Decimal("0.01"))
        self.account = min(self.total - self.fund, Decimal(rng.randrange(0, 50000)) / 100)
        self.self_funded = min(self.total - self.fund - self.account, Decimal(rng.randrange(0, 20000)) / 100)
        self.self_paid = self.total - self.fund - self.account - self.self_funded
        self.insurance = pools.digits(rng, rng.choice((10, 12)))
        self.insurance_type = rng.choice(pools.INSURANCE_TYPES)

    def truth(self, **extra) -> dict:
        return {"issue_date": self.issued.isoformat(), "payer_name": self.patient, "hospital": self.hospital,
                "visit_type": "inpatient" if self.visit == "住院" else "outpatient",
                "total_amount": _amount(self.total), "total_amount_capital": _amount(self.total),
                "fund_paid": _amount(self.fund), "personal_account_paid": _amount(self.account),
                "self_paid": _amount(self.self_paid), "self_funded": _amount(self.self_funded),
                "line_items": [{"category": c, "amount": _amount(a)} for c, a in self.items.items()],
                **extra}

    @property
    def capital(self) -> str:
        return amount_to_capital(_amount(self.total))


def invoice_ebill(rng: random.Random) -> GeneratedDocument:
    """财政电子票据 (财综〔2018〕72号): identifiers top right, items two to a row, the other
    information (业务流水号, 医保类型, fund split) in a block, the payee's stamp line last."""
    bill = _Bill(rng, count=rng.choice((2, 4)))
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    check = "".join(rng.choice("0123456789abcdef") for _ in range(5)) + str(rng.randrange(10))
    serial = pools.digits(rng, 16)
    title = rng.choice((f"{rng.choice(pools.PROVINCES)}医疗{bill.visit}收费票据（电子）",
                        f"{rng.choice(pools.PROVINCES)}医疗{bill.visit}收费电子票据"))
    pairs = list(bill.items.items())
    rows = [((0, f"交款人统一社会信用代码：{gen.id_number(rng)}"), (0.62, f"票据代码：{code}")),
            ((0, f"交款人：{bill.patient}"), (0.62, f"票据号码：{number}")),
            ((0.62, f"校验码：{check}"),),
            ((0.62, f"开票日期：{bill.issued.isoformat()}"),), RULE,
            ((0, "项目名称"), (0.24, "金额（元）"), (0.5, "项目名称"), (0.74, "金额（元）"))]
    for first in range(0, len(pairs), 2):
        row = ()
        for offset, (name, amount) in enumerate(pairs[first:first + 2]):
            row += ((0.5 * offset, name), (0.5 * offset + 0.24, f"{amount:.2f}"))
        rows.append(row)
    rows += [RULE, ((0, f"金额合计（大写）：{bill.capital}"), (0.66, f"（小写）：{bill.total:.2f}")),
             ((0, f"业务流水号：{serial}"), (0.5, f"{bill.visit}号：{pools.digits(rng, 7)}")),
             ((0, f"医保类型：{bill.insurance_type}"), (0.5, f"医保编号：{bill.insurance}")),
             ((0, f"医保统筹基金支付：{bill.fund:.2f}"), (0.5, "其他支付：0.00")),
             ((0, f"个人账户支付：{bill.account:.2f}"),
              (0.5, f"个人现金支付：{bill.self_paid + bill.self_funded:.2f}")),
             ((0, f"个人自付：{bill.self_paid:.2f}"), (0.5, f"个人自费：{bill.self_funded:.2f}")), RULE,
             ((0, f"收款单位（章）：{bill.hospital}"), (0.7, f"收款人：{pools.person(rng)}"))]
    truth = bill.truth(invoice_code=code, invoice_number=number, check_code=check, serial_number=serial,
                       insurance_number=bill.insurance, insurance_type=bill.insurance_type)
    return from_layout("invoice", "ebill", title, [rows], truth, f"电子票据-{bill.patient}.pdf")


def invoice_provincial(rng: random.Random) -> GeneratedDocument:
    """A provincial paper bill: half-width colons and brackets, a spaced 姓  名, three fee
    categories to a row, the fund split on one row, 收款单位(章)."""
    bill = _Bill(rng, count=rng.choice((3, 4, 6)))
    code, number = pools.digits(rng, rng.choice((8, 10, 12))), pools.digits(rng, rng.choice((8, 10)))
    title = f"{rng.choice(pools.PROVINCES)}医疗{bill.visit}收费票据"
    pairs = list(bill.items.items())
    rows = [((0, f"票据代码:{code}"), (0.6, f"票据号码:{number}")),
            ((0, f"姓  名:{bill.patient}"), (0.34, f"性别:{rng.choice('男女')}"),
             (0.6, f"医保编号:{bill.insurance}")),
            ((0, f"{bill.visit}号:{pools.digits(rng, 6)}"), (0.34, f"科别:{rng.choice(pools.DEPARTMENTS)}")),
            RULE]
    for first in range(0, len(pairs), 3):
        row = ()
        for offset, (name, amount) in enumerate(pairs[first:first + 3]):
            row += ((0.34 * offset, name), (0.34 * offset + 0.16, f"{amount:,.2f}"))
        rows.append(row)
    rows += [RULE, ((0, f"合计(大写):{bill.capital}"), (0.66, f"小写:￥{bill.total:,.2f}")),
             ((0, f"统筹支付:{bill.fund:.2f}"), (0.25, f"个人账户支付:{bill.account:.2f}"),
              (0.52, f"个人自付:{bill.self_paid:.2f}"), (0.76, f"个人自费:{bill.self_funded:.2f}")),
             ((0, f"收款单位(章):{bill.hospital}"), (0.66, f"收款人:{pools.person(rng)}")),
             ((0.5, f"收费日期:{_cn(bill.issued)}"),)]
    truth = bill.truth(invoice_code=code, invoice_number=number, insurance_number=bill.insurance)
    return from_layout("invoice", "provincial", title, [rows], truth, f"收费票据-{bill.patient}.pdf",
                       font="serif")


def invoice_grid(rng: random.Random) -> GeneratedDocument:
    """A ruled grid: a row of labels with the values in the cells below them, no colons."""
    bill = _Bill(rng)
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    title = f"{bill.visit}收费票据"
    rows = [((0, "票据代码"), (0.25, "票据号码"), (0.5, "开票日期"), (0.75, "医保类型")),
            ((0, code), (0.25, number), (0.5, bill.issued.isoformat()), (0.75, bill.insurance_type)), RULE,
            ((0, "交款人"), (0.25, "医保编号"), (0.5, "医疗机构")),
            ((0, bill.patient), (0.25, bill.insurance), (0.5, bill.hospital)), RULE,
            ((0, "项目"), (0.4, "金额"))]
    rows += [((0, name), (0.4, f"{amount:.2f}")) for name, amount in bill.items.items()]
    rows += [RULE, ((0, "合计（大写）"), (0.4, bill.capital)),
             ((0, "合计（小写）"), (0.4, f"{bill.total:.2f}")),
             ((0, "统筹基金支付"), (0.25, "个人账户支付"), (0.5, "个人自付"), (0.75, "个人自费")),
             ((0, f"{bill.fund:.2f}"), (0.25, f"{bill.account:.2f}"), (0.5, f"{bill.self_paid:.2f}"),
              (0.75, f"{bill.self_funded:.2f}")), RULE,
             ((0, f"开票人：{pools.person(rng)}"),)]
    truth = bill.truth(invoice_code=code, invoice_number=number, insurance_number=bill.insurance,
                       insurance_type=bill.insurance_type)
    return from_layout("invoice", "grid", title, [rows], truth, f"收费票据-{bill.patient}.pdf")


def invoice_his(rng: random.Random) -> GeneratedDocument:
    """A receipt printed by a hospital information system: its own wordings (患者姓名, 医疗机构
    名称, 结算日期, 合计金额大写), a 12-digit code, slashed dates, categories with colons."""
    bill = _Bill(rng, other=0.3)
    code, number = pools.digits(rng, 12), pools.digits(rng, 10)
    title = f"医疗{bill.visit}收费票据"
    rows = [((0, f"发票代码：{code}"), (0.5, f"发票号码：{number}")),
            ((0, f"患者姓名：{bill.patient}"), (0.5, f"结算日期：{bill.issued:%Y/%m/%d}")),
            ((0, f"医疗机构名称：{bill.hospital}"),),
            ((0, f"参保类型：{bill.insurance_type}"), (0.5, f"社会保障卡号：{bill.insurance}")), RULE]
    rows += [f"{name}：{amount:.2f}" for name, amount in bill.items.items()]
    rows += [RULE, f"合计金额大写：{bill.capital}", f"合计金额小写：{bill.total:.2f}",
             ((0, f"基金支付：{bill.fund:.2f}"), (0.5, f"个人账户支付：{bill.account:.2f}")),
             ((0, f"个人自付：{bill.self_paid:.2f}"), (0.5, f"个人自费：{bill.self_funded:.2f}")),
             ((0, f"收费员：{pools.person(rng)}"),
              (0.5, f"打印时间：{bill.issued.isoformat()} 10:{rng.randrange(10, 60)}"))]
    truth = bill.truth(invoice_code=code, invoice_number=number, insurance_number=bill.insurance,
                       insurance_type=bill.insurance_type)
    return from_layout("invoice", "his", title, [rows], truth, f"收费票据-{bill.patient}.pdf")


def invoice_paper72(rng: random.Random) -> GeneratedDocument:
    """The unified paper bill of 财综〔2018〕72号 as a provincial finance department prints it: the
    监制 line, 票据代码/票据号码 on the first row, the items as a table with 数量 and 备注 columns
    (a quantity between the name and its amount), 金额合计 in words and figures, the other
    information (医保统筹基金支付, 个人现金支付…) in one block, 收款单位（章）/复核人/收款人 last."""
    bill = _Bill(rng, count=rng.choice((3, 4, 5)))
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    province = rng.choice(pools.PROVINCES)
    title = f"{province}医疗{bill.visit}收费票据"
    columns = (0, 0.3, 0.42, 0.62)
    rows = [((0.3, f"{province}财政厅监制"),),
            ((0, f"票据代码：{code}"), (0.62, f"票据号码：{number}")),
            ((0, f"交款人统一社会信用代码：{gen.id_number(rng)}"),),
            ((0, f"交款人：{bill.patient}"), (0.62, f"开票日期：{bill.issued.isoformat()}")), RULE,
            cells(columns, ("项目名称", "数量", "金额（元）", "备注"))]
    rows += [cells(columns, (name, "1", f"{value:.2f}", "")) for name, value in bill.items.items()]
    rows += [RULE, ((0, f"金额合计（大写）{bill.capital}"), (0.62, f"（小写）{bill.total:.2f}")),
             ((0, f"其他信息：{bill.visit}号：{pools.digits(rng, 8)}"),),
             ((0, f"医保统筹基金支付：{bill.fund:.2f}"), (0.5, f"个人账户支付：{bill.account:.2f}")),
             ((0, f"个人现金支付：{bill.self_paid + bill.self_funded:.2f}"),
              (0.5, f"个人自付：{bill.self_paid:.2f}")),
             ((0, f"个人自费：{bill.self_funded:.2f}"),), RULE,
             ((0, f"收款单位（章）：{bill.hospital}"), (0.5, f"复核人：{pools.person(rng)}"),
              (0.76, f"收款人：{pools.person(rng)}"))]
    truth = bill.truth(invoice_code=code, invoice_number=number)
    return from_layout("invoice", "paper72", title, [rows], truth, f"收费票据-{bill.patient}.pdf",
                       font="serif")


def invoice_outpatient(rng: random.Random) -> GeneratedDocument:
    """An outpatient e-bill as a county hospital's self-service terminal prints it on A5: the
    label in a cell left of its value (no colons), 就诊日期 and 患者 wordings, the fund split
    under 医保结算信息 with 统筹基金/个账支付/自付/自费, the stamp's 收款单位 last."""
    bill = _Bill(rng, count=rng.choice((2, 3)), other=0.2)
    bill.visit = "门诊"
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    check = pools.digits(rng, 6)
    title = f"{rng.choice(pools.PROVINCES)}医疗门诊收费票据（电子）"
    left, right = (0, 0.2), (0.5, 0.7)
    pair = (*left, *right)
    rows = [cells((*left, *right), ("票据代码", code, "票据号码", number)),
            cells((*left, *right), ("校验码", check, "开票日期", cn0(bill.issued))),
            cells((*left, *right), ("患者", bill.patient, "医保类型", bill.insurance_type)), RULE,
            cells((0, 0.5), ("收费项目", "金额"))]
    rows += [cells((0, 0.5), (name, f"{value:.2f}")) for name, value in bill.items.items()]
    rows += [RULE, cells((0, 0.3), ("合计（大写）", bill.capital)),
             cells((0, 0.3), ("合计（小写）", f"{bill.total:.2f}")), "医保结算信息",
             cells(pair, ("统筹基金支付", f"{bill.fund:.2f}", "个人账户支付", f"{bill.account:.2f}")),
             cells(pair, ("个人自付", f"{bill.self_paid:.2f}", "个人自费", f"{bill.self_funded:.2f}")),
             RULE, cells((0, 0.2), ("收款单位", bill.hospital))]
    truth = bill.truth(invoice_code=code, invoice_number=number, check_code=check,
                       insurance_type=bill.insurance_type)
    truth["visit_type"] = "outpatient"
    return from_layout("invoice", "outpatient", title, [rows], truth, f"门诊票据-{bill.patient}.pdf",
                       font="bold")
