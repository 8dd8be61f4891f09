"""A tuning family modelled on prints no other family covers: the 门诊收费票据 / 门诊电子票据 as
hospitals' own HIS print it at the outpatient cashier.

`invoice_cashier`: the patient as the cashier's screen names it (缴费人, 就诊者, 患者名称, 病人名称,
交款人, 姓名) beside 性别, 年龄 and 门诊号; labels printed without their colon, the value a
space after the label on the same line, or in the row under a row of labels; 业务流水号, 门诊号,
就诊日期 printed apart from 开票日期; the fee table 项目名称/金额 two or three copies wide; a 医保信息
block of the fund split as label–value pairs with no colon; the payee as 收款单位 at the foot.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cells, cn0, day, fund_split, money
from archive.demo.families.receipts import _clock
from archive.ocr.normalize import amount_to_capital

_PATIENT_LABELS = ("缴费人", "就诊者", "患者名称", "病人名称", "交款人", "姓名", "病人姓名")
_CLASSES = ("西药费", "中成药费", "中草药费", "检查费", "化验费", "治疗费", "卫生材料费", "诊察费",
            "一般诊疗费", "挂号费", "放射费", "手术费")
_SPLITS = (("统筹基金支付", "个人账户支付", "个人自付", "个人自费"),
           ("医保统筹支付", "个人帐户支付", "个人自负", "个人自费"),
           ("基金支付", "账户支付", "自付金额", "自费金额"))


def _pairs(rng: random.Random, pairs: list[tuple[str, str]], colon: bool) -> list:
    """Label–value pairs two to a row: `label：value` or `label value` (no colon, one space)."""
    rows: list = []
    for at in range(0, len(pairs), 2):
        rows.append(tuple((0.5 * n, f"{label}{'：' if colon else ' '}{value}")
                          for n, (label, value) in enumerate(pairs[at:at + 2])))
    return rows


def invoice_cashier(rng: random.Random) -> GeneratedDocument:
    patient, hospital, issued = pools.person(rng, minority=0.03), pools.hospital(rng), day(rng)
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    check = "".join(rng.choice("0123456789abcdef") for _ in range(6))
    serial, outpatient_no = pools.digits(rng, rng.choice((12, 16))), pools.digits(rng, rng.choice((8, 10)))
    card, scheme = pools.digits(rng, 12), rng.choice(pools.INSURANCE_TYPES)
    items = {name: money(rng, 300, 60000) for name in rng.sample(_CLASSES, rng.randint(2, 7))}
    total = sum(items.values(), Decimal(0))
    fund, account, self_paid, self_funded = fund_split(rng, total, ("0.5", "0.6", "0.7"), 20000, 6000)
    visited = issued - timedelta(days=rng.choice((0, 0, 1, 2)))
    truth = {"invoice_code": code, "invoice_number": number, "check_code": check,
             "issue_date": issued.isoformat(), "payer_name": patient, "hospital": hospital,
             "visit_type": "outpatient", "total_amount": amount(total), "total_amount_capital": amount(total),
             "serial_number": serial, "insurance_number": card, "insurance_type": scheme,
             "fund_paid": amount(fund), "personal_account_paid": amount(account),
             "self_paid": amount(self_paid), "self_funded": amount(self_funded),
             "line_items": [{"category": name, "amount": amount(value)} for name, value in items.items()]}
    colon = rng.random() < 0.4
    sep = "：" if colon else " "
    patient_label = rng.choice(_PATIENT_LABELS)
    rows: list = [((0, f"票据代码{sep}{code}"), (0.36, f"票据号码{sep}{number}"),
                   (0.7, f"校验码{sep}{check}"))]
    style = rng.random()
    if style < 0.45:  # a row of labels, their values in the row under it
        columns = (0, 0.22, 0.34, 0.46, 0.7)
        rows += [cells(columns, (patient_label, "性别", "年龄", "门诊号", "就诊日期")),
                 cells(columns, (patient, rng.choice("男女"), f"{rng.randint(1, 90)}岁", outpatient_no,
                                 visited.isoformat()))]
    else:  # label and value on one line, a colon or one space between them
        rows += [((0, f"{patient_label}{sep}{patient}"), (0.3, f"性别{sep}{rng.choice('男女')}"),
                  (0.5, f"门诊号{sep}{outpatient_no}")),
                 ((0, f"就诊日期{sep}{visited:%Y%m%d}"), (0.5, f"科室{sep}{rng.choice(pools.DEPARTMENTS)}"))]
    rows += [((0, f"业务流水号{sep}{serial}"),
              (0.5, f"开票日期{sep}{rng.choice((issued.isoformat(), cn0(issued)))}")), RULE]
    wide = rng.choice((2, 3))
    step = 1 / wide
    rows.append(tuple((step * n + x, word) for n in range(wide)
                      for x, word in ((0, "项目名称"), (step * 0.55, "金额（元）"))))
    names = list(items)
    for first in range(0, len(names), wide):
        rows.append(tuple((step * n + x, text) for n, name in enumerate(names[first:first + wide])
                          for x, text in ((0, name), (step * 0.55, amount(items[name])))))
    rows += [RULE, ((0, f"合计（大写）{sep}{amount_to_capital(amount(total))}"),
                    (0.6, f"（小写）{sep}{amount(total)}"))]
    fund_label, account_label, self_paid_label, self_funded_label = rng.choice(_SPLITS)
    rows.append(((0, "医保信息"),))
    rows += _pairs(rng, [("医保类型", scheme), ("医保编号", card), (fund_label, amount(fund)),
                         (account_label, amount(account)), (self_paid_label, amount(self_paid)),
                         (self_funded_label, amount(self_funded))], colon)
    rows += [RULE, ((0, f"收款单位{sep}{hospital}"), (0.55, f"收款人{sep}{pools.person(rng)}")),
             ((0, f"打印时间{sep}{issued.isoformat()} {_clock(rng)}"),)]
    title = rng.choice((f"{rng.choice(pools.PROVINCES)}医疗门诊收费票据（电子）", "门诊收费票据",
                        f"{hospital}门诊收费票据"))
    return from_layout("invoice", "cashier", title, [rows], truth, f"门诊票据-{number}.pdf",
                       size=rng.choice((9, 10)), font=rng.choice(("sans", "serif")))
