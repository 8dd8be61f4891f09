"""Doubtful field lines read a second time (archive.ocr.second_reading): a word is raised only
where both readings give every one of its characters, and never lowered."""

from archive.ocr.second_reading import confirmed_confidences, needs_second_reading, reread_words


def chars(text: str, confidences: list[float]) -> list[tuple[str, float]]:
    assert len(text) == len(confidences)
    return list(zip(text, confidences, strict=True))


def test_a_character_both_readings_give_keeps_the_better_confidence():
    # A speck before 科室 drags 院 down on the page; read alone, 院 comes back confidently.
    page = [("医院", 92), (":", 57), ("市", 96), ("医", 90), ("院", 46), ("”科室", 46)]
    alone = chars("医院;市医院科室", [93, 93, 72, 96, 59, 59, 59, 59])
    assert confirmed_confidences(page, alone) == [93, 57, 96, 90, 59, 59]  # the colon, ; alone, stays


def test_a_character_that_differs_keeps_the_page_reading():
    page = [("股骨", 92), ("颈", 0), ("消", 0), ("折", 83)]
    alone = chars("股骨颈骨折", [92, 92, 78, 88, 87])
    # 消 is read as 骨 alone: not confirmed; 折 agrees, but alone between two differences
    assert confirmed_confidences(page, alone) == [92, 78, 0, 83]


def test_a_word_is_raised_only_when_all_its_characters_agree():
    page = [("县人民医院", 30)]
    assert confirmed_confidences(page, chars("县人民卫生院", [90] * 6)) == [30]
    assert confirmed_confidences(page, chars("县人民医院", [90] * 5)) == [90]


def test_a_lone_agreeing_character_is_chance_not_confirmation():
    page = [("甲", 20), ("乙", 95), ("丙", 20)]
    assert confirmed_confidences(page, chars("丁甲戊", [99, 99, 99])) == [20, 95, 20]


def test_a_lower_second_confidence_never_lowers_a_word():
    page = [("诊断", 90), ("骨折", 80)]
    assert confirmed_confidences(page, chars("诊断骨折", [10, 10, 10, 10])) == [90, 80]


def test_only_a_labelled_line_with_a_doubtful_chinese_word_is_read_again():
    assert needs_second_reading(["诊断", ":", "骨折"], [90, 90, 40])
    assert not needs_second_reading(["诊断", ":", "骨折"], [90, 90, 60])  # nothing doubtful
    assert needs_second_reading(["有效期", ":", "2026年12月", "31", "日"], [90, 90, 90, 46, 85])  # a digit
    assert not needs_second_reading(["诊断", ":", "..."], [90, 90, 10])  # a speck: nothing to read
    assert not needs_second_reading(["阿莫西林", "胶囊"], [90, 30])  # no colon: a table row


def test_a_speck_glued_to_a_word_need_not_be_confirmed():
    page = [("保健", 93), ("院”科室", 41)]
    assert confirmed_confidences(page, chars("保健院科室", [93, 93, 70, 88, 90])) == [93, 70]


def test_a_doubtful_character_the_grey_reading_gives_otherwise_is_replaced():
    # The page (black and white) reads 霞 as 去 at 0; the grey page, before its threshold, as 霞.
    page = [("姓名", 91), (":", 90), ("罗", 90), ("去", 0), ("住院", 94)]
    grey = chars("姓名:罗霞住院", [93, 93, 90, 90, 58, 93, 93])
    assert reread_words(page, [grey], grey=grey) == [("姓名", 93), (":", 90), ("罗", 90), ("霞", 58),
                                                     ("住院", 94)]


def test_only_a_doubtful_character_is_replaced_and_only_by_a_confident_one():
    page = [("马", 88), ("候", 82)]  # 候 is confident: the grey 霞 does not overrule it
    grey = chars("马霞", [92, 90])
    assert reread_words(page, [grey], grey=grey) == page
    page = [("罗", 90), ("去", 0)]
    assert reread_words(page, [], grey=chars("罗霞", [90, 38])) == page  # 霞 at 38: still doubt
    # Readings that do not align one for one replace nothing.
    assert reread_words(page, [], grey=chars("罗人起", [90, 80, 80])) == page


def test_a_word_with_a_replaced_character_is_as_sure_as_its_least_sure_character():
    page = [("何", 90), ("娜规", 20)]  # 娜 agrees nowhere: 规 → 霞 alone does not make 娜霞 sure
    grey = chars("何娜霞", [92, 30, 70])
    assert reread_words(page, [], grey=grey) == [("何", 90), ("娜霞", 20)]
