"""One class per name across bot/ and cogs/: a reader (or a grep) finds the one a module means.

Issue 10 found Panel, Panellist, PanelQuestion, Theme and KeyPoint each defined two or three times;
the second wave added three classes named Item. Private classes (``_Name``) may repeat: they never
leave their module.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def public_classes(root: Path) -> dict[str, list[str]]:
    """Public class name → the places (``path:line``) that define it, in bot/ and cogs/."""
    found: dict[str, list[str]] = defaultdict(list)
    for folder in ("bot", "cogs"):
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    found[node.name].append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_public_class_name_is_defined_once() -> None:
    repeated = {name: places for name, places in public_classes(ROOT).items() if len(places) > 1}
    assert repeated == {}, "give each class a name that says what it is"


def test_the_check_sees_a_repeated_name(tmp_path: Path) -> None:
    for folder, module in (("bot", "a.py"), ("cogs", "b.py")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / module).write_text("class Item:\n    pass\n\n\nclass _Private:\n    pass\n")
    found = public_classes(tmp_path)
    assert found["Item"] == ["bot/a.py:1", "cogs/b.py:1"]
    assert "_Private" not in found
