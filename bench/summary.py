"""Print each benchmark group of a pytest-benchmark JSON as ratios to its fastest member.

    python bench/summary.py _build/bench.json
"""

import json
import sys
from collections import defaultdict


def main(path: str) -> None:
    data = json.load(open(path))
    groups = defaultdict(list)
    for b in data["benchmarks"]:
        groups[b["group"] or b["name"]].append((b["stats"]["median"], b["name"]))
    for group, rows in sorted(groups.items()):
        rows.sort()
        best = rows[0][0]
        print(f"[{group}]")
        for median, name in rows:
            print(f"  {name:60s} median {median * 1e3:10.3f} ms   x{median / best:7.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
