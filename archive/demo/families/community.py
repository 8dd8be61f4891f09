"""A tuning family modelled on the outpatient receipt a 社区卫生服务中心's HIS (or a private clinic
chain's) prints on a half-width slip: key–value pairs two or three to a line, one space apart or
in narrow cells, the centre's long name wrapped onto the next line under its own first character
(平林县城柏镇社区卫生 / 服务中心), 票据号 and 单据号, the patient as 姓名 with 性别 and 年龄 beside,
医保卡号 and 医保类型, the fees three to a line, 合计 with 大写, the fund split as the slip words
it (医保统筹, 个人账户, 个人自付, 个人自费) beside 现金支付, and 收费员 with 收费时间 at the foot.
"""

from __future__ import annotations

import random
from decimal import Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cn0, day, money
from archive.demo.families.receipts import _clock
from archive.ocr.normalize import amount_to_capital

_CENTRES = ("{town}社区卫生服务中心", "{place}{town}卫生院", "{place}{town}社区卫生服务中心",
            "{place}仁和{word}门诊部")
_DEPARTMENTS = ("全科", "中医科", "口腔科", "预防保健科")
_FEES = ("西药费", "中成药费", "检查费", "化验费", "治疗费", "一般诊疗费", "挂号费", "卫生材料费", "诊察费")
WIDTH = 495  # points between the margins of the generator's A4 page (archive/demo/documents.py)


def _centre(rng: random.Random) -> str:
    return rng.choice(_CENTRES).format(place=pools.place(rng), town=pools.town(rng),
                                       word=rng.choice(("中医", "综合", "口腔")))


def _wrapped(x: float, label: str, value: str, room: int, size: float) -> list:
    """A label and its value in a cell `room` characters wide: the value's rest on the rows
    under it, each from the value's first character."""
    first = room - len(label)
    rows: list = [((x, label + value[:first]),)]
    indent = x + len(label) * size / WIDTH
    rows += [((indent, value[at:at + first]),) for at in range(first, len(value), first)]
    return rows


def invoice_community(rng: random.Random) -> GeneratedDocument:
    patient, issued = pools.person(rng, minority=0.03), day(rng)
    centre = _centre(rng)
    number, card = pools.digits(rng, rng.choice((8, 10))), pools.digits(rng, 12)
    scheme = rng.choice(pools.INSURANCE_TYPES)
    items = {name: money(rng, 200, 30000) for name in rng.sample(_FEES, rng.randint(2, 6))}
    total = sum(items.values(), Decimal(0))
    fund = (total * Decimal(rng.choice(("0.5", "0.6")))).quantize(Decimal("0.01"))
    account = min(total - fund, money(rng, 0, 5000))
    self_funded = min(total - fund - account, money(rng, 0, 3000))
    self_paid = total - fund - account - self_funded
    size = rng.choice((9, 10))
    truth = {"invoice_number": number, "issue_date": issued.isoformat(), "payer_name": patient,
             "hospital": centre, "visit_type": "outpatient", "insurance_number": card,
             "insurance_type": scheme, "total_amount": amount(total), "total_amount_capital": amount(total),
             "fund_paid": amount(fund), "personal_account_paid": amount(account),
             "self_paid": amount(self_paid), "self_funded": amount(self_funded),
             "line_items": [{"category": name, "amount": amount(value)} for name, value in items.items()]}
    label = rng.choice(("就诊机构：", "医疗机构：", "收费单位："))
    rows: list = [((0, f"票据号：{number}"), (0.32, f"单据号：MZ{pools.digits(rng, 9)}")),
                  *_wrapped(0, label, centre, rng.choice((12, 14)), size),
                  f"姓名：{patient} 性别：{rng.choice('男女')} 年龄：{rng.randint(2, 90)}岁",
                  ((0, f"医保卡号：{card}"), (0.32, f"医保类型：{scheme}")),
                  f"科室：{rng.choice(_DEPARTMENTS)} 医生：{pools.person(rng)}", RULE]
    names = list(items)
    rows += [" ".join(f"{name}：{amount(items[name])}" for name in names[m:m + 3])
             for m in range(0, len(names), 3)]
    rows += [RULE, f"合计：{amount(total)} 大写：{amount_to_capital(amount(total))}",
             f"医保统筹：{amount(fund)} 个人账户：{amount(account)} "
             f"现金支付：{amount(self_paid + self_funded)}",
             f"个人自付：{amount(self_paid)} 个人自费：{amount(self_funded)}", RULE,
             f"收费员：{pools.person(rng)} "
             f"收费时间：{rng.choice((issued.isoformat(), cn0(issued)))} {_clock(rng)}",
             "请妥善保管，遗失不补"]
    return from_layout("invoice", "community", "门诊收费票据", [rows], truth, f"门诊收据-{number}.pdf",
                       size=size, font=rng.choice(("sans", "serif")))
