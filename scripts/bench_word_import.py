#!/usr/bin/env python
"""Benchmark of Word documents in: a plan of 300 actions (a measurement, not a test).

    .venv/bin/python scripts/bench_word_import.py                 # SQLite, 300 actions
    .venv/bin/python scripts/bench_word_import.py --actions 300 1000 --repeat 3

Three documents of N actions each, as partnerships write them:

- *the seed's layout*: a table per priority (20 priorities), its first row merged across, a row
  per theme ("Early Intervention and Prevention", "Actions", "Outcomes", "Measure", "Lead agency",
  "Supporting agencies", "Target date") and the actions under it, outcomes and measures on
  several lines, leads such as "Police / LDC" and "All partners", dates such as "Q3 2021-22";
- *one table with a header row* ("Priority", "What we will do", "Expected outcome", …);
- *our own export* of the same plan (planfiles/word_export.py), read back.

Each is imported with `import_plan --create-missing --partnership … --period 2021-22` semantics
into an empty database (a temporary SQLite file, emptied with `flush` before every run), reading
and checking included; the time to read the document alone (no database) is shown too. Times are
the best of --repeat runs. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform

from bench_common import AGENCIES, THEMES, flush, in_throwaway_database, migrate, peak_mb, timed

PARTNERSHIP = "Benchmark District Community Safety Partnership"
TARGET_SECONDS, TARGET_ACTIONS = 10, 300  # the target: 300 actions in under 10 s


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, nargs="+", default=[300])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is kept")
    return parser.parse_args()


def plan_actions(count: int) -> list[dict[str, str]]:
    actions = []
    for n in range(count):
        lead = AGENCIES[n % len(AGENCIES)]
        if n % 7 == 3:
            lead = f"{AGENCIES[n % 9]} / {AGENCIES[(n + 2) % 9]}"
        elif n % 11 == 5:
            lead = "All partners"
        actions.append(
            {
                "priority": f"Priority {n % 20:02d}: Anti-social Behaviour; Vulnerable Persons",
                "theme": THEMES[(n // 5) % 4],
                "action": f"Action {n}: develop, with partners, diversionary activity for young "
                f"people in 'hotspot areas' – phase {n // 20}. " + "Work with schools. " * 8,
                "outcome": f"Reduction in repeat incidents, “hotspot” area {n}"
                + (f"\nBetter satisfaction with the response (survey {n})" if n % 2 else ""),
                "measure": f"Police-recorded incidents; area {n}"
                + ("\n" if n % 2 else "")
                + (f"\nReferrals to the youth service, area {n}" if n % 3 == 0 else ""),
                "lead": lead,
                "supporting": f"{AGENCIES[(n + 1) % 9]}; {AGENCIES[(n + 4) % 9]}",
                "date": ("Q3 2021-22", "31 March 2022", "Ongoing", "31/12/2021")[n % 4],
            }
        )
    return actions


def seed_layout(actions: list[dict[str, str]]) -> bytes:
    """A table per priority in the seed's layout, written as Word writes it."""
    from docx import Document

    from planfiles.word_export import COLUMNS, _priority_table  # the same XML a table needs

    document = Document()
    document.add_heading("Community Safety Delivery Plan 2021 – 2022", level=1)
    by_priority: dict[str, list[dict[str, str]]] = {}
    for action in actions:
        by_priority.setdefault(action["priority"], []).append(action)
    for title, group in by_priority.items():
        group.sort(key=lambda action: THEMES.index(action["theme"]))
        rows = [
            ("", "", "", "", title, a["theme"], a["action"], a["outcome"], a["lead"],
             a["supporting"], a["date"], a["measure"])
            for a in group
        ]  # fmt: skip
        _priority_table(document, title, rows)
    assert COLUMNS[0] == "Actions"
    return _save(document)


def header_table(actions: list[dict[str, str]]) -> bytes:
    """One table, a header row, one row per action: built as XML, as Word would save it."""
    from xml.sax.saxutils import escape

    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    heads = ["Priority", "Theme", "What we will do", "Expected outcome", "Performance measure",
             "Lead", "Partners", "By when"]  # fmt: skip
    keys = ["priority", "theme", "action", "outcome", "measure", "lead", "supporting", "date"]

    def cell(text: str) -> str:
        paragraphs = "".join(
            f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'
            for line in text.split("\n")
        )
        return f"<w:tc>{paragraphs}</w:tc>"

    rows = ["<w:tr>" + "".join(cell(h) for h in heads) + "</w:tr>"]
    rows += ["<w:tr>" + "".join(cell(a[k]) for k in keys) + "</w:tr>" for a in actions]
    document = Document()
    document.add_heading("Delivery plan", level=1)
    grid = "".join('<w:gridCol w:w="1500"/>' for _ in heads)
    table = parse_xml(
        f"<w:tbl {nsdecls('w')}><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    document.element.body.sectPr.addprevious(table)
    return _save(document)


def _save(document) -> bytes:
    import io

    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def main() -> None:
    args = parse_args()
    in_throwaway_database("", lambda: run(args))


def run(args) -> None:
    _, version = migrate()
    load = os.getloadavg()[0]
    print(
        f"<!-- {datetime.date.today()}: Python {platform.python_version()}, SQLite {version}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f}, best of {args.repeat} -->"
    )
    print("| actions | document | size (KB) | read only (s) | import (s) | peak memory (MB) |")
    print("|---:|---|---:|---:|---:|---:|")
    for count in args.actions:
        for label, size, read, seconds, memory in bench_size(count, args.repeat):
            over = count <= TARGET_ACTIONS and seconds >= TARGET_SECONDS
            verdict = " **over target**" if over else ""
            print(
                f"| {count:,} | {label} | {size / 1024:.0f} | {read:.2f} | {seconds:.2f}{verdict} "
                f"| {memory:.0f} |",
                flush=True,
            )


def bench_size(count: int, repeat: int):
    from planfiles.exporter import plan_export
    from planfiles.format import read_plan_file
    from planfiles.importer import plan_import
    from planfiles.rows import PlanGiven
    from priorities.models import Plan

    actions = plan_actions(count)
    given = PlanGiven(partnership=PARTNERSHIP, period="2021-22", title="Delivery Plan")

    def read(data):
        return lambda: read_plan_file(data, kind="docx", filename="bench.docx")

    def do_import(data, options):
        def go():
            table = read_plan_file(data, kind="docx", filename="bench.docx")
            report = plan_import(table=table, create_missing=True, **options)
            assert report.ok, [str(e) for e in report.errors[:3]]
            assert report.created == count, report.summary()

        return go

    seed = seed_layout(actions)
    table = header_table(actions)
    flush()
    do_import(seed, {"given": given})()
    ours = plan_export(Plan.objects.get(), "docx")[0]
    documents = [
        ("the seed's layout (a table per priority, a row per theme)", seed, {"given": given}),
        ("one table with a header row", table, {"given": given}),
        ("our own Word export, read back", ours, {}),
    ]
    for label, data, options in documents:
        reading = timed(read(data), repeat)
        seconds = timed(do_import(data, options), repeat, flush)
        memory = peak_mb(do_import(data, options), flush)
        yield label, len(data), reading, seconds, memory


if __name__ == "__main__":
    main()
