"""Relative links (and #anchors into Markdown files) of the Markdown docs resolve (run by the `docs`
session of noxfile.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def anchors(md: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens."""
    return {
        re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.*)$", md.read_text(), re.M)
    }


def main() -> None:
    files = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md")), *sorted(REPO.glob("roles/*/README.md"))]
    broken = []
    for md in files:
        for target in re.findall(r"\]\(([^)\s]+)\)", md.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path, anchor = (target.split("#", 1) + [""])[:2]
            dest = (md.parent / path) if path else md
            if not dest.exists() or (anchor and dest.suffix == ".md" and anchor not in anchors(dest)):
                broken.append(f"{md.relative_to(REPO)}: {target}")
    if broken:
        sys.exit("FAIL: broken links: " + "; ".join(broken))
    print(f"links in {len(files)} Markdown files resolve")


if __name__ == "__main__":
    main()
