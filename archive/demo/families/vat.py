"""VAT invoices (增值税发票) as pharmacies, clinics and outpatient providers issue them.

The fully digitalised invoice (数电票, 电子发票（普通发票）/（增值税专用发票）: a 20-digit number, no
code, no check code, buyer and seller side by side as 名称/统一社会信用代码/纳税人识别号 under
购买方信息/销售方信息), the older paper and electronic ordinary invoices (增值税普通发票: a 10- or
12-digit code, an 8-digit number, the 20-digit 校验码 printed in groups of five, 名    称 in the
buyer's and seller's boxes), a pharmacy till's print and a ruled grid. Amounts: each row's amount
and tax, 合计 of both, 价税合计 in figures and in words (圆, as the tax system writes it).
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cells, cn0, day, money
from archive.ocr.normalize import amount_to_capital

# Where the item table's columns start (fractions of the width): the longest goods name (13 CJK
# characters and two asterisks) ends before 0.34, 税率/征收率 before 0.93.
_ITEM_COLUMNS = (0, 0.34, 0.48, 0.54, 0.6, 0.69, 0.79, 0.93)
_ITEM_HEADER = ("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额")


class _Sale:
    """What a VAT invoice of any family states."""

    def __init__(self, rng: random.Random, *, digital: bool, company_buyer: float = 0.4):
        self.digital = digital
        self.code = None if digital else pools.digits(rng, rng.choice((10, 12)))
        self.number = pools.digits(rng, 20) if digital else f"{rng.randrange(10**8):08d}"
        self.check = None if digital else pools.digits(rng, 20)
        self.issued = day(rng)
        self.buyer = pools.company(rng) if rng.random() < company_buyer else pools.person(rng)
        self.buyer_id = pools.tax_id(rng) if self.buyer.endswith(("公司", "店")) else None
        self.seller, self.seller_id = pools.company(rng), pools.tax_id(rng)
        rate = rng.choice(("13", "3", "1"))
        self.items = []
        for name, spec, unit in rng.sample(pools.VAT_GOODS, rng.randint(1, 4)):
            price, quantity = money(rng, 150, 30000), rng.randint(1, 5)
            value = price * quantity
            tax = (value * Decimal(rate) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
            self.items.append({"name": name, "spec": spec, "unit": unit, "quantity": str(quantity),
                               "unit_price": amount(price), "amount": amount(value), "tax_rate": f"{rate}%",
                               "tax": amount(tax)})
        self.amount = sum((Decimal(i["amount"]) for i in self.items), Decimal(0))
        self.tax = sum((Decimal(i["tax"]) for i in self.items), Decimal(0))
        self.total = self.amount + self.tax
        self.drawer = pools.person(rng)

    @property
    def capital(self) -> str:
        return amount_to_capital(amount(self.total)).replace("元", "圆")

    def truth(self) -> dict:
        truth = {"invoice_code": self.code, "invoice_number": self.number,
                 "issue_date": self.issued.isoformat(),
                 "buyer_name": self.buyer, "buyer_tax_id": self.buyer_id, "seller_name": self.seller,
                 "seller_tax_id": self.seller_id, "amount": amount(self.amount), "tax": amount(self.tax),
                 "total_amount": amount(self.total), "total_amount_capital": amount(self.total),
                 "check_code": self.check,
                 "items": [{k: v for k, v in item.items() if k != "unit"} for item in self.items]}
        return {name: value for name, value in truth.items() if value is not None}

    def item_rows(self, columns=_ITEM_COLUMNS) -> list:
        return [cells(columns, (i["name"], i["spec"], i["unit"], i["quantity"], i["unit_price"], i["amount"],
                                i["tax_rate"], i["tax"])) for i in self.items]


def vat_digital(rng: random.Random) -> GeneratedDocument:
    """电子发票（普通发票）, the 数电票 as the national platform draws it: number and date top right,
    the buyer's and seller's boxes side by side, each with 名称 and 统一社会信用代码/纳税人识别号."""
    sale = _Sale(rng, digital=True)
    rows = [((0.6, f"发票号码：{sale.number}"),), ((0.6, f"开票日期：{cn0(sale.issued)}"),), RULE,
            ((0, "购买方信息"), (0.5, "销售方信息")),
            ((0, f"名称：{sale.buyer}"), (0.5, f"名称：{sale.seller}")),
            ((0, f"统一社会信用代码/纳税人识别号：{sale.buyer_id or ''}"),
             (0.5, f"统一社会信用代码/纳税人识别号：{sale.seller_id}")), RULE,
            cells(_ITEM_COLUMNS, _ITEM_HEADER), *sale.item_rows(),
            ((0, "合计"), (0.69, f"¥{sale.amount:.2f}"), (0.93, f"¥{sale.tax:.2f}")),
            ((0, f"价税合计（大写）{sale.capital}"), (0.6, f"（小写）¥{sale.total:.2f}")), RULE,
            "备注：", ((0, f"开票人：{sale.drawer}"),)]
    # The platform prints the parties' boxes small (9 pt): at 11 pt a company buyer's
    # 统一社会信用代码/纳税人识别号 and its code ran into the seller's box, drawn over its label.
    return from_layout("vat_invoice", "digital", "电子发票（普通发票）", [rows], sale.truth(),
                       f"数电票-{sale.number}.pdf", size=9)


def vat_special(rng: random.Random) -> GeneratedDocument:
    """电子发票（增值税专用发票） as an ERP exports it: the parties stacked, with the labels the tax
    platform's own export uses (购买方名称, 购买方纳税人识别号, 销售方名称…), a company buyer."""
    sale = _Sale(rng, digital=True, company_buyer=1.0)
    rows = [f"发票号码：{sale.number}", f"开票日期：{sale.issued.isoformat()}", RULE,
            f"购买方名称：{sale.buyer}", f"购买方纳税人识别号：{sale.buyer_id}",
            f"销售方名称：{sale.seller}", f"销售方纳税人识别号：{sale.seller_id}", RULE,
            cells(_ITEM_COLUMNS, _ITEM_HEADER), *sale.item_rows(), RULE,
            ((0, f"合计金额：{sale.amount:.2f}"), (0.5, f"合计税额：{sale.tax:.2f}")),
            f"价税合计（大写）：{sale.capital}", f"价税合计（小写）：{sale.total:.2f}",
            ((0, f"开票人：{sale.drawer}"),)]
    return from_layout("vat_invoice", "special", "电子发票（增值税专用发票）", [rows], sale.truth(),
                       f"专票-{sale.number}.pdf")


def _grouped(check: str) -> str:
    return " ".join(check[start:start + 5] for start in range(0, 20, 5))


def _old_form(sale: _Sale, rng: random.Random, machine: bool) -> list:
    """The 2016–2020 ordinary invoice: 名    称 in the buyer's and seller's boxes."""
    head = [((0.6, f"发票代码：{sale.code}"),), ((0.6, f"发票号码：{sale.number}"),),
            ((0.6, f"开票日期：{cn0(sale.issued)}"),), ((0.6, f"校 验 码：{_grouped(sale.check)}"),)]
    if machine:
        head.insert(0, ((0, f"机器编号：{pools.digits(rng, 12)}"),))
    columns = _ITEM_COLUMNS
    return head + [RULE, ((0, "购买方"), (0.1, f"名    称：{sale.buyer}")),
                   ((0.1, f"纳税人识别号：{sale.buyer_id or ''}"),),
                   ((0.1, "地 址、电 话："),), ((0.1, "开户行及账号："),), RULE,
                   cells(columns, ("货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额",
                                   "税率", "税额")),
                   *sale.item_rows(columns),
                   ((0, "合    计"), (0.69, f"¥{sale.amount:.2f}"), (0.93, f"¥{sale.tax:.2f}")),
                   ((0, f"价税合计（大写）  {sale.capital}"), (0.69, f"（小写）¥{sale.total:.2f}")), RULE,
                   ((0, "销售方"), (0.1, f"名    称：{sale.seller}")),
                   ((0.1, f"纳税人识别号：{sale.seller_id}"),),
                   ((0.1, f"地 址、电 话：{pools.place(rng)}{pools.town(rng)} 0{pools.digits(rng, 10)}"),),
                   RULE,
                   ((0, f"收款人：{pools.person(rng)}"), (0.3, f"复核：{pools.person(rng)}"),
                    (0.6, f"开票人：{sale.drawer}")), ((0.6, "销售方：（章）"),)]


def vat_paper(rng: random.Random) -> GeneratedDocument:
    """增值税普通发票 on paper (before 数电票): code and number top right, the check code in groups."""
    sale = _Sale(rng, digital=False)
    province = rng.choice(pools.PROVINCES).rstrip("省")
    return from_layout("vat_invoice", "paper", f"{province}增值税普通发票", [_old_form(sale, rng, False)],
                       sale.truth(), f"普票-{sale.number}.pdf", font="serif")


def vat_electronic(rng: random.Random) -> GeneratedDocument:
    """增值税电子普通发票 (2017–2020 e-invoice PDF): as the paper one, with its 机器编号."""
    sale = _Sale(rng, digital=False)
    province = rng.choice(pools.PROVINCES).rstrip("省")
    return from_layout("vat_invoice", "electronic", f"{province}增值税电子普通发票",
                       [_old_form(sale, rng, True)], sale.truth(), f"电子普票-{sale.number}.pdf")


def vat_till(rng: random.Random) -> GeneratedDocument:
    """A pharmacy till's print of its 数电票: one value a line with the till's short labels (购方名称,
    购方税号, 销方名称, 销方税号), the goods as lines of name and figures, the sums by their labels."""
    sale = _Sale(rng, digital=True, company_buyer=0.2)
    rows = [f"发票号码:{sale.number}", f"开票日期:{sale.issued:%Y-%m-%d}", f"购方名称:{sale.buyer}"]
    if sale.buyer_id:
        rows.append(f"购方税号:{sale.buyer_id}")
    rows += [f"销方名称:{sale.seller}", f"销方税号:{sale.seller_id}", RULE,
             cells((0, 0.42, 0.56, 0.7, 0.84), ("品名/规格", "数量", "金额", "税率", "税额"))]
    for item in sale.items:
        rows += [f"{item['name']} {item['spec']}",
                 cells((0.42, 0.56, 0.7, 0.84), (f"{item['quantity']}{item['unit']}×{item['unit_price']}",
                                                 item["amount"], item["tax_rate"], item["tax"]))]
    rows += [RULE, f"合计金额:{sale.amount:.2f}", f"合计税额:{sale.tax:.2f}",
             f"价税合计(小写):{sale.total:.2f}", f"价税合计(大写):{sale.capital}", f"开票人:{sale.drawer}"]
    return from_layout("vat_invoice", "till", "电子发票(普通发票)", [rows], sale.truth(),
                       f"药店发票-{sale.number}.pdf", font="bold")


def vat_grid(rng: random.Random) -> GeneratedDocument:
    """A 数电票 redrawn as a ruled grid by a reimbursement system: labels above their values."""
    sale = _Sale(rng, digital=True)
    half = (0, 0.5)
    rows = [cells(half, ("发票号码", "开票日期")), cells(half, (sale.number, sale.issued.isoformat())), RULE,
            cells(half, ("购买方名称", "购买方纳税人识别号")), cells(half, (sale.buyer, sale.buyer_id or "")),
            cells(half, ("销售方名称", "销售方纳税人识别号")), cells(half, (sale.seller, sale.seller_id)),
            RULE,
            cells(_ITEM_COLUMNS, _ITEM_HEADER), *sale.item_rows(), RULE,
            cells((0, 0.33, 0.66), ("合计金额", "合计税额", "价税合计")),
            cells((0, 0.33, 0.66), (f"{sale.amount:.2f}", f"{sale.tax:.2f}", f"{sale.total:.2f}")),
            cells((0, 0.33), ("价税合计（大写）", sale.capital))]
    return from_layout("vat_invoice", "grid", "电子发票（普通发票）", [rows], sale.truth(),
                       f"发票-{sale.number}.pdf")
