#!/usr/bin/env python
"""After a load run: is every saved edit in the database? (scripts/load_run.sh runs this.)

    DATABASE_URL=… .venv/bin/python scripts/load_verify.py /tmp/csp-load/tokens.json

Each officer's edits put a unique token in their action's description: every token the server
accepted (302) must be in the action's history, in the order it was saved, and the action must
now hold the last one. Each progress update's token must be in a progress update of that action.
Exits 1, naming what is missing, if anything was lost.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = re.compile(r"\[(LT-edit-[^\]]+)\]")


def main(path: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_plan.settings")
    import django

    django.setup()
    from actions.models import Action
    from tracking.models import ProgressUpdate

    saved = json.loads(Path(path).read_text())
    problems: list[str] = []
    edits = progress = 0
    for username, action_id in saved["actions"].items():
        action = Action.objects.get(pk=action_id)
        # In the order each token first appears: a later history row may repeat the description
        # (recording progress saves the action too, "Progress update: …").
        history = list(
            dict.fromkeys(
                TOKEN.search(row.description).group(1)
                for row in action.history.order_by("history_date", "history_id")
                if TOKEN.search(row.description)
            )
        )
        tokens = saved["edits"].get(username, [])
        edits += len(tokens)
        missing = [t for t in tokens if t not in history]
        if missing:
            problems.append(f"{username}: {len(missing)} saved edits missing, e.g. {missing[0]}")
        elif [t for t in history if t in tokens] != tokens:
            problems.append(f"{username}: edits recorded out of order")
        current = TOKEN.search(action.description)
        if tokens and (current is None or current.group(1) != tokens[-1]):
            problems.append(f"{username}: the action does not hold the last saved edit")
        narratives = set(
            ProgressUpdate.objects.filter(action=action).values_list("narrative", flat=True)
        )
        updates = saved["progress"].get(username, [])
        progress += len(updates)
        lost = [t for t in updates if t not in narratives]
        if lost:
            problems.append(f"{username}: {len(lost)} progress updates missing, e.g. {lost[0]}")
    for problem in problems:
        print("LOST:", problem)
    print(
        f"Checked {edits} saved edits and {progress} progress updates of "
        f"{len(saved['actions'])} officers: "
        + ("all present." if not problems else f"{len(problems)} problems.")
    )
    return 1 if problems or not edits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/csp-load/tokens.json"))
