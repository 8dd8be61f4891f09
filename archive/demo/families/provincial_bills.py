"""Tuning families modelled on provincial paper medical fee bills the others do not cover.

`invoice_ward`: a provincial 医疗住院收费票据 (the 湖南省/江西省/河南省 paper bills of the
财综〔2018〕72号 era): the stay as one range (住院时间：2026年03月01日至2026年03月08日), 住院号, 姓名 and
性别 as label cells each followed by its value, 医保类型 and 社会保障号码, and the form's fee
categories pre-printed as a grid of label cells five to a row with the amounts in the cells
below (the categories with no fee left blank); 合计人民币（大写） with the figures after it, the
deposit and its balance (预交金额, 补缴金额/退还金额), the fund split as a grid of label cells
with the values below, 收款单位（盖章） and 收款人 at the foot.
`invoice_insurance`: a provincial 门诊收费票据 (the 广东省/山东省 2019 paper bills) whose
medical-insurance block is a 2×N table (医保类型, 医保统筹支付, 个人账户支付, 个人现金支付, 起付标准,
本次报销: the labels on one row, their values in the row below), with 交款人, 社会保障号码 and
医疗机构类型 (a class of hospital: 二级综合医院, which is no hospital's name) among the
key–value fields; the fee items under 项目名称/数量/金额（元）; the patient's own shares
(个人自付, 个人自费) on a line after the block on some.
`invoice_boxed`: a county's paper bill with each value in a boxed cell right of its label,
labels spaced to the box's width with ideographic spaces (`姓　　名`, `科　　室`), decorated
(`收款单位（章）`, `收款人（章）`), the 收费项目 box's heading printed vertically (a character a row
at the left of the item rows), amounts with ￥ and 大写 (合计金额（大写） … ￥123.45, the figures
after the capitals with （小写） before them on some forms and not on others).
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cells, cn, cn0, day, fund_split, money
from archive.ocr.normalize import amount_to_capital

# The categories provinces' inpatient paper bills pre-print, in their printed order.
_WARD_CATEGORIES = ("床位费", "诊察费", "检查费", "化验费", "治疗费", "手术费", "护理费", "卫生材料费",
                    "西药费", "中成药费", "中草药费", "放射费", "输血费", "输氧费", "其他费")
_OUTPATIENT_CLASSES = ("西药费", "中成药费", "中药饮片费", "检查费", "化验费", "治疗费", "诊察费",
                       "挂号费", "卫生材料费", "一般诊疗费")
_HOSPITAL_CLASSES = ("一级综合医院", "二级综合医院", "三级综合医院", "二级中医医院", "三级甲等综合医院",
                     "二级专科医院", "社区卫生服务中心", "乡镇卫生院")
_SPACE = "\u3000"  # the ideographic space forms spread a short label to its box with


def _truth(**fields) -> dict:
    items = fields.pop("items")
    return {**{name: amount(value) if isinstance(value, Decimal) else value
               for name, value in fields.items()},
            "line_items": [{"category": name, "amount": amount(value)} for name, value in items.items()]}


def _spaced(label: str, width: int = 4) -> str:
    """A two- or three-character label spread to a four-character box: 姓　　名, 科　别."""
    if len(label) >= width:
        return label
    gaps = len(label) - 1
    wide = (width - len(label)) // gaps if gaps else 0
    return (_SPACE * wide).join(label) if wide else label


def invoice_ward(rng: random.Random) -> GeneratedDocument:
    patient, hospital = pools.person(rng, minority=0.03), pools.hospital(rng)
    discharged = day(rng)
    admitted = discharged - timedelta(days=rng.randint(2, 25))
    issued = discharged + timedelta(days=rng.choice((0, 0, 1)))
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    card, scheme = pools.digits(rng, rng.choice((10, 12))), rng.choice(pools.INSURANCE_TYPES)
    printed = sorted(rng.sample(_WARD_CATEGORIES, 10), key=_WARD_CATEGORIES.index)
    charged = rng.sample(printed, rng.randint(3, 7))
    items = {name: money(rng, 1000, 300000) for name in printed if name in charged}
    total = sum(items.values(), Decimal(0))
    fund, account, self_paid, self_funded = fund_split(rng, total, ("0.5", "0.6", "0.75"), 40000, 15000)
    deposit = max(Decimal(0), (total - fund - account + money(rng, -30000, 30000)).quantize(Decimal("1")))
    balance = deposit - (total - fund - account)
    stay_words = rng.choice(("住院时间", "住院日期"))
    dated = rng.choice((cn0, cn, lambda on: on.isoformat()))
    rows: list = [((0, f"票据代码：{code}"), (0.6, f"票据号码：{number}")),
                  cells((0, 0.12, 0.33, 0.43, 0.66, 0.76),
                        ("住院号", pools.digits(rng, 8), "姓名", patient, "性别", rng.choice("男女"))),
                  ((0, f"{stay_words}：{dated(admitted)}至{dated(discharged)}"),
                   (0.66, f"共{(discharged - admitted).days}天")),
                  ((0, f"医保类型：{scheme}"), (0.5, f"社会保障号码：{card}")), RULE]
    for first in range(0, len(printed), 5):
        names = printed[first:first + 5]
        columns = tuple(0.2 * n for n in range(len(names)))
        rows += [cells(columns, names),
                 cells(columns, [amount(items[name]) if name in items else "" for name in names])]
    capital = amount_to_capital(amount(total))
    rows += [RULE, ((0, f"合计人民币（大写）：{capital}"), (0.66, f"￥{amount(total)}")),
             cells((0, 0.2, 0.5, 0.7), ("预交金额", amount(deposit),
                                        "退还金额" if balance >= 0 else "补缴金额", amount(abs(balance))))]
    split_labels = rng.choice((("统筹基金支付", "个人账户支付", "个人自付", "个人自费"),
                               ("医保统筹支付", "个人账户支付", "个人自付金额", "个人自费金额")))
    columns = (0, 0.25, 0.5, 0.75)
    rows += [cells(columns, split_labels),
             cells(columns, [amount(v) for v in (fund, account, self_paid, self_funded)]), RULE,
             cells((0, 0.18, 0.6, 0.7), ("收款单位（盖章）", hospital, "收款人", pools.person(rng))),
             cells((0.6, 0.72), ("开票日期", cn(issued)))]
    truth = _truth(invoice_code=code, invoice_number=number, issue_date=issued.isoformat(),
                   payer_name=patient, hospital=hospital, visit_type="inpatient", insurance_number=card,
                   insurance_type=scheme, admission_date=admitted.isoformat(),
                   discharge_date=discharged.isoformat(), total_amount=total, total_amount_capital=total,
                   fund_paid=fund, personal_account_paid=account, self_paid=self_paid,
                   self_funded=self_funded, items=items)
    title = f"{rng.choice(pools.PROVINCES)}医疗住院收费票据"
    return from_layout("invoice", "ward", title, [rows], truth, f"住院票据-{number}.pdf",
                       size=rng.choice((9, 10)), font=rng.choice(("sans", "serif")))


def invoice_insurance(rng: random.Random) -> GeneratedDocument:
    patient, hospital, issued = pools.person(rng, minority=0.03), pools.hospital(rng), day(rng)
    code, number = pools.digits(rng, 8), pools.digits(rng, rng.choice((8, 10)))
    card, scheme = pools.digits(rng, rng.choice((10, 12))), rng.choice(pools.INSURANCE_TYPES)
    items = {name: money(rng, 300, 90000) for name in rng.sample(_OUTPATIENT_CLASSES, rng.randint(2, 6))}
    total = sum(items.values(), Decimal(0))
    fund, account, self_paid, self_funded = fund_split(rng, total, ("0.5", "0.6", "0.75"), 40000, 15000)
    threshold = rng.choice((Decimal(0), Decimal(100), Decimal(200), Decimal(300)))
    rows: list = [((0, f"票据代码：{code}"), (0.6, f"票据号码：{number}")),
                  ((0, f"交款人：{patient}"), (0.35, f"社会保障号码：{card}"),
                   (0.78, f"性别：{rng.choice('男女')}")),
                  ((0, f"医疗机构类型：{rng.choice(_HOSPITAL_CLASSES)}"),
                   (0.35, f"门诊号：{pools.digits(rng, 9)}"),
                   (0.62, f"开票日期：{rng.choice((cn0(issued), issued.isoformat()))}")), RULE]
    columns = (0, 0.3, 0.45, 0.6)
    rows.append(cells(columns, ("项目名称", "数量", "单位", "金额（元）")))
    rows += [cells(columns, (name, "1", "项", amount(value))) for name, value in items.items()]
    header = ("医保类型", "医保统筹支付", "个人账户支付", "个人现金支付", "起付标准", "本次报销")
    values = (scheme, amount(fund), amount(account), amount(self_paid + self_funded), amount(threshold),
              amount(fund + account))
    columns = (0, 0.22, 0.38, 0.54, 0.7, 0.85)
    rows += [RULE, cells(columns, header), cells(columns, values), RULE]
    truth = _truth(invoice_code=code, invoice_number=number, issue_date=issued.isoformat(),
                   payer_name=patient, hospital=hospital, visit_type="outpatient", insurance_number=card,
                   insurance_type=scheme, total_amount=total, total_amount_capital=total, fund_paid=fund,
                   personal_account_paid=account, items=items)
    if rng.random() < 0.5:  # the patient's own shares on a line of their own
        rows.append(((0, f"个人自付：{amount(self_paid)}"), (0.35, f"个人自费：{amount(self_funded)}")))
        truth.update(self_paid=amount(self_paid), self_funded=amount(self_funded))
    rows += [((0, f"合计（大写）：{amount_to_capital(amount(total))}"), (0.62, f"（小写）：{amount(total)}")),
             ((0, f"收款单位（章）：{hospital}"), (0.62, f"收款人：{pools.person(rng)}"))]
    title = f"{rng.choice(pools.PROVINCES)}门诊收费票据"
    return from_layout("invoice", "insurance", title, [rows], truth, f"门诊票据-{number}.pdf",
                       size=rng.choice((9, 10)), font=rng.choice(("sans", "serif")))


def invoice_boxed(rng: random.Random) -> GeneratedDocument:
    patient, hospital, issued = pools.person(rng, minority=0.03), pools.hospital(rng), day(rng)
    visit = rng.choice(("门诊", "住院"))
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    card = pools.digits(rng, rng.choice((10, 12)))
    items = {name: money(rng, 500, 150000) for name in rng.sample(_OUTPATIENT_CLASSES, rng.randint(2, 6))}
    total = sum(items.values(), Decimal(0))
    fund, account, self_paid, self_funded = fund_split(rng, total, ("0.5", "0.6", "0.75"), 40000, 15000)
    value_at = (0, 0.13, 0.55, 0.68)  # label, value, label, value
    rows: list = [cells(value_at, ("票据代码", code, "票据号码", number)), RULE,
                  cells((0, 0.13, 0.3, 0.38, 0.55, 0.68),
                        (_spaced("姓名"), patient, _spaced("性别", 3), rng.choice("男女"), "医保编号", card)),
                  RULE, cells(value_at, (_spaced("科室"), rng.choice(pools.DEPARTMENTS), "开票日期",
                                         rng.choice((cn(issued), cn0(issued))))), RULE]
    heading = "收费项目"
    names = list(items)
    item_rows = [names[n:n + 2] for n in range(0, len(names), 2)]
    for n in range(max(len(item_rows), len(heading))):
        row: tuple = ((0, heading[n]),) if n < len(heading) else ()
        for half, name in enumerate(item_rows[n] if n < len(item_rows) else ()):
            row += ((0.08 + 0.46 * half, name), (0.3 + 0.46 * half, f"￥{amount(items[name])}"))
        rows.append(row)
    figures = rng.choice(("（小写）", "小写：", ""))
    rows += [RULE, ((0, "合计金额（大写）"), (0.2, amount_to_capital(amount(total))),
                    (0.66, f"{figures}￥{amount(total)}")), RULE,
             cells(value_at, ("统筹基金支付", f"￥{amount(fund)}", "个人账户支付", f"￥{amount(account)}")),
             cells(value_at, ("个人自付", f"￥{amount(self_paid)}", "个人自费", f"￥{amount(self_funded)}")),
             RULE,
             cells((0, 0.17, 0.6, 0.74), ("收款单位（章）", hospital, "收款人（章）", pools.person(rng)))]
    truth = _truth(invoice_code=code, invoice_number=number, issue_date=issued.isoformat(),
                   payer_name=patient, hospital=hospital,
                   visit_type="inpatient" if visit == "住院" else "outpatient", insurance_number=card,
                   total_amount=total, total_amount_capital=total, fund_paid=fund,
                   personal_account_paid=account, self_paid=self_paid, self_funded=self_funded, items=items)
    title = f"{rng.choice(pools.PROVINCES)}医疗{visit}收费票据"
    return from_layout("invoice", "boxed", title, [rows], truth, f"收费票据-{number}.pdf",
                       size=rng.choice((9, 10)), font=rng.choice(("sans", "serif", "bold")))
