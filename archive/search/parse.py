"""Reading a user's query string into Whoosh queries, forgivingly.

Syntax: words (all must match), "quoted phrases", -word (must not match), field:value for
the exact fields (name:张伟, id:…, invoice:…, case:AJ-2026-000001, kind:invoice, year:2026…).
A word of two or more characters matches any document whose text contains it. A one-character
word can only match exact fields, and says so. Anything malformed becomes a warning and the
query is searched as plain text instead — parsing never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as q

from archive.search.schema import DIGIT_GRAM, DIGIT_RUN, EXACT_FIELDS, bigrams, digit_grams, fold

FIELD_ALIASES = {
    "case": "case_no", "case_no": "case_no", "案卷号": "case_no",
    "kind": "kind", "类型": "kind", "status": "status", "状态": "status",
    "hospital": "hospital", "医院": "hospital",
    "name": "patient_name", "patient": "patient_name", "姓名": "patient_name",
    "id": "id_number", "id_number": "id_number", "身份证号": "id_number",
    "insurance": "insurance_number", "医保号": "insurance_number",
    "invoice": "invoice_number", "票据号码": "invoice_number", "year": "year", "年度": "year",
    "code": "codes", "text": "text", "全文": "text",
}
_TOKEN = re.compile(r'(-?)(?:([^\s:："]+)[:：])?("[^"]*"|[^\s"]*)|(")')


@dataclass
class Notice:
    """Something about the query the user should know; `message` is for the CLI and the API,
    the web page translates `code` with `value`."""

    code: str
    message: str
    value: str = ""


@dataclass
class ParsedQuery:
    query: q.Query | None  # None: nothing to search for (match every visible document)
    text_terms: list[str] = field(default_factory=list)  # folded, for highlighting
    warnings: list[Notice] = field(default_factory=list)
    # (field, folded value) of each field:value part, negated or not — checked against what the
    # user may see (archive.search.query).
    fields: list[tuple[str, str]] = field(default_factory=list)


def parse_query(raw: str) -> ParsedQuery:
    raw = (raw or "").strip()
    warnings: list[Notice] = []
    if raw.count('"') % 2:
        warnings.append(Notice("unbalanced_quote", "引号不成对，已按普通文字检索 "
                                                   "(unbalanced quote; searched as plain text)", '"'))
        raw = raw.replace('"', " ")
    must, must_not, text_terms, fields = [], [], [], []
    for match in _TOKEN.finditer(raw):
        negate, name, value, stray = match.groups()
        if stray:
            continue
        value = value.strip('"')
        clause = _clause(name, value, match.group(0), warnings, text_terms, negate)
        if name is not None and isinstance(clause, q.Term):
            fields.append((clause.fieldname, clause.text))
        if clause is not None:
            (must_not if negate else must).append(clause)
    if not must and must_not:
        must.append(q.Every())
    query = None
    if must:
        query = must[0] if len(must) == 1 else q.And(must)
        if must_not:
            query = q.AndNot(query, q.Or(must_not))
    return ParsedQuery(query, text_terms, warnings, fields)


def text_query(value: str) -> q.Query | None:
    """Documents whose text contains `value`: its character pairs at consecutive positions
    (one phrase per whitespace-free run). A run of four or more digits is looked up by its
    four-digit grams instead (exact on their own); a longer run with such digits in it, say an
    ID number, must also have them there, which narrows the pair phrase to a few documents."""
    phrases = []
    for run in fold(value).split():
        pairs = [pair for _, _, pair in bigrams(run)]
        if not pairs:
            continue
        grams = [gram for _, _, gram in digit_grams(run)]
        if grams and len(grams) == len(run) - DIGIT_GRAM + 1:  # the whole run is digits
            phrases.append(_phrase("digits", grams))
            continue
        if grams:
            longest = max(DIGIT_RUN.findall(run), key=len)
            phrases.append(_phrase("digits", [g for _, _, g in digit_grams(longest)]))
        phrases.append(_phrase("text", pairs))
    if not phrases:
        return None
    return phrases[0] if len(phrases) == 1 else q.And(phrases)


def _phrase(name: str, grams: list[str]) -> q.Query:
    return q.Term(name, grams[0]) if len(grams) == 1 else q.Phrase(name, grams)


def exact_query(value: str) -> q.Query:
    """Any exact field equal to `value` (e.g. a one-character name or a case number)."""
    folded = fold(value)
    return q.Or([q.Term(name, folded) for name in (*EXACT_FIELDS, "codes")])


def _clause(name, value, original, warnings, text_terms, negate) -> q.Query | None:
    if name is not None:
        target = FIELD_ALIASES.get(fold(name))
        if target is None:
            warnings.append(Notice("unknown_field", f"未知字段 “{name}”，已按普通文字检索 "
                                     f"(unknown field {name!r}; searched as plain text)", name))
            value = original.lstrip("-")
        elif target != "text":
            if not value:
                warnings.append(Notice("empty_value", f"“{name}:” 后缺少内容 (nothing after {name}:)", name))
                return None
            return q.Term(target, fold(value))
    if not value:
        return None
    if all(len(run) < 2 for run in fold(value).split()):
        warnings.append(Notice("single_character", f"单字 “{value}” 只匹配精确字段，请输入两个或更多字 "
                                 f"(one character only matches exact fields; type two or more)", value))
        return exact_query(value)
    if not negate:
        text_terms.extend(run for run in fold(value).split() if len(run) >= 2)
    found = text_query(value)
    return q.Or([found, q.Term("case_no", fold(value)), q.Term("codes", fold(value))])
