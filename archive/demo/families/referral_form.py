"""A city's 参保人员转外就医审批表 typed as a ruled grid (a tuning family for the field readers).

Modelled on the municipal approval forms agencies hand out (转外就医/转诊转院审批表): the personal
data and the referral as a grid of label cells each followed by its value cell, with no colons
(姓名 | 张三 | 性别 | 男 …), an 申请日期 cell beside the insurance number, then the signers' blocks —
主治医师意见, 科室意见, 医院医保办意见, 医保经办机构审批意见 — each with 签字 and its own 日期 —
and the 转诊日期 at the foot. Only the 转诊日期 is the referral date.
"""

from __future__ import annotations

import random
from datetime import timedelta

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import cn
from archive.demo.families.referrals import _Referral

_GRID = (0, 0.16, 0.5, 0.66)  # label, value, label, value


def referral_form(rng: random.Random) -> GeneratedDocument:
    case = _Referral(rng)
    applied = case.day - timedelta(days=rng.randint(1, 5))
    signed = [case.day - timedelta(days=rng.randint(0, 2)) for _ in range(3)]
    sex = rng.choice("男女")
    rows = [((0, "姓名"), (0.16, case.patient), (0.5, "性别"), (0.66, sex)),
            ((0, "身份证号码"), (0.16, case.ident), (0.5, "年龄"), (0.66, str(rng.randint(1, 90)))),
            ((0, "医保编号"), (0.16, case.insurance), (0.5, "申请日期"), (0.66, cn(applied))),
            ((0, "临床诊断"), (0.16, case.diagnosis), (0.5, "联系电话"), (0.66, f"1{pools.digits(rng, 10)}")),
            ((0, "转出医院"), (0.16, case.origin)), ((0, "转入医院"), (0.16, case.target)),
            ((0, "转诊原因"), (0.16, case.reason)), RULE,
            ((0, "主治医师意见：同意转诊"), (0.5, "签字："), (0.7, f"日期：{cn(signed[0])}")),
            ((0, "科室意见：同意"), (0.5, "签字："), (0.7, f"日期：{cn(signed[1])}")),
            ((0, "医院医保办意见：同意"), (0.5, "签字（盖章）："), (0.7, f"日期：{cn(signed[2])}")),
            ((0, "医保经办机构审批意见：同意"), (0.5, f"审批人：{pools.person(rng)}"),
             (0.7, f"审批日期：{cn(case.day)}")), RULE,
            ((0, "转诊日期"), (0.16, cn(case.day)))]
    title = f"{pools.place(rng)}参保人员转外就医审批表"
    return from_layout("referral", "form", title, [rows], case.truth(), f"转外就医审批表-{case.patient}.pdf",
                       font=rng.choice(("sans", "serif")))
