"""Which characters masking hides, read from `mask` itself (archive.search.hiding)."""

from __future__ import annotations

import random

from archive.demo import documents as gen
from archive.records.masking import mask_text
from archive.search.hiding import hidden_marks, hidden_offsets
from archive.search.schema import bigrams, digit_grams


def test_the_visible_characters_are_the_masked_text_without_its_asterisks():
    rng = random.Random(5)
    for _ in range(300):
        numbers = [gen.id_number(rng), f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                   f"0{rng.randrange(10, 999)}-{rng.randrange(10**6, 10**8)}",
                   f"({rng.choice(['010', '0755'])}) {rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}"]
        words = ["张伟", "电话：", "金额 12.50", "身份证号", "\n", " ", "、", "2026-03-05", "00231234"]
        text = "".join(rng.choice(words + numbers) for _ in range(rng.randint(1, 12)))
        hidden = set(hidden_offsets(text))
        visible = "".join(char for n, char in enumerate(text) if n not in hidden)
        assert visible == mask_text(text).replace("*", ""), text
        assert all(text[n].isdigit() or text[n] in "- " for n in hidden), text


def test_marks_sit_where_the_text_and_digit_grams_are():
    text = "交款人：王芳\n身份证号：110101199912246213 电话：13862135678"
    marks = hidden_marks(text)
    hidden = hidden_offsets(text)
    text_marks = [(position, start) for position, start, term in marks if term == "text"]
    assert [start for _, start in text_marks] == hidden
    pairs = {start: position for position, start, _ in bigrams(text)}  # not at a run's last
    assert all(pairs[start] == position for position, start in text_marks if start in pairs)
    grams = {start: position for position, start, _ in digit_grams(text)}
    digit_marks = [(position, start) for position, start, term in marks if term == "digits"]
    assert [start for _, start in digit_marks] == hidden
    assert all(grams[start] == position for position, start in digit_marks if start in grams)
    assert {term for _, _, term in marks} - {"text", "digits"} == {f"c{d}" for d in set("19991224" + "6213")}
