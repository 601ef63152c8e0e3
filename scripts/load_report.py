#!/usr/bin/env python
"""The load test's figures as a Markdown table, from Locust's CSV files (scripts/load_run.sh).

.venv/bin/python scripts/load_report.py /tmp/csp-load static public-uncached public mixed
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def rows(directory: Path, scenario: str) -> list[dict]:
    path = directory / f"{scenario}_stats.csv"
    if not path.exists():
        return []
    with path.open() as stream:
        return list(csv.DictReader(stream))


def line(scenario: str, row: dict, static_rps: float | None) -> str:
    rps = float(row["Requests/s"])
    ratio = f"{rps / static_rps:.2f}" if static_rps else "—"
    name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
    return (
        f"| {scenario} | {name} | {int(row['Request Count']):,} | {int(row['Failure Count'])} "
        f"| {rps:,.1f} | {ratio} | {row['50%']} | {row['95%']} | {row['99%']} |"
    )


def main(directory: Path, scenarios: list[str]) -> None:
    static = [r for r in rows(directory, "static") if r["Name"] == "Aggregated"]
    static_rps = float(static[0]["Requests/s"]) if static else None
    print(
        "| scenario | requests | count | failures | per second | ÷ static | p50 ms | p95 ms "
        "| p99 ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for scenario in scenarios:
        found = rows(directory, scenario)
        by_name = [r for r in found if r["Name"] != "Aggregated"]
        total = [r for r in found if r["Name"] == "Aggregated"]
        for row in (by_name if len(by_name) > 1 else []) + total:
            print(line(scenario, row, static_rps))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
