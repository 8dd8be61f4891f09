"""A person's name read after a label ([persons] in labels.toml; a field with `person = true`).

A name is one word: two to four Chinese characters, or a minority name with its middle dot, or a
long minority name standing alone. Bills print the patient's sex, age and numbers on the same
line (`患者：王芳 男 45岁`, `姓名：王芳 性别 女 门诊号 …`): the name is the first word when what
follows it is such a bare value or a label, never the words run together (王芳男, 王芳性别女).
A word that is a label, a form's word, a role (收款人), a unit or a payment word (个人, 自费) is no
name.

Labels that may name someone else (姓名 of a 收款人 or a doctor, 患者 or 付款人 in a footer) give
a value only where the layout makes it the patient's: on or beside a line printing the patient's
own fields (性别, 年龄, 门诊号, 住院号, 医保…), or above the bill's foot (its total and its payee),
and never right after a role's word (复核人 姓名, 医生姓名, 监护人姓名). Those that also head words
no name is (患者须知, 付款人户名) and take a drug, a bank or a payment way after them (患者：阿莫西林,
付款人：微信) give one above the foot only when the name is followed by the patient's bare sex or
age, or is a Han name, its surname first ([persons] surnames)."""

from __future__ import annotations

import re
from functools import cache

from archive.ocr.label_match import is_label
from archive.ocr.label_spec import label_rules
from archive.ocr.lines import Line
from archive.ocr.reference import names

CJK = r"[\u4e00-\u9fff]"
_SHORT = re.compile(rf"{CJK}{{2,4}}")
# What runs on to a name glued to what follows it: the sex (王芳男), a title's first character
# (王芳先生, 王芳女士). A longer run ending so is not told from a name ending so.
_RUN_ON = "男女先士"
# A name run on from its label (交款人李建国), up to a space or the line's end; a run of three or
# four ending in the sex or a title's start (交款人李建国男, 姓名李建国先) is refused.
GLUED_NAME = rf"(?<!\s)(?!{CJK}{{2,3}}[{_RUN_ON}](?:\s|$)){_SHORT.pattern}(?:\s|$)"
_DOTTED = re.compile(r"[\u4e00-\u9fff]{1,10}(?:[·•・．.][\u4e00-\u9fff]{1,10})+")
_LONG = re.compile(r"[\u4e00-\u9fff]{5,12}")


@cache
def _persons() -> dict:
    return label_rules().get("persons", {})


@cache
def _bare_value() -> re.Pattern:
    return re.compile(_persons().get("bare_values", r"男|女"))


def _words(key: str) -> tuple[str, ...]:
    return tuple(_persons().get(key, ()))


@cache
def _not_name_words() -> tuple[str, ...]:
    """Words no name holds: [persons] not_names_within, and the lists it names ([vat_items]
    not_goods: the sums and payment ways a till prints, 微信, 支付宝, 现金)."""
    rules = label_rules()
    words = []
    for source in _words("not_names_within"):
        section, _, key = source.rpartition(".")
        words += rules.get(section, {}).get(key, []) if section else [source]
    return tuple(words)


@cache
def _known_words() -> frozenset[str]:
    """The page's other words the agency's lists know (storage_config/reference.toml): a drug or
    service billed, a diagnosis, a department, a provider. No one is named so."""
    return frozenset(word for key in _words("known_lists") for word in names(key))


def _not_a_name(word: str) -> bool:
    heads = label_rules().get("label_heads", {})
    forms = (*heads.get("alone", ()), *_words("roles"), *_words("patient_fields"), *_not_name_words())
    return (word in _words("not_names") or is_label(word) or any(form in word for form in forms)
            or word.endswith(_words("not_name_endings")) or word in _known_words()
            or any(char in word for char in _persons().get("not_name_characters", "")))


@cache
def _surnames_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_words("surnames"), key=len, reverse=True))


def _surname(word: str) -> str | None:
    return next((name for name in _surnames_longest_first() if word.startswith(name)), None)


def han_name(word: str) -> bool:
    """Whether `word` is a Han name as registration writes it: a listed surname and one or two
    characters (欧阳晓明, 初晓敏, 单明), and no word of another kind (利福平, 海南省, 成人)."""
    surname = _surname(word)
    return surname is not None and 1 <= len(word) - len(surname) <= 2 and name_word(word, alone=False)


def signer_name(word: str) -> bool:
    """Whether a signer's value is a name: a Han one; a minority name with its dot or long
    (买买提·艾力, 艾力吐尔逊); or, with no listed surname first, one of three or four characters
    (其其格, 扎西多吉). 签字：同意 and 患者签字：已核对 sign no one."""
    return han_name(word) or name_word(word, alone=True) and (
        not _SHORT.fullmatch(word) or _surname(word) is None and len(word) >= 3)


def _minority_run(word: str) -> bool:
    """A long run may be a minority name written without its dot only when it holds no word a name
    does not (县人民医院门诊部, 城乡居民医疗). (A listed surname may begin one: 艾力吐尔逊.)"""
    inside = [ending for ending in (*_words("not_name_endings"), *_words("not_names")) if len(ending) > 1]
    return not any(ending in word for ending in inside)


def name_word(word: str, *, alone: bool) -> bool:
    """Whether `word` is a person's name; `alone`: nothing follows it on its line's value, so a
    long minority name written without its dot may be one."""
    if _not_a_name(word):
        return False
    return bool(_SHORT.fullmatch(word) or _DOTTED.fullmatch(word)
                or (alone and _LONG.fullmatch(word) and _minority_run(word)))


def follows_a_name(word: str) -> bool:
    """What a bill prints after the patient's name, no part of it: a bare value (男, 45岁, a
    number), a label (one known, or any word with its colon: ID：…), or a word no name is (a
    department, a scheme, 自费: [persons] not_names and not_name_endings)."""
    head = re.split(r"[:：]", word)[0]
    return bool(_bare_value().fullmatch(word) or (head != word and (
        is_label(head) or re.fullmatch(r"[^\s:：]{1,10}", head))) or word.startswith(
        (*_words("patient_fields"), *_words("roles"))) or re.search(r"[0-9A-Za-z]", word)
        or _not_a_name(word))


_NAME_FIRST = re.compile(r"([\u4e00-\u9fff]+(?:[·•・．.][\u4e00-\u9fff]+)*)(.*)$", re.S)
_AGE = re.compile(r"\d{1,3}(?:岁|周岁)")
_PARTS = re.compile(r"[\s/／,，|、;；]+")


def person_value(raw: str) -> str | None:
    """The name a value read after a name label holds, or None: the value's first word, when it
    stands alone or what follows it is a remark in brackets (王芳（自费）), or, after a space, a
    slash or a comma, the patient's sex, age or another label (王芳 男 45岁, 王芳/女/45岁)."""
    found = _NAME_FIRST.match(raw.strip())
    if found is None:
        return None
    name, rest = re.sub(r"[•・．.]", "·", found.group(1)), found.group(2).strip()
    if not rest:
        return name if name_word(name, alone=True) else None
    first, following = found.group(2)[0], next(part for part in _PARTS.split(rest) if part)
    if _AGE.match(following) and name.endswith(tuple(_RUN_ON)):
        return None  # 王芳男 45岁: the sex run on to the name, or a name ending so? Not told apart.
    if first in "（(" or first.isascii() and first.isalnum() or following[0] in "（(":
        return name if name_word(name, alone=False) else None  # 王芳（自费）, 王芳 ( 男 ), 王芳4403…
    if first not in " \t\u3000/／,，|、;；":
        return None  # 王芳性别：… is cut before its label; anything else run on is no name
    if follows_a_name(following):
        # A long minority name stands as a word of its own before the patient's bare sex or age
        # or one of the patient's fields (阿依古丽买买提 女 45岁, … 性别 女).
        alone = bool(_bare_value().fullmatch(following) or following.startswith(_words("patient_fields")))
        return name if name_word(name, alone=alone) else None
    # A name OCR spaced (李 建国): its words together, when nothing else is on the value.
    words = raw.split()
    joined = "".join(words)
    return joined if all(re.fullmatch(r"[\u4e00-\u9fff·]+", w) for w in words) and name_word(
        joined, alone=True) else None


def joined_fields() -> str:
    """The patient's fields a name label is printed joined to, slash by slash, their values the
    same way after the colon (姓名/性别/年龄：王芳/女/45岁)."""
    words = "|".join(map(re.escape, sorted(_words("patient_fields"), key=len, reverse=True)))
    return rf"(?:\s*[/／]\s*(?:{words})){{0,4}}"


def shared(rule: dict, label_text: str, key: str = "shared_labels") -> bool:
    """Whether the label read (its characters, spaces and decoration aside) may name someone else
    (or, key `word_labels`, heads words no name is, too)."""
    compact = re.sub(r"[（(/:：;；].*$", "", re.sub(r"\s", "", label_text))
    return compact in rule.get(key, ())


ROLE_REACH = 4  # characters before a label within which a role's word makes the name its own


def after_a_role(text: str, start: int, end: int) -> bool:
    """Whether a role's word stands right before the label at text[start:end] or inside what was
    read as it (复核人 姓名, 医生姓名, 收款人  姓名 read as 病人姓名 with a character wrong)."""
    before = re.sub(r"\s", "", text[:start])[-ROLE_REACH:]
    return any(role in before + re.sub(r"\s", "", text[start:end]) for role in _words("roles"))


def the_patients(lines: list[Line], index: int, end: int, *, words_too: bool = False) -> bool:
    """Whether a label that may name someone else, ending at lines[index].text[end], names the
    patient: on or beside a line printing the patient's own fields; else above the bill's foot,
    and, for a label that heads other words too (`words_too`: 患者 须知, 付款人：微信), only when
    the name is followed by a bare sex or age (患者 王芳 男) or is a Han name (a listed surname and
    one or two characters, no word of another kind) or a dotted minority name."""
    near = " ".join(line.text for line in lines[max(index - 1, 0):index + 2])
    if any(field in near for field in _words("patient_fields")):
        return True
    foot = next((n for n, line in enumerate(lines) if any(word in line.text for word in _words("foot"))),
                len(lines))
    if index >= foot:
        return False
    if not words_too:
        return True
    words = _value_words(lines, index, end)
    if not words:
        return False
    if len(words) > 1 and _bare_value().fullmatch(words[1]):
        return True
    # Nothing of the patient's beside: a Han name as registration writes it (not 利福平, 常规转诊), or a
    # minority name with its dot (买买提·艾力), which no drug or place is written as.
    first = _NAME_FIRST.match(words[0])
    return first is not None and (han_name(first.group(1)) or bool(
        _DOTTED.fullmatch(first.group(1)) and name_word(first.group(1), alone=False)))


def _value_words(lines: list[Line], index: int, end: int) -> list[str]:
    """The words after a label: on its line, or, when it ends the line, on the line below."""
    rest = lines[index].text[end:].lstrip(" \t\u3000:：")
    if not rest.strip() and index + 1 < len(lines):
        rest = lines[index + 1].text
    return [part for part in _PARTS.split(rest) if part]
