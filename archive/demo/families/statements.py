"""一日清单 (daily inpatient statements) as different hospital information systems print them.

One page or several: a long day's table runs over pages, with the table header repeated on each
page or printed on the first only, a page subtotal (本页小计, 小计) closing each page and the
day's total (合计, 费用合计) after the last row; item codes and sequence numbers; 甲/乙/丙 class
columns under their systems' own headings.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from archive.demo import pools
from archive.demo.documents import RULE, GeneratedDocument, from_layout
from archive.demo.families.common import amount as _amount
from archive.demo.families.common import cells
from archive.demo.families.common import day as _day

# Items long statements also bill, with the 丙 (self-funded) class real statements carry.
MORE_ITEMS = (
    ("左氧氟沙星氯化钠注射液", "100ml", "乙"), ("低分子肝素钙注射液", "0.4ml", "乙"),
    ("心电监护", "小时", "甲"), ("雾化吸入", "次", "甲"), ("血糖监测", "次", "甲"),
    ("动态血压监测", "次", "乙"), ("人血白蛋白", "10g", "丙"), ("一次性使用输液器", "套", "丙"),
    ("医用敷料", "贴", "丙"), ("营养支持评估", "次", "丙"), ("电解质测定", "次", "甲"),
    ("C反应蛋白测定", "次", "甲"), ("凝血四项", "次", "乙"), ("尿常规", "次", "甲"), ("灌肠", "次", "甲"),
    ("口腔护理", "次", "甲"),
)

class _Stay:
    """What a daily statement of any family states."""

    def __init__(self, rng: random.Random, *, count: int | None = None):
        self.patient = pools.person(rng, minority=0.03)
        self.hospital = pools.hospital(rng)
        self.department = rng.choice(pools.DEPARTMENTS)
        self.number = pools.digits(rng, rng.choice((6, 8, 10)))
        self.day = _day(rng)
        self.items = []
        billed = (rng.sample(pools.STATEMENT_ITEMS, rng.choice((3, 4, 5))) if count is None
                  else rng.sample(pools.STATEMENT_ITEMS + MORE_ITEMS, count))
        for name, spec, cls in billed:
            price, quantity = Decimal(rng.randrange(100, 50000)) / 100, rng.randrange(1, 4)
            self.items.append({"name": name, "spec": spec, "unit_price": _amount(price),
                               "quantity": str(quantity), "amount": _amount(price * quantity),
                               "insurance_class": cls})
        self.total = _amount(sum((Decimal(i["amount"]) for i in self.items), Decimal(0)))

    def truth(self, signed: bool = True) -> dict:
        return {"patient_name": self.patient, "inpatient_number": self.number, "hospital": self.hospital,
                "department": self.department, "statement_date": self.day.isoformat(),
                "items": self.items, "daily_total": self.total,
                **({"signed_by": self.patient} if signed else {})}


_ITEM_COLUMNS = (0, 0.36, 0.52, 0.66, 0.78, 0.9)


def _item_rows(stay: _Stay) -> list:
    return [tuple(zip(_ITEM_COLUMNS, (i["name"], i["spec"], i["unit_price"], i["quantity"], i["amount"],
                                      i["insurance_class"]), strict=True)) for i in stay.items]


def statement_his(rng: random.Random) -> GeneratedDocument:
    """A hospital system's 每日费用清单: key–value header on three columns, the table in cells."""
    stay = _Stay(rng)
    rows = [((0, f"患者姓名：{stay.patient}"), (0.38, f"住院号：{stay.number}"),
             (0.7, f"床号：{rng.randrange(1, 60)}")),
            ((0, f"医疗机构：{stay.hospital}"), (0.66, f"科室：{stay.department}")),
            ((0, f"费用日期：{stay.day:%Y年%m月%d日}"),), RULE,
            tuple(zip(_ITEM_COLUMNS, ("项目名称", "规格", "单价", "数量", "金额", "类别"), strict=True)),
            *_item_rows(stay), RULE,
            ((0, f"当日合计：{stay.total}"),), ((0, f"患者（家属）签字：{stay.patient}"),)]
    return from_layout("daily_statement", "his", "住院患者每日费用清单", [rows], stay.truth(),
                       f"费用清单-{stay.patient}.pdf", font="serif")


def statement_grid(rng: random.Random) -> GeneratedDocument:
    """The header as a grid (labels above their values), the total and signature without colons."""
    stay = _Stay(rng)
    rows = [((0, "姓名"), (0.2, "住院号"), (0.42, "科别"), (0.72, "清单日期")),
            ((0, stay.patient), (0.2, stay.number), (0.42, stay.department), (0.72, stay.day.isoformat())),
            ((0, f"医院名称：{stay.hospital}"),), RULE,
            tuple(zip(_ITEM_COLUMNS, ("项目", "规格", "单价", "数量", "金额", "类别"), strict=True)),
            *_item_rows(stay), RULE,
            ((0, "日合计"), (0.3, stay.total)), ((0, "患者签字"), (0.3, stay.patient))]
    return from_layout("daily_statement", "grid", "住院费用一日清单", [rows], stay.truth(),
                       f"一日清单-{stay.patient}.pdf")


def statement_coded(rng: random.Random) -> GeneratedDocument:
    """Another system's table: sequence number and item code columns, the unit, quantity before
    price, a page subtotal; the admission date beside the statement date."""
    stay = _Stay(rng)
    admitted = stay.day - timedelta(days=rng.randint(1, 9))
    columns = (0, 0.06, 0.24, 0.5, 0.58, 0.68, 0.8, 0.92)
    rows = [((0, f"姓名：{stay.patient}"), (0.3, f"住院号：{stay.number}"),
             (0.6, f"科室：{stay.department}")),
            ((0, f"入院日期：{admitted.isoformat()}"), (0.5, f"清单日期：{stay.day.isoformat()}")),
            ((0, f"医院：{stay.hospital}"),), RULE,
            tuple(zip(columns, ("序号", "项目编码", "项目名称", "单位", "数量", "单价", "金额", "类别"),
                      strict=True))]
    rows += [tuple(zip(columns, (str(n), pools.digits(rng, 9), i["name"], i["spec"], i["quantity"],
                                 i["unit_price"], i["amount"], i["insurance_class"]), strict=True))
             for n, i in enumerate(stay.items, 1)]
    rows += [((0.5, "本页小计"), (0.8, stay.total)), RULE, ((0, f"合计：{stay.total}"),),
             ((0, f"患者签字：{stay.patient}"), (0.5, f"打印日期：{stay.day.isoformat()}"))]
    return from_layout("daily_statement", "coded", f"{stay.hospital}住院费用一日清单", [rows], stay.truth(),
                       f"一日清单-{stay.patient}.pdf")


def _pages_of(items: list[dict], rng: random.Random) -> list[list[dict]]:
    """The rows as a system breaks them over pages: 7 to 10 a page, at least two pages."""
    size = rng.randint(7, 10)
    pages = [items[start:start + size] for start in range(0, len(items), size)]
    return pages if len(pages) > 1 else [items[:len(items) // 2], items[len(items) // 2:]]


def _subtotal(rows: list[dict]) -> str:
    return _amount(sum((Decimal(i["amount"]) for i in rows), Decimal(0)))


def statement_paged(rng: random.Random) -> GeneratedDocument:
    """A long day over two or three pages, each page printed whole: the patient block, the table
    header (序号, 项目编码, 项目名称, 规格, 数量, 单价, 金额, 医保类别) and a 本页小计 row with the page's
    sum; the day's 合计 and the signature after the last page's rows; 第 n 页/共 m 页 at the foot."""
    stay = _Stay(rng, count=rng.randint(14, 24))
    columns = (0, 0.06, 0.2, 0.5, 0.62, 0.7, 0.8, 0.91)
    header = cells(columns, ("序号", "项目编码", "项目名称", "规格", "数量", "单价", "金额", "医保类别"))
    pages, number = [], 0
    chunks = _pages_of(stay.items, rng)
    for page, chunk in enumerate(chunks, 1):
        rows = [((0, f"姓名：{stay.patient}"), (0.3, f"住院号：{stay.number}"),
                 (0.6, f"科室：{stay.department}")),
                ((0, f"费用日期：{stay.day.isoformat()}"),), RULE, header]
        for item in chunk:
            number += 1
            rows.append(cells(columns, (number, pools.digits(rng, 10), item["name"], item["spec"],
                                        item["quantity"], item["unit_price"], item["amount"],
                                        item["insurance_class"])))
        rows += [RULE, ((0.5, "本页小计"), (0.8, _subtotal(chunk)))]
        if page == len(chunks):
            rows += [((0, f"合计：{stay.total}"),), ((0, f"患者（家属）签字：{stay.patient}"),)]
        rows.append(((0.42, f"第 {page} 页/共 {len(chunks)} 页"),))
        pages.append(rows)
    return from_layout("daily_statement", "paged", f"{stay.hospital}住院费用清单", pages, stay.truth(),
                       f"费用清单-{stay.patient}.pdf", paged_scan=True)


def statement_continued(rng: random.Random) -> GeneratedDocument:
    """A long day printed as one continuous table: the patient block and the column header
    (收费项目, 规格/单位, 单价, 数量, 金额, 甲乙类) on the first page only, each page closed by a 小计 row,
    the day's total as 费用合计 and the signature under the last rows; hospital in the title."""
    stay = _Stay(rng, count=rng.randint(12, 20))
    admitted = stay.day - timedelta(days=rng.randint(1, 12))
    columns = (0, 0.4, 0.54, 0.68, 0.78, 0.92)
    chunks = _pages_of(stay.items, rng)
    first = [((0, f"患者姓名：{stay.patient}"), (0.36, f"住院号：{stay.number}"),
              (0.68, f"科别：{stay.department}")),
             ((0, f"入院时间：{admitted.isoformat()}"), (0.5, f"清单日期：{stay.day.isoformat()}")),
             ((0, f"医疗机构：{stay.hospital}"),), RULE,
             cells(columns, ("收费项目", "规格/单位", "单价", "数量", "金额", "甲乙类"))]
    pages = []
    for page, chunk in enumerate(chunks, 1):
        rows = first if page == 1 else []
        rows = rows + [cells(columns, (i["name"], i["spec"], i["unit_price"], i["quantity"], i["amount"],
                                       i["insurance_class"])) for i in chunk]
        rows.append(cells((0, 0.68), ("小计", _subtotal(chunk))))
        if page == len(chunks):
            rows += [RULE, ((0, f"费用合计：{stay.total}"),), ((0, f"患者签字：{stay.patient}"),)]
        pages.append(rows)
    return from_layout("daily_statement", "continued", "住院病人一日清单", pages, stay.truth(),
                       f"一日清单-{stay.patient}.pdf", font="serif", paged_scan=True)
