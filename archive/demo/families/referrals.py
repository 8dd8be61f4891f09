"""Referral forms (转诊转院审批表, 转外就医备案表, 双向转诊单) with signature and date blocks.

The approval forms carry several dates besides the referral date (each signer's 日期, the
application date): a reader that takes the first date it sees reads the wrong one.
"""

from __future__ import annotations

import random
from datetime import timedelta

from archive.demo import documents as gen
from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import cells, cn0
from archive.demo.families.common import cn as _cn
from archive.demo.families.common import day as _day


class _Referral:
    def __init__(self, rng: random.Random):
        self.patient = pools.person(rng, minority=0.03)
        self.ident = gen.id_number(rng)
        self.insurance = pools.digits(rng, rng.choice((10, 12)))
        self.diagnosis = rng.choice(pools.DIAGNOSES)
        self.origin, self.target = pools.hospital(rng), pools.hospital(rng)
        self.reason = rng.choice(pools.REASONS)
        self.day = _day(rng)

    def truth(self, **leave_out) -> dict:
        truth = {"patient_name": self.patient, "id_number": self.ident, "insurance_number": self.insurance,
                 "diagnosis": self.diagnosis, "from_hospital": self.origin, "to_hospital": self.target,
                 "referral_date": self.day.isoformat(), "reason": self.reason}
        return {k: v for k, v in truth.items() if k not in leave_out}


def referral_grid(rng: random.Random) -> GeneratedDocument:
    """A provincial approval form: personal data as a grid, then key–value rows, then signature
    and date blocks (their dates are not the referral date)."""
    case = _Referral(rng)
    approved = case.day + timedelta(days=rng.randint(0, 3))
    rows = [((0, "姓名"), (0.2, "性别"), (0.3, "年龄"), (0.42, "身份证号")),
            ((0, case.patient), (0.2, rng.choice("男女")), (0.3, str(rng.randint(1, 90))),
             (0.42, case.ident)),
            ((0, f"医保编号：{case.insurance}"), (0.5, f"联系电话：1{pools.digits(rng, 10)}")),
            f"临床诊断：{case.diagnosis}", f"转出医院：{case.origin}", f"转入医院：{case.target}",
            f"转诊原因：{case.reason}", f"转诊日期：{_cn(case.day)}", RULE,
            ((0, "科主任签字：________"), (0.55, f"日期：{_cn(case.day)}")),
            ((0, "医保经办机构意见：同意"), (0.55, f"经办人：{pools.person(rng)}")),
            ((0.55, f"日期：{_cn(approved)}"),), ((0.55, "（盖章）"),)]
    title = f"{rng.choice(pools.PROVINCES)}参保人员转诊转院审批表"
    return from_layout("referral", "grid", title, [rows], case.truth(), f"转诊审批表-{case.patient}.pdf")


def referral_spaced(rng: random.Random) -> GeneratedDocument:
    """A county form typed with spaced labels, half-width colons and a (章) on the stamp line."""
    case = _Referral(rng)
    rows = [((0, f"姓    名:{case.patient}"), (0.5, f"性    别:{rng.choice('男女')}")),
            f"身份证号:{case.ident}", f"医 保 号:{case.insurance}", f"诊    断:{case.diagnosis}",
            f"转出医院(章):{case.origin}", f"转入医院:{case.target}", f"转诊原因:{case.reason}",
            f"转诊日期:{case.day:%Y.%m.%d}", RULE,
            ((0, f"患者签字:{case.patient}"), (0.5, f"日期:{case.day:%Y.%m.%d}"))]
    return from_layout("referral", "spaced", "转诊审批表", [rows], case.truth(),
                       f"转诊审批表-{case.patient}.pdf", font="serif")


def referral_filing(rng: random.Random) -> GeneratedDocument:
    """转外就医备案表: its own wordings (参保人姓名, 公民身份号码, 社会保障卡号, 疾病诊断, 转往医疗机构,
    备案日期), the sending hospital's stamp label, an application date besides."""
    case = _Referral(rng)
    applied = case.day - timedelta(days=rng.randint(1, 5))
    rows = [((0, f"参保人姓名：{case.patient}"), (0.5, f"公民身份号码：{case.ident}")),
            ((0, f"社会保障卡号：{case.insurance}"), (0.5, f"参保类型：{rng.choice(pools.INSURANCE_TYPES)}")),
            f"疾病诊断：{case.diagnosis}", f"转出医疗机构（盖章）：{case.origin}",
            f"转往医疗机构：{case.target}",
            f"转诊理由：{case.reason}", f"备案日期：{_cn(case.day)}", RULE,
            ((0, f"经办人：{pools.person(rng)}"), (0.5, f"审核人：{pools.person(rng)}")),
            f"申请日期：{_cn(applied)}"]
    title = f"{rng.choice(pools.PROVINCES)}转外就医备案表"
    return from_layout("referral", "filing", title, [rows], case.truth(), f"备案表-{case.patient}.pdf")


def referral_approval(rng: random.Random) -> GeneratedDocument:
    """A 基本医疗保险参保人员转诊转院审批表 as a ruled form: each label in its own cell left of its
    value (no colons), two pairs to a row; then the opinion blocks, each with its signer, its
    (盖章) and its own date; the referral date as 转院日期 among them."""
    case = _Referral(rng)
    applied = case.day - timedelta(days=rng.randint(1, 4))
    signed = [case.day - timedelta(days=rng.randint(0, 3)) for _ in range(3)]
    pair = (0, 0.16, 0.5, 0.66)
    rows = [cells(pair, ("姓名", case.patient, "性别", rng.choice("男女"))),
            cells(pair, ("身份证号码", case.ident, "联系电话", f"1{pools.digits(rng, 10)}")),
            cells(pair, ("医保编号", case.insurance, "参保类型", rng.choice(pools.INSURANCE_TYPES))),
            cells((0, 0.16), ("疾病诊断", case.diagnosis)),
            cells((0, 0.16), ("转出医院", case.origin)), cells((0, 0.16), ("转入医院", case.target)),
            cells((0, 0.16), ("转院原因", case.reason)),
            cells(pair, ("申请日期", _cn(applied), "转院日期", _cn(case.day))), RULE,
            ((0, "经治医师意见：建议转院"), (0.5, f"医师签字：{pools.person(rng)}"),
             (0.76, f"日期：{_cn(signed[0])}")),
            ((0, "医院医务科意见（盖章）：同意"), (0.76, f"日期：{_cn(signed[1])}")),
            ((0, "医保经办机构意见（盖章）：同意"), (0.5, f"经办人：{pools.person(rng)}"),
             (0.76, f"日期：{_cn(signed[2])}")), RULE,
            "注：本表一式三份，参保人员、转出医院、医保经办机构各执一份。"]
    title = f"{pools.place(rng)}基本医疗保险参保人员转诊转院审批表"
    return from_layout("referral", "approval", title, [rows], case.truth(), f"转诊审批表-{case.patient}.pdf",
                       font="serif")


def referral_twoway(rng: random.Random) -> GeneratedDocument:
    """A hospital's 双向转诊（转出）单 printed from its system: 患者姓名, 身份证号码, 医保卡号, 初步诊断,
    转出单位/转入单位, 转诊时间 with a zero-padded date, the referring doctor's signature block and
    the counterfoil (存根) repeating the patient's name."""
    case = _Referral(rng)
    rows = [f"存根编号：{pools.digits(rng, 12)}",
            ((0, f"患者姓名：{case.patient}"), (0.36, f"性别：{rng.choice('男女')}"),
             (0.56, f"年龄：{rng.randint(1, 90)}岁")),
            ((0, f"身份证号码：{case.ident}"), (0.56, f"医保卡号：{case.insurance}")),
            f"初步诊断：{case.diagnosis}", f"转出单位：{case.origin}", f"转入单位：{case.target}",
            f"转诊理由：{case.reason}", f"转诊时间：{cn0(case.day)}", RULE,
            ((0, "病情摘要：详见病历"),),
            ((0, f"转诊医生（签字）：{pools.person(rng)}"), (0.56, f"联系电话：0{pools.digits(rng, 10)}")),
            ((0.56, "转出单位（盖章）"),), ((0.56, cn0(case.day + timedelta(days=rng.randint(0, 2)))),)]
    return from_layout("referral", "twoway", "双向转诊（转出）单", [rows], case.truth(),
                       f"双向转诊单-{case.patient}.pdf")
