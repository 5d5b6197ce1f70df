"""Every relative link in README.md and docs/ leads somewhere: the file exists, and the anchor names a heading.

The README sends readers to docs/ pages for the internals, and those pages link back and to each other;
a page renamed or a heading reworded must not leave a reader at a dead link. Web links are not
followed (no network in tests). Anchors are GitHub's: the heading in lower case, punctuation dropped,
spaces as hyphens, a repeated heading numbered ``-1``, ``-2``...
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
# [text](target) and ![alt](target); the target ends at the first space (an optional "title") or ")".
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:...


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, with inline code removed (links there are examples)."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, INLINE_CODE.sub("", line)))
    return lines


def links(text: str) -> list[tuple[int, str]]:
    """(line, target) of every link in the prose; a link's text may wrap over lines."""
    lines = prose_lines(text)
    joined = "\n".join(line for _, line in lines)
    return [(lines[joined.count("\n", 0, match.start())][0], match.group(1)) for match in LINK.finditer(joined)]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, inline markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a Markdown file offers: one per heading, repeats numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    result = set()
    for _, line in prose_lines_keeping_code(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def prose_lines_keeping_code(text: str) -> list[tuple[int, str]]:
    """Lines outside fenced blocks, inline code kept (a heading's code spans are part of its anchor)."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def broken_links(document: Path) -> list[str]:
    """What is wrong with each relative link of ``document``, one line each (empty when all lead somewhere)."""
    problems = []
    for number, target in links(document.read_text(encoding="utf-8")):
        if EXTERNAL.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        destination = (document.parent / path_part).resolve() if path_part else document
        where = f"{document.relative_to(ROOT) if document.is_relative_to(ROOT) else document}:{number}"
        if not destination.exists():
            problems.append(f"{where}: {target}: no file {path_part}")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            problems.append(f"{where}: {target}: no heading with anchor #{anchor} in {destination.name}")
        elif anchor and destination.suffix != ".md":
            problems.append(f"{where}: {target}: an anchor into a file that is not Markdown")
    return problems


@pytest.mark.parametrize("document", documents(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(document: Path) -> None:
    assert broken_links(document) == []


def test_the_readme_links_to_the_internals_it_moved_out() -> None:
    """The README stays short by linking each internal topic: every page it names exists (checked above)."""
    targets = {target.partition("#")[0] for _, target in links((ROOT / "README.md").read_text(encoding="utf-8"))}
    for page in (
        "docs/how-it-works.md",
        "docs/kinds.md",
        "docs/record-format.md",
        "docs/notifications.md",
        "docs/observability.md",
        "docs/trust-and-privacy.md",
        "docs/deployment.md",
        "docs/development.md",
    ):
        assert page in targets, f"the README no longer links {page}"


# The checker itself: it must find what is broken, or the tests above prove nothing.
def test_a_missing_file_and_a_missing_anchor_are_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other page\n\n## The `cdk.json` keys (defaults)\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "See [ok](other.md#the-cdkjson-keys-defaults), [gone](missing.md), [bad anchor](other.md#nowhere),\n"
        "[here](#own-heading), [wrapped\nlink](other.md#absent-too), `[in code](ignored.md)`,\n"
        "[web](https://example.com/x.md#y).\n\n```\n[in a block](ignored-too.md)\n```\n\n## Own heading\n",
        encoding="utf-8",
    )
    problems = broken_links(page)
    assert len(problems) == 3, problems
    assert any("missing.md" in problem for problem in problems)
    assert any("#nowhere" in problem for problem in problems)
    assert any("#absent-too" in problem for problem in problems)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Configuration (`cdk.json` context; `-c key=value`)", "configuration-cdkjson-context--c-keyvalue"),
        ("CloudTrail trail (`createTrail`)", "cloudtrail-trail-createtrail"),
        ("Privacy: what is kept, where, and who sees it", "privacy-what-is-kept-where-and-who-sees-it"),
        ("Reading the log: `task_monitor.audit.AuditLog`", "reading-the-log-task_monitorauditauditlog"),
    ],
)
def test_anchors_are_githubs(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_repeated_heading_is_numbered(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Notes\n\n## Example\n\n## Example\n\n```\n# not a heading\n```\n", encoding="utf-8")
    assert anchors(page) == {"notes", "example", "example-1"}
