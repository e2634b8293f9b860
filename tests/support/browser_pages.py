"""What every browser flow checks on each page it visits: axe-core finds no serious or
critical violation, every table has a caption and header scope, and the page is no wider than
the window, at a phone's width (390 px) and
a desk's (1280 px), with a screenshot of each saved under tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

ARTIFACTS = Path(__file__).parent.parent / "artifacts"
WIDTHS = (390, 1280)
SERIOUS = {"serious", "critical"}
_axe = Axe()


def page_problems(page: Page, name: str) -> list[str]:
    """What is wrong with the page as it stands at its current width: serious or critical axe
    findings, anything wider than the window, tables without a caption or header scope. Saves
    a screenshot as tests/artifacts/<name>-<width>.png on the way."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)
    problems = []
    for violation in _axe.run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{name} @{width}: {violation['id']} {targets}")
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        problems.append(f"{name} @{width}: {wide} px wide")
    problems += [
        f"{name}: table without a caption or header scope: {t}" for t in _bare_tables(page)
    ]
    return problems


def check_page(page: Page, name: str) -> None:
    """`page_problems` at both widths, asserted together; the viewport is put back after."""
    before = page.viewport_size
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += page_problems(page, name)
    page.set_viewport_size(before)
    assert problems == [], f"{name} ({page.url}):\n" + "\n".join(problems)


def _bare_tables(page: Page) -> list[str]:
    """Tables without a caption, or with a header cell that does not say what it heads."""
    return page.evaluate(
        """() => [...document.querySelectorAll('table')]
          .filter(t => !(t.caption && t.caption.textContent.trim())
                       || [...t.querySelectorAll('th')].some(th => !th.scope))
          .map(t => t.id || (t.caption && t.caption.textContent.trim()) || 'a table')"""
    )


def tab_to(page: Page, target: Locator, limit: int = 80) -> int:
    """Press Tab until `target` has the focus (at most `limit` times); each control passed
    on the way must show that it has the focus. The number of presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        assert _focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{target} not reached in {limit} presses of Tab")


def _focus_is_visible(page: Page) -> bool:
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          if (!element || element === document.body) return true;
          const style = getComputedStyle(element);
          const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
          return outlined || style.boxShadow !== 'none';
        }"""
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
