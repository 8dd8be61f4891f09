"""Highlighted snippets that respect Chinese sentences.

Matches are found in the folded page text (offsets equal the original's), a fragment reaches
out to the nearest sentence end (。！？；, a line break) within a window, and everything but
the <mark> tags is HTML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from archive.search.schema import fold

SENTENCE_ENDS = "。！？；!?;\n"
CONTEXT = 24  # characters each side of a match, at most
MAX_FRAGMENTS = 3


@dataclass
class Snippet:
    page: int  # 1-based page number of the first match
    html: Markup


def matches(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of any term in `text`, merged, in order."""
    folded, spans = fold(text), []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def snippet(pages: list[str], terms: list[str]) -> Snippet | None:
    """The fragments around the first matches, from the first page that has any."""
    for number, text in enumerate(pages, start=1):
        spans = matches(text, terms)
        if spans:
            return Snippet(number, _render(text, spans))
    return None


def _render(text: str, spans: list[tuple[int, int]]) -> Markup:
    windows: list[list] = []
    for start, end in spans:
        left, right = _bounds(text, start, end)
        if windows and left <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], right)
            windows[-1][2].append((start, end))
        elif len(windows) < MAX_FRAGMENTS:
            windows.append([left, right, [(start, end)]])
    fragments = []
    for left, right, inside in windows:
        parts, cursor = [], left
        for start, end in inside:
            parts.append(escape(text[cursor:start]))
            parts.append(Markup("<mark>%s</mark>") % text[start:end])
            cursor = end
        parts.append(escape(text[cursor:right]))
        fragments.append(Markup("").join(parts).strip())
    return Markup(" … ").join(fragments)


def _bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(0, start - CONTEXT)
    for index in range(start - 1, left - 1, -1):
        if text[index] in SENTENCE_ENDS:
            left = index + 1
            break
    right = min(len(text), end + CONTEXT)
    for index in range(end, right):
        if text[index] in SENTENCE_ENDS:
            right = index + 1 if text[index] != "\n" else index
            break
    return left, right
