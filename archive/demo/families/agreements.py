"""Service agreements (定点医疗机构服务协议) as multi-page prose or cover tables, with 甲方/乙方
blocks and the signature page."""

from __future__ import annotations

import random
from datetime import date

from archive.demo import documents as gen
from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import cells, cn0
from archive.demo.families.common import cn as _cn


class _Agreement:
    def __init__(self, rng: random.Random):
        self.year = rng.choice((2025, 2026, 2027))
        self.number = f"{rng.choice(('XY', 'YB', 'DD'))}-{self.year}-{pools.digits(rng, 4)}"
        self.agency, self.provider = pools.agency(rng), pools.hospital(rng)
        self.code = gen.credit_code(rng)
        self.provider_code = f"H{pools.digits(rng, 11)}"
        self.signed = date(self.year - 1, 12, rng.randint(1, 28))

    def truth(self, *, provider_code: bool = True) -> dict:
        return {"agreement_number": self.number, "party_a": self.agency, "party_b": self.provider,
                "provider_name": self.provider, "credit_code": self.code,
                **({"provider_code": self.provider_code} if provider_code else {}),
                "valid_from": f"{self.year}-01-01", "valid_to": f"{self.year}-12-31",
                "signed_date": self.signed.isoformat()}


_CLAUSES = ("为保障参保人员合法权益，根据《中华人民共和国社会保险法》",
            "《医疗保障基金使用监督管理条例》等规定，甲乙双方",
            "经协商一致，签订本协议。", "第一条 乙方应当严格执行医疗保障政策，合理检查、合理治疗、",
            "合理用药，不得分解住院、挂床住院。", "第二条 乙方应当核验参保人员医疗保障凭证，按规定结算费用。",
            "第三条 甲方按规定向乙方拨付医疗保障基金。", "第四条 乙方住院病人自费药品费用占比不得超过20%。",
            "第五条 乙方违反本协议约定的，甲方可以暂停拨付或者解除协议。")


def agreement_prose(rng: random.Random) -> GeneratedDocument:
    """An agreement as prose over three pages: the parties on the first, the term as 自…起至…止,
    the clauses, and the signature page with empty 甲方（盖章）/乙方（盖章）blocks."""
    deal = _Agreement(rng)
    first = [f"协议编号：{deal.number}", f"甲方：{deal.agency}", f"地址：{pools.place(rng)}{pools.town(rng)}",
             f"乙方：{deal.provider}", f"统一社会信用代码：{deal.code}", f"机构编码：{deal.provider_code}",
             f"协议期限：自{deal.year}年1月1日起至{deal.year}年12月31日止", *_CLAUSES[:3]]
    second = list(_CLAUSES[3:])
    last = [((0, "甲方（盖章）："), (0.5, "乙方（盖章）：")),
            ((0, f"法定代表人：{pools.person(rng)}"), (0.5, f"法定代表人：{pools.person(rng)}")),
            f"签订日期：{_cn(deal.signed)}"]
    title = f"{pools.place(rng)}基本医疗保险定点医疗机构服务协议"
    return from_layout("agreement", "prose", title, [first, second, last], deal.truth(),
                       f"服务协议-{deal.provider}.pdf", font="serif")


def agreement_cover(rng: random.Random) -> GeneratedDocument:
    """A cover table: each label in the left cell with a long bracketed role, its value right."""
    deal = _Agreement(rng)
    rows = [((0, "协议编号"), (0.34, deal.number)), ((0, "甲方（医疗保障经办机构）"), (0.34, deal.agency)),
            ((0, "乙方（定点医疗机构）"), (0.34, deal.provider)),
            ((0, "统一社会信用代码"), (0.34, deal.code)),
            ((0, "定点编码"), (0.34, deal.provider_code)),
            ((0, "协议期限"), (0.34, f"{deal.year}年01月01日至{deal.year}年12月31日")),
            ((0, "签订日期"), (0.34, _cn(deal.signed))), RULE, *_CLAUSES[3:6]]
    return from_layout("agreement", "cover", "定点医疗机构服务协议书", [rows], deal.truth(),
                       f"服务协议-{deal.provider}.pdf")


def agreement_variant(rng: random.Random) -> GeneratedDocument:
    """Half-width colons and brackets, the parties' roles in brackets, ISO dates, other wordings
    (协议书编号, 医药机构编码, 服务期限, 签署日期)."""
    deal = _Agreement(rng)
    rows = [f"协议书编号:{deal.number}", f"甲方(医保经办机构):{deal.agency}",
            f"乙方(定点医药机构):{deal.provider}", f"统一社会信用代码:{deal.code}",
            f"医药机构编码:{deal.provider_code}", f"服务期限:{deal.year}-01-01至{deal.year}-12-31",
            *_CLAUSES[3:7], f"签署日期:{deal.signed.isoformat()}"]
    return from_layout("agreement", "variant", "医疗保障定点医药机构服务协议", [rows], deal.truth(),
                       f"服务协议-{deal.provider}.pdf")


_CHAPTERS = (
    ("第一章 总则", ("第一条 甲乙双方应当认真贯彻国家和本省医疗保障法律法规和政策。",
                "第二条 乙方提供医疗服务应当遵循合理检查、合理治疗、合理用药的原则。")),
    ("第二章 服务内容", ("第三条 乙方为参保人员提供门诊、住院及门诊慢特病医疗服务。",
                     "第四条 乙方应当在显著位置悬挂定点医疗机构标识，公布投诉电话。",
                     "第五条 乙方应当核验参保人员有效身份凭证，做到人证相符。")),
    ("第三章 费用结算", ("第六条 甲方按照总额预算、按病种分值付费等方式与乙方结算费用。",
                     "第七条 乙方应当于每月10日前向甲方申报上月医疗费用。",
                     "第八条 甲方对乙方申报的费用进行审核，按规定拨付。")),
    ("第四章 违约责任", ("第九条 乙方违反协议约定的，甲方可以约谈、暂停拨付、追回费用或者解除协议。",
                     "第十条 因不可抗力致使协议无法履行的，双方协商处理。")),
)


def agreement_multipage(rng: random.Random) -> GeneratedDocument:
    """An agreement as a booklet: the 甲方 and 乙方 blocks on the first page (each party's name,
    address, legal representative; the provider's credit code and 定点医疗机构编码), the term in
    a clause (本协议有效期自…起至…止), chapters over four pages, and the signature page with the
    two parties side by side, their own dates under each, and 签约日期 below."""
    deal = _Agreement(rng)
    first = [f"协议编号：{deal.number}", RULE,
             f"甲方（医疗保障经办机构）：{deal.agency}", f"法定代表人：{pools.person(rng)}",
             f"地址：{pools.place(rng)}{pools.town(rng)}", RULE,
             f"乙方（定点医疗机构）：{deal.provider}", f"统一社会信用代码：{deal.code}",
             f"定点医疗机构编码：{deal.provider_code}", f"法定代表人：{pools.person(rng)}",
             f"地址：{pools.place(rng)}{pools.town(rng)}", RULE,
             "为加强和规范医疗保障定点医疗机构管理，甲乙双方经协商一致，签订本协议。"]
    middle = []
    for heading, clauses in _CHAPTERS:
        middle.append([heading, *clauses])
    pages = [first, middle[0] + middle[1], middle[2] + middle[3]]
    last = [f"第十一条 本协议有效期自{deal.year}年1月1日起至{deal.year}年12月31日止。",
            "第十二条 本协议一式三份，甲乙双方各执一份，报上级医疗保障部门备案一份。", RULE,
            ((0, "甲方（盖章）"), (0.5, "乙方（盖章）")),
            ((0, f"代表人：{pools.person(rng)}"), (0.5, f"代表人：{pools.person(rng)}")),
            ((0, _cn(deal.signed)), (0.5, _cn(deal.signed))), f"签约日期：{_cn(deal.signed)}"]
    pages.append(last)
    title = f"{rng.choice(pools.PROVINCES)}医疗保障定点医疗机构服务协议"
    return from_layout("agreement", "multipage", title, pages, deal.truth(), f"服务协议-{deal.provider}.pdf",
                       font="serif", paged_scan=True)


def agreement_bilateral(rng: random.Random) -> GeneratedDocument:
    """The parties as a table with a column each (单位名称, 统一社会信用代码, 地址 in rows; the
    agency's own credit code beside the provider's), then 协议期间 with zero-padded dates and
    the clauses on a second page, 签订时间 last."""
    deal = _Agreement(rng)
    agency_code = gen.credit_code(rng)
    columns = (0, 0.22, 0.6)
    rows = [f"协议编号：{deal.number}", cells(columns, ("", "甲方", "乙方")),
            cells(columns, ("单位名称", deal.agency, deal.provider)),
            cells(columns, ("统一社会信用代码", agency_code, deal.code)),
            cells(columns, ("机构编码", "", deal.provider_code)),
            cells(columns, ("负责人", pools.person(rng), pools.person(rng))), RULE,
            f"协议期间：{cn0(date(deal.year, 1, 1))}至{cn0(date(deal.year, 12, 31))}"]
    second = [*(clause for _, clauses in _CHAPTERS[1:3] for clause in clauses), RULE,
              ((0, "甲方（公章）："), (0.5, "乙方（公章）：")), f"签订时间：{cn0(deal.signed)}"]
    return from_layout("agreement", "bilateral", "医疗保障服务协议书", [rows, second], deal.truth(),
                       f"服务协议-{deal.provider}.pdf")
