"""Field reading of the shapes provincial paper bills print (issue 17, point 2; the tuning families
invoice.ward, invoice.insurance, invoice.boxed): a decorated label one narrow gap from its value,
the total's figures after its capitals with no label, the stay as one range, 社会保障号码, fee
categories in a grid with the amounts in the cells below, a vertical heading beside item rows."""


from archive.ocr.fields import read_fields
from tests.fixtures.born_digital import read_family
from tests.unit.test_field_readfix import row


def test_a_label_closed_by_its_decoration_takes_the_value_one_narrow_gap_after_it():
    fields = read_fields("invoice", "收款单位（盖章） 平江县人民医院  收款人  张三").fields
    assert fields["hospital"] == "平江县人民医院"
    footer = read_fields("invoice", "收款单位（章） 收款人（章） 复核人（章）")  # labels, no values
    assert "hospital" not in footer.fields and not footer.unreadable


def test_figures_after_the_capitals_are_the_total_only_when_they_say_the_same_amount():
    text = "合计人民币（大写）：玖仟玖佰陆拾叁元零陆分  ￥9963.06"
    fields = read_fields("invoice", text).fields
    assert (fields["total_amount"], fields["total_amount_capital"]) == ("9963.06", "9963.06")
    disagreeing = read_fields("invoice", "合计人民币（大写）：玖仟玖佰陆拾叁元零陆分  ￥9963.60").fields
    assert "total_amount" not in disagreeing  # another sum's figures, or a misread: not taken


def test_the_stay_printed_as_one_range_gives_admission_and_discharge():
    fields = read_fields("invoice", "住院时间：2026年9月13日至2026年9月26日  共13天").fields
    assert (fields["admission_date"], fields["discharge_date"]) == ("2026-09-13", "2026-09-26")


def test_a_social_security_number_is_the_insurance_number():
    fields = read_fields("invoice", "交款人：王芳  社会保障号码：9574780237  性别：女").fields
    assert fields["insurance_number"] == "9574780237"


def test_fee_categories_in_a_grid_take_the_amounts_in_the_cells_under_them():
    lines = [row(0.30, (0.0, "床位费"), (0.2, "化验费"), (0.4, "治疗费"), (0.6, "手术费")),
             row(0.32, (0.0, "1039.71"), (0.4, "1781.30"), (0.6, "2791.35")),  # 化验费 left blank
             row(0.34, (0.0, "西药费"), (0.2, "放射费")),
             row(0.38, (0.0, "合计：5612.36"))]
    items = read_fields("invoice", lines).fields["line_items"]
    assert items == [{"category": "床位费", "amount": "1039.71"}, {"category": "治疗费", "amount": "1781.30"},
                     {"category": "手术费", "amount": "2791.35"}]


def test_a_grid_amount_stands_under_the_category_whose_cell_it_lies_in():
    # Labels centred in their cells, a short amount at its cell's left: 39.71 lies in 化验费's cell
    # (whose label starts right of it), not in 床位费's.
    lines = [row(0.30, (0.06, "床位费"), (0.26, "化验费"), (0.46, "治疗费")),
             row(0.32, (0.21, "39.71"), (0.42, "60.00")),
             row(0.38, (0.0, "合计：99.71"))]
    items = read_fields("invoice", lines).fields["line_items"]
    assert items == [{"category": "化验费", "amount": "39.71"}, {"category": "治疗费", "amount": "60.00"}]
    across = [lines[0], row(0.32, (0.13, "39.71"), (0.42, "60.00")), lines[2]]  # across a parting
    assert "line_items" not in read_fields("invoice", across).fields


def test_a_grid_amount_under_no_category_refuses_the_list():
    # Without boxes an amount row shorter than its categories cannot be placed: no list, not a guess.
    reading = read_fields("invoice", "床位费  化验费  治疗费\n1039.71  2791.35\n合计：3831.06")
    assert "line_items" not in reading.fields
    assert any(item["field"] == "line_items" for item in reading.unreadable)


def test_a_vertical_headings_characters_beside_the_item_rows_are_no_part_of_them():
    text = "\n".join(("收  诊察费  ￥1076.45  卫生材料费  ￥1395.93",
                      "收费  检查费  ￥357.24  一般诊疗费  ￥99.85", "项", "目", "合计（小写）：2929.47"))
    items = read_fields("invoice", text).fields["line_items"]
    assert [item["category"] for item in items] == ["诊察费", "卫生材料费", "检查费", "一般诊疗费"]


def test_the_ward_and_boxed_families_read_whole_from_their_text_layer():
    for family in ("ward", "boxed"):
        for index in range(3):
            document, fields = read_family("invoice", family, f"provincial:{family}:{index}")
            assert {name: fields.get(name) for name in document.truth} == document.truth, (family, index)
