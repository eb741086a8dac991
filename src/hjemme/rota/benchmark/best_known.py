"""Best known objective values of instances 1–24 (lower is better), with where each comes from.

Source: the benchmark's site, schedulingbenchmarks.org (``nrp/instances1_24.html`` table and the
``changes.html`` log: integer programming by P. Smet, branch and price by P. Strandmark, Gurobi runs
by the authors). ``proven`` marks values whose lower bound equals them there. Instances 20–24 and 15
are open; their values could not be re-checked against the live site while this was written (see
docs/rota.md) — pass ``--best-known FILE`` (``name,value`` lines) to ``hjemme bench rota`` to use others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hjemme.errors import InputError


@dataclass(frozen=True, slots=True)
class BestKnown:
    value: int
    proven: bool
    source: str


SITE = "schedulingbenchmarks.org instances 1–24"
BEST_KNOWN: dict[str, BestKnown] = {
    "Instance1": BestKnown(607, True, SITE + " (LB 607, Strandmark IP)"),
    "Instance2": BestKnown(828, True, SITE),
    "Instance3": BestKnown(1001, True, SITE),
    "Instance4": BestKnown(1716, True, SITE),
    "Instance5": BestKnown(1143, True, SITE),
    "Instance6": BestKnown(1950, True, SITE),
    "Instance7": BestKnown(1056, True, SITE),
    "Instance8": BestKnown(1300, True, SITE + " (Smet IP, LB = UB)"),
    "Instance9": BestKnown(439, True, SITE + " (Smet IP, LB = UB)"),
    "Instance10": BestKnown(4631, False, SITE),
    "Instance11": BestKnown(3443, False, SITE),
    "Instance12": BestKnown(4040, False, SITE),
    "Instance13": BestKnown(1348, True, SITE + " (Smet IP, LB = UB)"),
    "Instance14": BestKnown(1278, True, SITE + " (Smet IP, LB = UB)"),
    "Instance15": BestKnown(3831, False, SITE + " (Smet: LB 3823)"),
    "Instance16": BestKnown(3225, True, SITE + " (Smet IP, LB = UB)"),
    "Instance17": BestKnown(5746, True, SITE + " (Smet IP, LB = UB)"),
    "Instance18": BestKnown(4459, True, SITE + " (Smet IP, LB = UB)"),
    "Instance19": BestKnown(3149, False, SITE + " (Smet: LB 3148)"),
    "Instance20": BestKnown(4769, False, SITE),
    "Instance21": BestKnown(21133, False, SITE),
    "Instance22": BestKnown(30244, False, SITE),
    "Instance23": BestKnown(17428, False, SITE + " (Strandmark branch and price)"),
    "Instance24": BestKnown(42463, False, SITE),
}


def best_known_of(table: dict[str, BestKnown], name: str) -> BestKnown | None:
    """``name``'s entry, or else, for a file named as the benchmark's in another case or with leading
    zeros (``instance1``, ``Instance01``), that of ``Instance<N>``."""
    if name in table:
        return table[name]
    published = re.fullmatch(r"instance0*(\d+)", name, flags=re.IGNORECASE)
    return table.get(f"Instance{published.group(1)}") if published else None


def read_best_known(path: Path) -> dict[str, BestKnown]:
    """``name,value`` lines (``#`` comments allowed) that replace the built-in table's entries."""
    table = dict(BEST_KNOWN)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, value = line.partition(",")
        try:
            table[name.strip()] = BestKnown(int(value), False, str(path))
        except ValueError:
            raise InputError(
                "best-known", f"{path}:{number}: {value.strip()!r} is not a whole number"
            ) from None
    return table
