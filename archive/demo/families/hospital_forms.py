"""More tuning families in the shapes the field readers were weakest on: an outpatient receipt as
another province's hospital system prints it, a referral filing form of the national template,
and an inpatient settlement receipt as another hospital system prints it.

`invoice_clinic`: a 门诊收费票据 as county hospitals' HIS print it on the provinces' pre-printed
paper bills (the 江苏省/浙江省 医疗门诊收费票据 of the 财综〔2018〕72号 era, filled by a dot-matrix
printer): 门诊号 and 姓名 with 性别 on one line, 医保类别 and 社会保障卡号, fee categories two to
a row as `西药费 ¥123.45` (挂号费, 诊察费, 一般诊疗费, 卫生材料费, 中药饮片费 among them),
合计（大写）… with （小写）¥… on the same line, the fund split on one line (医保统筹支付,
个人账户支付, 个人自付, 个人自费), and 收款单位（章）, 收款员 and 收费日期 at the foot.
`referral_record`: the 跨省异地就医登记备案表 of 国家医保局 (2022 template: 国家医保局办公室
关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知 附件), its 转诊转院 variant: 参保人姓名,
公民身份号码 and 社会保障卡号 in a grid of label cells each followed by its value, 参保地/就医地,
转出医院 and 转往医院 as rows, 临床诊断, 转诊转院理由, the 转出医院意见 block with its 经办人 and
日期, the applicant's 签字 and 申请日期, and the 备案日期 the agency enters last (the referral date
the agency records).
`invoice_settlement`: an inpatient 住院收费票据 as a hospital system (東軟/卫宁-style HIS) prints
it on discharge: 住院号, 患者姓名, 入院日期/出院日期 with their times, 住院天数, fee categories as a
table of 项目/金额 with two pairs a row, 预交金额 and 补缴/退款 (amounts that are no part of the
fund split), 统筹基金支付, 大病保险 (printed as 0.00), 个人账户支付, 个人自付, 个人自费, and the
hospital as 医疗机构名称 at the foot.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from archive.demo import documents as gen
from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import CATEGORIES, amount, cn, cn0, day, fund_split
from archive.ocr.normalize import amount_to_capital

# The classes a county hospital's outpatient bill prints besides the common ones (the national
# 医疗服务项目 classes of the 医疗收费电子票据).
_CLINIC_CATEGORIES = (*CATEGORIES, "卫生材料费", "诊察费", "一般诊疗费", "挂号费", "中药饮片费")


def _items(rng: random.Random, count: int, names: tuple[str, ...] = CATEGORIES) -> dict[str, Decimal]:
    return {name: Decimal(rng.randrange(500, 150000)) / 100 for name in rng.sample(names, count)}


def invoice_clinic(rng: random.Random) -> GeneratedDocument:
    patient, hospital, issued = pools.person(rng, minority=0.03), pools.hospital(rng), day(rng)
    code, number = pools.digits(rng, 8), pools.digits(rng, 10)
    card, scheme = pools.digits(rng, rng.choice((10, 12))), rng.choice(pools.INSURANCE_TYPES)
    items = _items(rng, rng.randint(2, 5), _CLINIC_CATEGORIES)
    total = sum(items.values(), Decimal(0))
    fund, account, self_paid, self_funded = fund_split(rng, total, ("0.5", "0.6", "0.7"), 50000, 20000)
    names = list(items)
    pairs = [names[n:n + 2] for n in range(0, len(names), 2)]
    rows: list = [((0, f"票据代码：{code}"), (0.55, f"票据号码：{number}")), RULE,
                  ((0, f"门诊号：{pools.digits(rng, 8)}"), (0.3, f"姓名：{patient}"),
                   (0.55, f"性别：{rng.choice('男女')}")),
                  ((0, f"医保类别：{scheme}"), (0.55, f"社会保障卡号：{card}")), RULE]
    rows += [tuple((0.5 * n + offset, text) for n, name in enumerate(pair)
                   for offset, text in ((0, name), (0.2, f"¥{amount(items[name])}"))) for pair in pairs]
    capital = amount_to_capital(amount(total))
    rows += [RULE, ((0, f"合计（大写）：{capital}"), (0.6, f"（小写）¥{amount(total)}")),
             ((0, f"医保统筹支付：{amount(fund)}"), (0.27, f"个人账户支付：{amount(account)}"),
              (0.54, f"个人自付：{amount(self_paid)}"), (0.77, f"个人自费：{amount(self_funded)}")), RULE,
             ((0, f"收款单位（章）：{hospital}"), (0.55, f"收款员：{pools.person(rng)}")),
             ((0, f"收费日期：{issued.isoformat() if rng.random() < 0.5 else cn0(issued)}"),)]
    truth = {"invoice_code": code, "invoice_number": number, "issue_date": issued.isoformat(),
             "payer_name": patient, "hospital": hospital, "visit_type": "outpatient",
             "insurance_number": card, "insurance_type": scheme,
             "total_amount": amount(total), "total_amount_capital": amount(total),
             "fund_paid": amount(fund), "personal_account_paid": amount(account),
             "self_paid": amount(self_paid), "self_funded": amount(self_funded),
             "line_items": [{"category": name, "amount": amount(value)} for name, value in items.items()]}
    title = f"{rng.choice(pools.PROVINCES)}医疗门诊收费票据"
    return from_layout("invoice", "clinic", title, [rows], truth, f"门诊票据-{number}.pdf",
                       size=rng.choice((9, 10)), font=rng.choice(("sans", "serif")))


_GRID = (0, 0.18, 0.5, 0.68)  # label, value, label, value


def referral_record(rng: random.Random) -> GeneratedDocument:
    patient, ident = pools.person(rng, minority=0.03), gen.id_number(rng)
    card = pools.digits(rng, rng.choice((10, 12)))
    origin, target = pools.hospital(rng), pools.hospital(rng)
    diagnosis, reason = rng.choice(pools.DIAGNOSES), rng.choice(pools.REASONS)
    filed = day(rng)
    applied = filed - timedelta(days=rng.randint(1, 6))
    opinion = applied + timedelta(days=rng.randint(0, 1))
    rows: list = [((0, "参保人姓名"), (0.18, patient), (0.5, "性别"), (0.68, rng.choice("男女"))),
                  ((0, "公民身份号码"), (0.18, ident), (0.5, "社会保障卡号"), (0.68, card)),
                  ((0, "参保地"), (0.18, pools.place(rng)), (0.5, "联系电话"),
                   (0.68, f"1{pools.digits(rng, 10)}")),
                  ((0, "备案类型"), (0.18, "转诊转院人员"), (0.5, "就医地"), (0.68, pools.place(rng))),
                  ((0, "转出医院"), (0.18, origin)), ((0, "转往医院"), (0.18, target)),
                  ((0, "临床诊断"), (0.18, diagnosis)), ((0, "转诊转院理由"), (0.18, reason)), RULE,
                  ((0, "转出医院意见：同意转诊"), (0.45, f"经办人：{pools.person(rng)}"),
                   (0.7, f"日期：{cn(opinion)}")),
                  ((0, "申请人签字："), (0.45, f"申请日期：{cn(applied)}")), RULE,
                  ((0, "经办机构意见：同意备案"), (0.45, "（盖章）"), (0.7, f"备案日期：{cn(filed)}"))]
    truth = {"patient_name": patient, "id_number": ident, "insurance_number": card,
             "diagnosis": diagnosis, "from_hospital": origin, "to_hospital": target,
             "referral_date": filed.isoformat(), "reason": reason}
    return from_layout("referral", "record", "跨省异地就医登记备案表（转诊转院）", [rows], truth,
                       f"异地就医备案表-{patient}.pdf", font=rng.choice(("sans", "serif")))


def _clock(rng: random.Random) -> str:
    return f"{rng.randint(7, 20):02d}:{rng.randint(0, 59):02d}"


def invoice_settlement(rng: random.Random) -> GeneratedDocument:
    patient, hospital = pools.person(rng, minority=0.03), pools.hospital(rng)
    discharged = day(rng)
    admitted = discharged - timedelta(days=rng.randint(2, 20))
    number = pools.digits(rng, 10)
    items = _items(rng, rng.choice((4, 6)))
    total = sum(items.values(), Decimal(0))
    fund, account, self_paid, self_funded = fund_split(rng, total, ("0.5", "0.6", "0.7"), 50000, 20000)
    deposit = (total - fund + Decimal(rng.randrange(-20000, 20000)) / 100).quantize(Decimal("1"))
    deposit = max(deposit, Decimal(0))
    balance = deposit - (total - fund)
    names = list(items)
    rows: list = [((0, f"票据号码：{number}"), (0.55, f"住院号：{pools.digits(rng, 8)}")),
                  ((0, f"患者姓名：{patient}"), (0.3, f"性别：{rng.choice('男女')}"),
                   (0.55, f"科室：{rng.choice(pools.DEPARTMENTS)}")),
                  ((0, f"入院日期：{admitted.isoformat()} {_clock(rng)}"),
                   (0.5, f"出院日期：{discharged.isoformat()} {_clock(rng)}")),
                  ((0, f"住院天数：{(discharged - admitted).days}"),), RULE,
                  ((0, "项目"), (0.25, "金额"), (0.5, "项目"), (0.75, "金额"))]
    rows += [tuple((0.5 * n + offset, text) for n, name in enumerate(names[m:m + 2])
                   for offset, text in ((0, name), (0.25, amount(items[name]))))
             for m in range(0, len(names), 2)]
    refund = f"退款：{amount(balance)}" if balance >= 0 else f"补缴：{amount(-balance)}"
    rows += [RULE, ((0, f"合计金额（小写）：{amount(total)}"),
                    (0.5, f"合计金额（大写）：{amount_to_capital(amount(total))}")),
             ((0, f"预交金额：{amount(deposit)}"), (0.5, refund)),
             ((0, f"统筹基金支付：{amount(fund)}"), (0.35, "大病保险支付：0.00"),
              (0.7, f"个人账户支付：{amount(account)}")),
             ((0, f"个人自付：{amount(self_paid)}"), (0.35, f"个人自费：{amount(self_funded)}")), RULE,
             ((0, f"医疗机构名称：{hospital}"), (0.55, f"结算日期：{cn(discharged)}")),
             ((0, f"收款员：{pools.person(rng)}"),)]
    truth = {"invoice_number": number, "issue_date": discharged.isoformat(), "payer_name": patient,
             "hospital": hospital, "visit_type": "inpatient",
             "admission_date": admitted.isoformat(), "discharge_date": discharged.isoformat(),
             "total_amount": amount(total), "total_amount_capital": amount(total),
             "fund_paid": amount(fund), "personal_account_paid": amount(account),
             "self_paid": amount(self_paid), "self_funded": amount(self_funded),
             "line_items": [{"category": name, "amount": amount(value)} for name, value in items.items()]}
    return from_layout("invoice", "settlement", "住院收费票据（结算）", [rows], truth,
                       f"住院结算-{number}.pdf", size=10, font=rng.choice(("sans", "serif", "bold")))
