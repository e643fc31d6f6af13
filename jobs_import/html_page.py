"""HTML helpers: JSON-LD scripts embedded in a page, and HTML descriptions as plain text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "br", "li", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"}
_BLANKS = re.compile(r"[ \t\r\f\v]+")
_MANY_NEWLINES = re.compile(r"\n\s*\n+")


class _ScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = (dict(attrs).get("type") or "").split(";")[0].strip().casefold()
        if tag == "script" and kind == "application/ld+json":
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.scripts[-1] += data


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def ld_json_scripts(page: str) -> list[str]:
    """The text of every ``<script type="application/ld+json">``, in page order."""
    finder = _ScriptFinder()
    finder.feed(page)
    finder.close()
    return finder.scripts


def strip_tags(text: str) -> str:
    """Plain text from an HTML fragment: tags dropped, entities decoded, blocks on new lines."""
    if "<" not in text:
        return html.unescape(text).strip()
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    joined = "".join(extractor.parts)
    lines = [_BLANKS.sub(" ", line).strip() for line in joined.split("\n")]
    return _MANY_NEWLINES.sub("\n", "\n".join(lines)).strip()
