"""Web pages as batch input: the article text of a page, its title and publication date,
without the page's navigation, scripts and footers."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """What a page holds to tag: its text, a paragraph a line, and the fields found for it."""

    text: str
    fields: dict


def article(markup: str) -> Article:
    """The article of a page, read from its markup alone (nothing is fetched); its text is
    empty when the page has none."""
    # Imported here: trafilatura loads lxml and date parsers that only web pages need.
    import trafilatura

    # Precise and without the fallback that keeps a page's whole text: a page of menus alone
    # must give no article rather than its menu.
    found = trafilatura.extract(markup, output_format="json", with_metadata=True,
                                include_comments=False, favor_precision=True, fast=True)
    if found is None:
        return Article("", {})
    data = json.loads(found)
    fields = {name: data[name] for name in ("title", "date") if data.get(name)}
    return Article(data.get("text") or "", fields)
