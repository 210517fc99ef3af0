"""`python -m cx_warehouse.benchmark`: runs the benchmark harness (cx_warehouse.benchmark.harness.main)."""

import sys

from cx_warehouse.benchmark.harness import main

sys.exit(main())
