#!/usr/bin/env bash
# Runs every benchmark under tests/perf (see tests/perf/README.md). Each prints its own
# table with ratios against a baseline measured in the same run. Arguments are ignored.
set -uo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
status=0
for bench in bench_list bench_dashboard bench_export_import bench_import_memory load; do
    echo "=== tests/perf/$bench.py ==="
    "$py" "tests/perf/$bench.py" || status=1
done
exit $status
