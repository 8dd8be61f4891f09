"""Field reading that does not depend on one layout: decorated and spaced labels, values ended by
the next label-like word, values in the grid cell below their label, code lengths, e-bill fields."""

from archive.ocr.fields import extract_fields, read_fields
from archive.ocr.lines import Line


def boxed(text: str, cells: list[tuple[float, int]], top: float, page: int = 1) -> Line:
    """A text-layer line: each cell of `text` (parted by single spaces, as a text layer joins a
    grid's cells) starts at its fraction of the page; characters 0.02 wide, 0.012 high."""
    boxes, position = [], 0
    words = text.split(" ")
    for (left, _), word in zip(cells, words, strict=True):
        for n, _ in enumerate(word):
            boxes.append((left + 0.02 * n, top, left + 0.02 * (n + 1), top + 0.012))
        position += len(word)
        boxes.append(None)  # the space between cells
    return Line(text, None, tuple(boxes[:len(text)]), page)


def test_decorated_labels_are_labels():
    assert extract_fields("invoice", "收款单位(章)：平江县第二人民医院")["hospital"] == "平江县第二人民医院"
    hospital = extract_fields("invoice", "收款单位（盖章）:平江县第二人民医院")["hospital"]
    assert hospital == "平江县第二人民医院"
    party = extract_fields("agreement", "甲方（医疗保障经办机构）    寿平县医疗保障局")["party_a"]
    assert party == "寿平县医疗保障局"


def test_a_decoration_that_makes_another_label_is_not_taken():
    # 合计 with （大写） is the capital amount's label, not the total's
    assert "total_amount" not in extract_fields("invoice", "合计（大写）：壹佰元整")


def test_a_value_ends_where_the_next_label_like_word_begins():
    fields = extract_fields("invoice", "医保编号：721726665471 医保类型：城乡居民基本医疗保险")
    assert fields["insurance_number"] == "721726665471"
    assert fields["insurance_type"] == "城乡居民基本医疗保险"
    # a label no list knows ends it too
    assert extract_fields("referral", "医保编号：182717829202 联系电话：18989959759")["insurance_number"] == \
        "182717829202"


def test_medical_e_bill_identifiers_and_code_lengths():
    text = ("票据代码：43060120    票据号码：0012345678\n校验码：6117f7\n业务流水号：2916078308507040\n"
            "（小写）：578.34")
    fields = extract_fields("invoice", text)
    assert fields["invoice_code"] == "43060120"
    assert fields["invoice_number"] == "0012345678"
    assert fields["check_code"] == "6117f7"
    assert fields["serial_number"] == "2916078308507040"
    assert fields["total_amount"] == "578.34"
    twenty = "24442000000123456789"
    assert extract_fields("invoice", f"发票号码：{twenty}")["invoice_number"] == twenty
    assert "invoice_number" not in extract_fields("invoice", "发票号码：123456789")  # 9 digits: none such


def test_values_in_the_cells_below_a_row_of_labels_are_found_by_their_boxes():
    lines = [boxed("交款人 医保编号 医疗机构", [(0.1, 0), (0.3, 0), (0.6, 0)], 0.20),
             boxed("萧雨建 431510193932 蓝化县中医院", [(0.1, 0), (0.3, 0), (0.6, 0)], 0.22)]
    fields = read_fields("invoice", lines).fields
    assert fields["payer_name"] == "萧雨建"
    assert fields["insurance_number"] == "431510193932"
    assert fields["hospital"] == "蓝化县中医院"


def test_a_cell_below_that_is_not_under_the_label_is_not_its_value():
    # the value row holds nothing under 医疗机构: nothing is taken for it
    lines = [boxed("交款人 医保编号 医疗机构", [(0.1, 0), (0.3, 0), (0.5, 0)], 0.20),
             boxed("萧雨建 431510193932", [(0.1, 0), (0.3, 0)], 0.22)]
    fields = read_fields("invoice", lines).fields
    assert fields["payer_name"] == "萧雨建" and "hospital" not in fields


def test_a_row_of_labels_without_boxes_reads_the_same_column_below():
    text = "姓名    性别    年龄    身份证号\n金银建    女    7    350102195011204318"
    fields = extract_fields("referral", text)
    assert fields["patient_name"] == "金银建"
    assert fields["id_number"] == "350102195011204318"


def test_spaced_labels_and_half_width_colons():
    text = "姓    名:诸葛浩丽    性    别:男\n医 保 号:9608233041\n转出医院(章):颍溪县精神病医院"
    fields = extract_fields("referral", text)
    assert fields == {"patient_name": "诸葛浩丽", "insurance_number": "9608233041",
                      "from_hospital": "颍溪县精神病医院"}


def test_a_label_standing_alone_is_tried_before_one_ending_a_longer_word():
    fields = extract_fields("daily_statement", "入院日期：2026-04-07    清单日期：2026-04-12")
    assert fields["statement_date"] == "2026-04-12"


def test_a_date_range_written_from_to():
    fields = extract_fields("agreement", "协议期限：自2025年1月1日起至2025年12月31日止")
    assert (fields["valid_from"], fields["valid_to"]) == ("2025-01-01", "2025-12-31")


def test_a_text_layer_grid_row_is_parted_by_its_gaps():
    # one space between cells far apart is a wide gap: 日合计's value is the amount, not more
    lines = [boxed("日合计 2034.68", [(0.1, 0), (0.4, 0)], 0.5)]
    assert read_fields("daily_statement", lines).fields["daily_total"] == "2034.68"


def test_several_fee_categories_to_a_row():
    fields = extract_fields("invoice", "检查费    1,660.96    手术费    741.83    材料费    1,047.13")
    assert fields["line_items"] == [{"category": "检查费", "amount": "1660.96"},
                                    {"category": "手术费", "amount": "741.83"},
                                    {"category": "材料费", "amount": "1047.13"}]


def test_a_fee_row_of_a_category_not_on_the_list_leaves_the_list_absent_and_flagged():
    reading = read_fields("invoice", "西药费：491.86\n救护车费：1,083.75\n检查费：1783.09")
    assert "line_items" not in reading.fields
    assert [item["field"] for item in reading.unreadable] == ["line_items"]


def test_a_table_is_read_by_the_columns_its_header_names_and_a_page_subtotal_is_no_row():
    text = ("姓名：韩涛    清单日期：2026-04-12\n"
            "序号    项目编码    项目名称    单位    数量    单价    金额    类别\n"
            "1    271134644    肾功能检查    次    1    401.63    401.63    甲\n"
            "2    820358468    阿莫西林胶囊    0.25g    3    10.50    31.50    甲\n"
            "本页小计    433.13\n合计：433.13")
    fields = extract_fields("daily_statement", text)
    assert fields["items"] == [
        {"name": "肾功能检查", "spec": "次", "unit_price": "401.63", "quantity": "1", "amount": "401.63",
         "insurance_class": "甲"},
        {"name": "阿莫西林胶囊", "spec": "0.25g", "unit_price": "10.50", "quantity": "3", "amount": "31.50",
         "insurance_class": "甲"}]
    assert fields["daily_total"] == "433.13"


def ocr_line(text: str, confidence: float = 95.0) -> Line:
    return Line(text, (confidence,) * len(text))


def test_a_header_of_short_words_is_a_row_of_labels_even_when_only_one_is_known():
    # 姓名 beside 性别 (no list knows 性别): the name is below, not 性别
    fields = read_fields("referral", [ocr_line("姓名  性别"), ocr_line("邓斌涵  女")]).fields
    assert fields["patient_name"] == "邓斌涵"
    # ... and a short value right of its label with nothing under it is still its value
    capital = read_fields("invoice", [ocr_line("合计（大写）  壹佰元整")]).fields["total_amount_capital"]
    assert capital == "100.00"


def test_ocr_brackets_and_a_speck_after_the_cents():
    fields = read_fields("agreement", [ocr_line("甲方〈医疗保障经办机构 )  和丰县医疗保障服务中心")]).fields
    assert fields["party_a"] == "和丰县医疗保障服务中心"
    assert read_fields("invoice", [ocr_line("合计（小写）：275.22.")]).fields["total_amount"] == "275.22"
    assert read_fields("invoice", [ocr_line("放射费  275.22.")]).fields["line_items"] == [
        {"category": "放射费", "amount": "275.22"}]


def test_a_payment_label_on_a_line_of_its_own_is_no_fee_row():
    # on a scan the fund split may come out one payment a line: 个人自费 is a field, not a fee
    reading = read_fields("invoice", "西药费：491.86\n个人自费：1.87\n检查费：1783.09")
    assert [row["category"] for row in reading.fields["line_items"]] == ["西药费", "检查费"]
    assert reading.fields["self_funded"] == "1.87"
