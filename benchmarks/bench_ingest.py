"""Ingest throughput and publish→alarm latency (issue 5), the same as ``hjemme bench ingest``.

    .venv/bin/python benchmarks/bench_ingest.py [--observations 20000] [--postgres URL] [--no-append]

The measurement lives in :mod:`hjemme.cli.bench_ingest` (it needs the API, the consumer and the
database together); this script only forwards its arguments to the command.
"""

from __future__ import annotations

import sys

from hjemme.cli.main import app

if __name__ == "__main__":
    app(["bench", "ingest", *sys.argv[1:]])
