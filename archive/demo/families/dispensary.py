"""A tuning family modelled on a print no other family covers: a hospital's own shop or a
医保-designated pharmacy's till roll, as 医院商店 and 药房 HIS/POS modules print the 数电票 (or the
卷票) they issue for a sale.

`vat_dispensary`: the 20-digit 发票号码 printed on the roll (some tills print it in groups of
four), 开票日期 with the time; the goods one to a block: the name (numbered on some) on its line,
a goods code or a 医保编码 (the national catalogue's letters and figures, 医保编码 with or without
its colon) and a 批号/效期 line under it on some, and the figures on their own line either as
`数量 × 单价 = 金额` or under a `规格 数量 单价 金额` header (the spec first); a 会员/医保 discount under
some rows; the sum (合计, 总计, 应收合计), then the payment lines — 医保卡支付 with 统筹支付 and 个人账户,
or 现金/微信/支付宝 — some printed with no colon, the figure a few spaces away; the seller and its
税号 at the head or at the foot.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount, cells, cn0, day, money, vat_numbers
from archive.demo.families.receipts import _clock, _till_truth
from archive.ocr.normalize import amount_to_capital

_NAME_HEADS = ("品名", "商品名称", "药品名称", "名称", "项目")
_SUMS = ("合计", "总计", "应收合计", "应收金额", "应付")
_WALLETS = ("现金", "微信支付", "支付宝", "银联卡")
_SHOPS = ("{hospital}便民商店", "{hospital}门诊药房", "{company}")


def _goods(rng: random.Random) -> list[tuple[str, str, str, str, str, str]]:
    """(name, spec, unit, quantity, unit price, amount) of 1 to 6 goods; some quantities with
    places (a weighed 中药饮片), some prices with three places (a pharmacy's split packs)."""
    goods = []
    for name, spec, unit in rng.sample(pools.SHOP_GOODS, rng.randint(1, 6)):
        if unit in ("g", "克") and rng.random() < 0.5:
            quantity = Decimal(rng.choice(("15", "30", "60", "100", "12.5")))
            price = f"{Decimal(rng.randrange(5, 300)) / 1000:.3f}"
        else:
            quantity = Decimal(rng.randint(1, 5))
            price = amount(money(rng, 150, 16000))
        value = (quantity * Decimal(price)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        goods.append((name, spec, unit, str(quantity), price, amount(value)))
    return goods


def _grouped(number: str) -> str:
    return " ".join(number[at:at + 4] for at in range(0, len(number), 4))


def _insurance_code(rng: random.Random) -> str:
    """A 医保 catalogue code: a letter and figures (XA02BCA123A001010104321)."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return ("X" + rng.choice(letters) + pools.digits(rng, 2) + "".join(rng.choice(letters) for _ in range(3))
            + pools.digits(rng, 3) + rng.choice(letters) + pools.digits(rng, 12))


def _under(rng: random.Random, coded: float) -> list:
    """What a pharmacy's till prints under a goods name besides its figures: a code, a batch."""
    lines: list = []
    draw = rng.random()
    if draw < coded / 2:
        lines.append(f"{rng.choice(('医保编码', '医保编码：', '国家医保编码：'))}{_insurance_code(rng)}")
    elif draw < coded:
        lines.append(rng.choice((f"商品编码：{pools.digits(rng, 13)}", f"69{pools.digits(rng, 11)}")))
    if rng.random() < 0.3:
        expiry = f"{rng.randint(2027, 2029)}{rng.choice(('-', '.', '/'))}{rng.randint(1, 12):02d}"
        lines.append(((0.02, f"批号：{pools.digits(rng, 8)}"),
                      (0.22, f"{rng.choice(('效期', '有效期至', '有效期'))}：{expiry}")))
    return lines


def vat_dispensary(rng: random.Random) -> GeneratedDocument:
    digital = rng.random() < 0.7
    code, number = vat_numbers(rng, digital)
    issued = day(rng)
    seller, seller_id = pools.company(rng), pools.tax_id(rng)
    goods = _goods(rng)
    discounts = [Decimal(0) if rng.random() < 0.75 else
                 (Decimal(value) * Decimal("0.05")).quantize(Decimal("0.01")) for *_, value in goods]
    before = sum((Decimal(g[5]) for g in goods), Decimal(0))
    due = before - sum(discounts, Decimal(0))
    # Some tills round the cents off the sum due (抹零) and print what they took.
    rounded = due - due % Decimal("0.1") if rng.random() < 0.3 and due % Decimal("0.1") else due
    total = rounded
    truth = _till_truth(number, code, issued, seller, seller_id,
                        [(n, s, q, p, v) for n, s, _u, q, p, v in goods], total)
    shop = rng.choice(_SHOPS).format(hospital=pools.hospital(rng), company=seller)
    number_text = _grouped(number) if digital and rng.random() < 0.3 else number
    head: list = [f"发票号码：{number_text}", *([f"发票代码：{code}"] if code else []),
                  f"{rng.choice(('开票日期', '开票时间'))}：{rng.choice((issued.isoformat(), cn0(issued)))} "
                  f"{_clock(rng)}"]
    seller_rows = [f"{rng.choice(('销售方名称', '销售方', '销方名称'))}：{seller}",
                   f"{rng.choice(('纳税人识别号', '统一社会信用代码', '税号'))}：{seller_id}"]
    at_foot = rng.random() < 0.4
    rows: list = [((0.06, shop),), *head, *([] if at_foot else seller_rows),
                  ((0, f"流水号：{pools.digits(rng, 16)}"), (0.3, f"收银员：{rng.randint(1, 60):04d}")), RULE]
    # A rule printed in characters under the header and under the goods, or drawn.
    rule = rng.choice((RULE, "-" * 40, "=" * 40, "- " * 20))
    style = rng.random()
    numbered = rng.random() < 0.5
    coded = rng.choice((0.0, 0.5, 1.0))
    if style < 0.5:  # the name, then `数量 × 单价 = 金额` on its own line
        with_spec = rng.random() < 0.3  # 品名/规格: the spec after the name on its line
        name_head = f"{rng.choice(_NAME_HEADS)}/规格" if with_spec else rng.choice(_NAME_HEADS)
        rows += [((0, name_head), (0.2, "数量×单价"), (0.36, "金额")), rule]
        for n, ((name, spec, unit, quantity, price, value), off) in enumerate(
                zip(goods, discounts, strict=True), 1):
            shown = f"{n}.{name}" if numbered else name
            if with_spec and spec[0].isascii():
                shown = f"{shown} {spec}"
                truth["items"][n - 1]["spec"] = spec
            rows.append(shown)
            rows += _under(rng, coded)
            times = rng.choice(("×", "x", "*"))
            figures = f"{quantity}{unit if rng.random() < 0.3 else ''} {times} {price} = {value}"
            rows.append(((0.08, figures),))
            if off:
                word = rng.choice(("会员优惠", "医保优惠", "单品折扣"))
                rows.append(((0.04, word), (0.36, f"-{amount(off)}")))
    else:  # the name on its line, its figures under `规格 数量 单价 金额`
        columns = (0.02, 0.2, 0.27, 0.36)
        rows.append(((0, rng.choice(_NAME_HEADS)),))
        rows.append(cells(columns, ("规格", "数量", rng.choice(("单价", "单价(元)")),
                                    rng.choice(("金额", "金额(元)")))))
        rows.append(rule)
        for n, ((name, spec, _unit, quantity, price, value), off) in enumerate(
                zip(goods, discounts, strict=True), 1):
            rows.append(f"{n:02d} {name}" if numbered else name)
            rows += _under(rng, coded)
            rows.append(cells(columns, (spec, quantity, price, value)))
            truth["items"][n - 1]["spec"] = spec
            if off:
                rows.append(((0.04, "会员优惠"), (0.36, f"-{amount(off)}")))
    rows.append(rule)
    count = len(goods)
    if rounded != due:
        rows += [((0, f"品种：{count}"), (0.2, f"合计：{amount(due)}")),
                 f"{rng.choice(('抹零', '舍零'))}：{rng.choice(('-', ''))}{amount(due - rounded)}",
                 f"{rng.choice(('应收', '应收金额', '应付'))}：{amount(total)}"]
    else:
        rows.append(((0, f"品种：{count}"), (0.2, f"{rng.choice(_SUMS)}：{amount(total)}")))
    if rng.random() < 0.4:
        rows.append(f"合计金额（大写）：{amount_to_capital(amount(total))}")
        truth["total_amount_capital"] = amount(total)
    colon = rng.choice(("：", "  "))
    if rng.random() < 0.5:  # an insured patient: the card pays from the fund and the account
        fund = (total * Decimal(rng.choice(("0.5", "0.6", "0.7")))).quantize(Decimal("0.01"))
        account = min(total - fund, money(rng, 0, 4000))
        rows += [f"医保卡支付{colon}{amount(fund + account)}",
                 ((0.04, f"统筹支付{colon}{amount(fund)}"), (0.24, f"个人账户{colon}{amount(account)}")),
                 f"{rng.choice(_WALLETS)}{colon}{amount(total - fund - account)}"]
    else:
        handed = max(total, (total / 10).to_integral_value(ROUND_HALF_UP) * 10 + rng.choice((0, 10)))
        rows.append(((0, f"{rng.choice(_WALLETS)}{colon}{amount(handed)}"),
                     (0.24, f"找零{colon}{amount(handed - total)}")))
    rows += [RULE, *(seller_rows if at_foot else []), "凭此小票七日内可换开发票",
             "药品售出，非质量问题不予退换"]
    title = "电子发票（普通发票）" if digital else "增值税普通发票（卷票）"
    return from_layout("vat_invoice", "dispensary", title, [rows], truth, f"药房小票-{number}.pdf",
                       size=rng.choice((8, 9)), font=rng.choice(("sans", "serif")))
