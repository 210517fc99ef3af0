"""Benchmark harness: the dbt project against a hand-written DuckDB script and a pandas version of its marts.

    python -m cx_warehouse.benchmark --scales 100k,1m,10m --workdir /tmp/cxw-bench [--skip-pandas-above 10m]
        [--skip test,core_marts,build,pandas,incremental] [--results benchmarks/results.json]
    python -m cx_warehouse.benchmark report      # the results file as markdown tables (docs/benchmarks.md)

For each scale (survey answers: 100k = 1,000 accounts, 1m = 10,000, 10m = 100,000, 100m = 1,000,000; any
`<number>k|m` works, at 100 answers per account) it generates the raw CSVs once into <workdir>/<scale>/raw
(reused while its marker matches), then runs, each as its own child process so that its wall time, CPU time
and peak memory are its own:

- the loader (`cxw load`, step `load`): the raw files to the landing folder of canonical Parquet files that
  dbt reads (var landing_dir) and the baselines read too; timed apart from dbt's phases;
- `dbt parse --no-partial-parse` and a no-op `dbt run` (a selector that matches nothing): dbt's fixed cost of
  starting and parsing the project, shown apart and *not* subtracted from the steps below;
- `dbt seed` and `dbt run` (the models only);
- the hand-written DuckDB script benchmarks/baseline_duckdb.sql (cx_warehouse.benchmark.baseline_duckdb) and
  the pandas version (cx_warehouse.benchmark.baseline_pandas), which compute the same four marts from the
  landing files; their marts are compared with the dbt marts, row by row and value by value
  (cx_warehouse.benchmark.compare), and the verdict is recorded;
- `dbt test` (data and unit tests), `dbt run --full-refresh` of only the four marts and their upstream models
  (the like-for-like comparison with the baselines), and the full `dbt build --full-refresh`;
- the nightly incremental run: a database built on the raw snapshot as exported at the end of the day
  before the last (cut by cx_warehouse.benchmark.nightly; loaded, as_of D-1), then the full files loaded
  (`incremental_load`) and `dbt run` on them (as_of D), each timed; its marts are compared with the full
  build's.

Every dbt run passes GENERATED_DATA_VARS (the data is generated). Peak memory is the child's peak resident set
size from os.wait4 (ru_maxrss of that child and the children it waited for), so one step's figure never
includes another's; the dbt memory target counts dbt's steps, not the loader's. Results are merged per scale
into a JSON file (default benchmarks/results.json). Speed targets are reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cx_warehouse.benchmark.baseline_duckdb import MEMORY_LIMIT
from cx_warehouse.benchmark.compare import MART_KEYS, check_marts, checks_pass, compare_databases
from cx_warehouse.benchmark.nightly import cut_raw_to_day
from cx_warehouse.runtime.project import BuildSettings, project_dir

ANSWERS_PER_ACCOUNT = 100
SEED = 42
BAD_RATE = 0.01
END_DATE = date(2026, 9, 30)
DATA_FORMAT = "csv"
MEMORY_TARGET_BYTES = 4_000_000_000  # the targets' 4 GB, in bytes, as DuckDB counts "4GB"
MARKER_NAME = "benchmark_data.json"
NOOP_SELECTOR = "tag:cxw_benchmark_selects_nothing"
#: The generator plants every fault kind in every table, however small, so a small generated table (survey
#: questions, churn events) holds more than the default 10 % of bad rows, which a real export should not: dbt
#: runs on generated data raise the error thresholds of mart_raw_reconciliation's tests (as
#: pytests/conftest.py does). They change no model, only when `dbt test` fails.
GENERATED_DATA_VARS = {"quarantine_error_pct": 30, "orphan_error_pct": 30}

# The targets, evaluated on the measured figures (reported, never asserted).
RUN_VS_DUCKDB_LIMIT = {"10m": 3.0, "100m": 2.0}
PANDAS_SPEEDUP_TARGET = {"10m": 5.0}
INCREMENTAL_SHARE_LIMIT = {"10m": 0.15}


def parse_scale(label: str) -> int:
    """Survey answers for a scale label such as 100k, 1m or 2.5m."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", label.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"'{label}' is not a scale such as 100k, 1m or 10m")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2)]
    answers = int(float(match.group(1)) * factor)
    if answers < ANSWERS_PER_ACCOUNT:
        raise argparse.ArgumentTypeError(
            f"scale {label} is below one account ({ANSWERS_PER_ACCOUNT} answers)"
        )
    return answers


def accounts_for(label: str) -> int:
    """The accounts to generate for a scale label, at ANSWERS_PER_ACCOUNT answers each ('10m' ->
    100,000). Raises argparse.ArgumentTypeError for a label that is not a scale."""
    return parse_scale(label) // ANSWERS_PER_ACCOUNT


@dataclass
class Step:
    """One measured child process."""

    name: str
    command: list[str]
    seconds: float
    peak_rss_mb: float
    returncode: int
    log: str
    cpu_seconds: float = 0.0  # user + system time of the child: less sensitive than wall time to other load
    load_before: float = 0.0  # the machine's 1-minute load average when the step started

    @property
    def ok(self) -> bool:
        """Whether the child process exited with code 0."""
        return self.returncode == 0


def measure(name: str, command: list[str], log: Path, env: dict[str, str] | None = None) -> Step:
    """Run command as a child, output to log; wall time, CPU time and the child's own peak RSS (os.wait4)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    load_before = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=project_dir())
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    step = Step(
        name=name,
        command=command,
        seconds=round(seconds, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),
        returncode=child.returncode,
        log=str(log),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        load_before=load_before,
    )
    state = "ok" if step.ok else f"FAILED (exit {step.returncode}, see {log})"
    print(
        f"  {name:<22} {step.seconds:>9.2f} s wall {step.cpu_seconds:>9.2f} s cpu "
        f"{step.peak_rss_mb:>8.1f} MiB peak (load {load_before:.1f})  {state}",
        flush=True,
    )
    return step


# ----------------------------------------------------------------------------------------------- data


def data_marker(accounts: int) -> dict[str, Any]:
    """What a generated data set is made from; a folder whose marker differs is generated again."""
    return {
        "accounts": accounts,
        "seed": SEED,
        "bad_rate": BAD_RATE,
        "end_date": END_DATE.isoformat(),
        "format": DATA_FORMAT,
    }


def write_marker(scale_dir: Path, accounts: int, rows: dict[str, int], seconds: float | None) -> None:
    """Record in scale_dir/MARKER_NAME (JSON) what data the raw folder holds: the generator's
    settings, rows per table and the generation time in seconds (None when unknown)."""
    marker = {**data_marker(accounts), "rows": rows, "generation_seconds": seconds}
    (scale_dir / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n")


def ensure_data(scale_dir: Path, accounts: int) -> dict[str, Any]:
    """Generate the raw files for `accounts` into scale_dir/raw unless a matching complete set is there."""
    from cx_warehouse.runtime.raw_contract import raw_table_names

    raw_dir = scale_dir / "raw"
    marker_path = scale_dir / MARKER_NAME
    if marker_path.is_file():
        marker = json.loads(marker_path.read_text())
        complete = all((raw_dir / f"{table}.{DATA_FORMAT}").is_file() for table in raw_table_names())
        if complete and {key: marker.get(key) for key in data_marker(accounts)} == data_marker(accounts):
            print(f"  reusing {raw_dir} ({marker['rows']['survey_answers']:,} answers)", flush=True)
            return marker
    from cx_warehouse.generator.dataset import generate

    marker_path.unlink(missing_ok=True)
    shutil.rmtree(raw_dir, ignore_errors=True)
    print(f"  generating {accounts:,} accounts into {raw_dir}", flush=True)
    started = time.perf_counter()
    summary = generate(
        accounts=accounts,
        seed=SEED,
        out_dir=raw_dir,
        file_format=DATA_FORMAT,
        bad_rate=BAD_RATE,
        end_date=END_DATE,
        progress=sys.stderr.isatty(),
    )
    write_marker(scale_dir, accounts, dict(summary.rows), round(time.perf_counter() - started, 1))
    return json.loads(marker_path.read_text())


def raw_bytes(raw_dir: Path) -> int:
    """The total size in bytes of the raw files (DATA_FORMAT) in raw_dir."""
    return sum(path.stat().st_size for path in raw_dir.glob(f"*.{DATA_FORMAT}"))


# ----------------------------------------------------------------------------------------------- dbt


@dataclass
class DbtTarget:
    """One DuckDB file with its own landing folder (the loader's output, which dbt reads) and its own dbt
    target and log folders, so runs never share state."""

    root: Path
    raw_dir: Path
    as_of: date

    @property
    def database(self) -> Path:
        """The DuckDB file this target builds: <root>/cx.duckdb."""
        return self.root / "cx.duckdb"

    @property
    def landing_dir(self) -> Path:
        """Where the loader writes the export for this database (as BuildSettings.landing_dir)."""
        return BuildSettings(self.raw_dir, self.database).landing_dir

    def env(self) -> dict[str, str]:
        """The child processes' environment: this process's, plus the database path, dbt's target and
        log folders under root, the memory limit, and no anonymous usage stats."""
        env = dict(os.environ)
        env.update(
            CXW_DUCKDB_PATH=str(self.database),
            DBT_TARGET_PATH=str(self.root / "target"),
            DBT_LOG_PATH=str(self.root / "logs"),
            CXW_MEMORY_LIMIT=os.environ.get("CXW_MEMORY_LIMIT", MEMORY_LIMIT),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        )
        return env

    def command(self, *args: str, as_of: date | None = None) -> list[str]:
        """The dbt command line (the venv's dbt executable) for `args` on the project, with the vars of
        this target (landing_dir, as_of_date: `as_of` or the target's, GENERATED_DATA_VARS)."""
        variables = {
            "landing_dir": str(self.landing_dir.resolve()),
            "as_of_date": (as_of or self.as_of).isoformat(),
            **GENERATED_DATA_VARS,
        }
        dbt = Path(sys.executable).with_name("dbt")
        root = str(project_dir())
        return [
            str(dbt),
            *args,
            "--project-dir",
            root,
            "--profiles-dir",
            root,
            "--vars",
            json.dumps(variables),
        ]

    def load_command(self, raw_dir: Path | None = None) -> list[str]:
        """`cxw load`: the export in raw_dir (default this target's) into the landing folder, as a build does
        before dbt runs (timestamps without an offset read as UTC, the reporting time zone of these runs)."""
        return [
            sys.executable,
            "-m",
            "cx_warehouse.runtime.cli",
            "load",
            "--raw-dir",
            str((raw_dir or self.raw_dir).resolve()),
            "--format",
            DATA_FORMAT,
            "--database",
            str(self.database.resolve()),
        ]

    def reset(self) -> None:
        """Remove the target's folder (database, landing files, logs) and create it empty."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)

    def step(self, name: str, *args: str, **where: Any) -> Step:
        """Run and measure one dbt command (see command) as step `name`, logging to <root>/<name>.log."""
        return measure(name, self.command(*args, **where), self.root / f"{name}.log", self.env())

    def load_step(self, name: str, raw_dir: Path | None = None) -> Step:
        """Run and measure `cxw load` (see load_command) as step `name`, logging to <root>/<name>.log."""
        return measure(name, self.load_command(raw_dir), self.root / f"{name}.log", self.env())

    def model_timings(self, top: int = 12) -> list[dict[str, Any]]:
        """The slowest models of the last run, from dbt's run_results.json."""
        path = self.root / "target" / "run_results.json"
        if not path.is_file():
            return []
        results = json.loads(path.read_text())["results"]
        timed = sorted(results, key=lambda result: result["execution_time"], reverse=True)
        return [
            {"model": result["unique_id"].split(".")[-1], "seconds": round(result["execution_time"], 2)}
            for result in timed[:top]
        ]

    def python_model_timings(self) -> dict[str, float]:
        """Seconds per dbt Python model in the last run (run_results.json, with the models' language from the
        manifest): the share of the build the analytics' fits take, which must stay small because they read
        summaries (per account, per segment), not answer rows."""
        target = self.root / "target"
        if not (target / "run_results.json").is_file():
            return {}
        nodes = json.loads((target / "manifest.json").read_text())["nodes"]
        results = json.loads((target / "run_results.json").read_text())["results"]
        return {
            result["unique_id"].split(".")[-1]: round(result["execution_time"], 2)
            for result in results
            if nodes.get(result["unique_id"], {}).get("language") == "python"
        }


# ----------------------------------------------------------------------------------------------- incremental


def run_incremental(scale_dir: Path, raw_dir: Path, as_of: date, full: DbtTarget) -> dict[str, Any]:
    """Build on the snapshot cut to as_of - 1 day (loaded, seeded, run), then load the full files into the
    same landing folder and time `dbt run` at as_of: the nightly run after one new day of data. The nightly
    load is timed as its own step (incremental_load). The marts are compared with the full build's."""
    previous_day = as_of - timedelta(days=1)
    snapshot = scale_dir / f"raw_until_{previous_day.isoformat()}"
    if not (snapshot / ".complete").is_file():
        shutil.rmtree(snapshot, ignore_errors=True)
        started = time.perf_counter()
        cut_raw_to_day(raw_dir, snapshot, previous_day, DATA_FORMAT)
        (snapshot / ".complete").write_text(f"cut in {time.perf_counter() - started:.1f} s\n")
    target = DbtTarget(scale_dir / "dbt_incremental", raw_dir, as_of)
    target.reset()
    plan = [
        lambda: target.load_step("incremental_base_load", snapshot),
        lambda: target.step("incremental_seed", "seed"),
        lambda: target.step("incremental_base_run", "run", as_of=previous_day),
        lambda: target.load_step("incremental_load"),
        lambda: target.step("incremental_run", "run"),
    ]
    steps: list[Step] = []
    for run_step in plan:
        steps.append(run_step())
        if not steps[-1].ok:
            break
    result: dict[str, Any] = {"snapshot": str(snapshot), "steps": {step.name: asdict(step) for step in steps}}
    if len(steps) == len(plan) and all(step.ok for step in steps):
        result["model_timings"] = target.model_timings()
        result["same_marts_as_full_build"] = compare_databases(target.database, full.database)
    return result


# ----------------------------------------------------------------------------------------------- one scale


def _baseline_command(module: str, landing_dir: Path, out_dir: Path, as_of: date) -> list[str]:
    return [
        sys.executable,
        "-m",
        module,
        "baseline",
        "--landing-dir",
        str(landing_dir),
        "--out",
        str(out_dir),
        "--as-of",
        as_of.isoformat(),
    ]


OPTIONAL_STEPS = ("test", "core_marts", "build", "pandas", "incremental")


def run_scale(
    label: str, workdir: Path, skip_pandas_above: int | None, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Generate (or reuse) one scale's data and measure every step on it: the loader (step `load`), then dbt
    on its landing folder. The baselines read the same landing files and run right after `dbt run` (they are
    compared with its marts), so a long scale that is stopped early still has them."""
    accounts = accounts_for(label)
    scale_dir = workdir / label
    scale_dir.mkdir(parents=True, exist_ok=True)
    print(f"\n== {label}: {accounts:,} accounts", flush=True)
    marker = ensure_data(scale_dir, accounts)
    raw_dir = scale_dir / "raw"
    as_of = END_DATE
    full = DbtTarget(scale_dir / "dbt", raw_dir, as_of)
    full.reset()

    steps: dict[str, Step] = {}

    def record(step: Step) -> Step:
        steps[step.name] = step
        return step

    # The loader first, as every build runs it: the export to the landing folder dbt and the baselines read.
    record(full.load_step("load"))
    record(full.step("dbt_parse", "parse", "--no-partial-parse"))
    record(full.step("dbt_noop_run", "run", "--select", NOOP_SELECTOR))
    record(full.step("dbt_seed", "seed"))
    run = record(full.step("dbt_run", "run"))
    model_timings = full.model_timings()
    python_models = full.python_model_timings()

    checks, pandas_skipped = _run_baselines(label, scale_dir, full, run, record, skip_pandas_above, skip)
    _run_optional_dbt_steps(full, record, skip)
    if "incremental" in skip:
        incremental: dict[str, Any] = {"skipped": "--skip incremental"}
    elif run.ok:
        incremental = run_incremental(scale_dir, raw_dir, as_of, full)
    else:
        incremental = {"skipped": "dbt run failed"}
    if "steps" in incremental:
        for name, step in incremental["steps"].items():
            steps[name] = Step(**step)

    result = _scale_result(label, accounts, marker, raw_dir, steps, model_timings, checks, pandas_skipped)
    result["python_models"] = python_models
    result["incremental"] = {key: value for key, value in incremental.items() if key != "steps"}
    result["ratios"] = ratios(result)
    result["targets"] = targets(label, result)
    return result


def _run_baselines(
    label: str,
    scale_dir: Path,
    full: DbtTarget,
    run: Step,
    record,
    skip_pandas_above: int | None,
    skip: frozenset[str],
) -> tuple[dict[str, Any], str | None]:
    """Run the DuckDB baseline and (unless skipped at this scale) the pandas one on the landing files of
    `full`, each compared with dbt's marts when `dbt run` succeeded. Returns the comparison report per
    baseline step and why the pandas baseline was skipped (None when it ran)."""
    as_of = full.as_of
    checks: dict[str, Any] = {}

    def baseline(kind: str, module: str) -> None:
        """Run one baseline (step <kind>_baseline) into <scale>/baseline_<kind>/ and compare its marts with
        the warehouse's."""
        name, out_dir = f"{kind}_baseline", scale_dir / f"baseline_{kind}"
        shutil.rmtree(out_dir, ignore_errors=True)
        command = _baseline_command(module, full.landing_dir, out_dir, as_of)
        step = record(measure(name, command, scale_dir / f"{kind}.log"))
        if step.ok and run.ok:
            checks[name] = check_marts(full.database, out_dir)

    baseline("duckdb", "cx_warehouse.benchmark.baseline_duckdb")

    pandas_skipped = None
    if "pandas" in skip:
        pandas_skipped = "skipped (--skip pandas)"
    elif skip_pandas_above is not None and parse_scale(label) > skip_pandas_above:
        pandas_skipped = (
            f"skipped above {skip_pandas_above:,} answers (--skip-pandas-above): the straightforward pandas "
            "version holds whole tables in memory (3.9 GB peak at 10 M answers, growing linearly)"
        )
    else:
        baseline("pandas", "cx_warehouse.benchmark.baseline_pandas")
    if pandas_skipped:
        print(f"  pandas baseline {pandas_skipped}", flush=True)
    for name, report in checks.items():
        print(f"  {name} marts equal to dbt's: {'yes' if checks_pass(report) else 'NO'}", flush=True)
    return checks, pandas_skipped


def _run_optional_dbt_steps(full: DbtTarget, record, skip: frozenset[str]) -> None:
    """`dbt test`, the four marts alone with their upstream models, and the full build, unless skipped."""
    if "test" not in skip:
        # The snapshots' tests need the snapshots, which `dbt run` does not build (`dbt build` does).
        record(full.step("dbt_test", "test", "--exclude", "resource_type:snapshot"))
    # The same four marts as the baselines, with only the models they need: the like-for-like comparison.
    # --full-refresh here and below: on the database `dbt run` just built, the incremental models would
    # otherwise take their (near no-op) incremental path instead of computing everything.
    if "core_marts" not in skip:
        core_marts = [f"+{mart}" for mart in MART_KEYS]
        record(full.step("dbt_run_core_marts", "run", "--full-refresh", "--select", *core_marts))
    if "build" not in skip:
        record(full.step("dbt_build", "build", "--full-refresh"))


def _scale_result(
    label: str,
    accounts: int,
    marker: dict[str, Any],
    raw_dir: Path,
    steps: dict[str, Step],
    model_timings: list[dict[str, Any]],
    checks: dict[str, Any],
    pandas_skipped: str | None,
) -> dict[str, Any]:
    """One scale's result as stored in the results file (without incremental, ratios and targets)."""
    answers = marker["rows"]["survey_answers"]
    return {
        "scale": label,
        "accounts": accounts,
        "survey_answers": answers,
        "raw_rows": marker["rows"],
        "raw_bytes": raw_bytes(raw_dir),
        "generation_seconds": marker.get("generation_seconds"),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": project_commit(),
        "settings": run_settings(),
        "steps": {name: asdict(step) for name, step in steps.items()},
        "slowest_models": model_timings,
        "checks": {name: {"ok": checks_pass(report), "marts": report} for name, report in checks.items()},
        "pandas_skipped": pandas_skipped,
    }


def _seconds(result: dict[str, Any], step: str, measure: str = "seconds") -> float | None:
    """A measure of a step that succeeded, None when it failed or did not run."""
    entry = result["steps"].get(step)
    return entry.get(measure) if entry and entry["returncode"] == 0 else None


def ratios(result: dict[str, Any]) -> dict[str, float | None]:
    """The ratios the targets are stated in, on wall time (the targets) and on CPU time (user + system, which
    other load on the machine disturbs less); None where a step did not run or failed."""

    def divide(numerator: float | None, denominator: float | None) -> float | None:
        return round(numerator / denominator, 3) if numerator and denominator else None

    def both(first: float | None, second: float | None) -> float | None:
        return first + second if first is not None and second is not None else None

    found: dict[str, float | None] = {}
    for suffix, measure in (("", "seconds"), ("_cpu", "cpu_seconds")):

        def of(step: str, measure: str = measure) -> float | None:
            return _seconds(result, step, measure)

        found.update(
            {
                f"run_vs_duckdb{suffix}": divide(of("dbt_run"), of("duckdb_baseline")),
                f"build_vs_duckdb{suffix}": divide(of("dbt_build"), of("duckdb_baseline")),
                f"pandas_vs_run{suffix}": divide(of("pandas_baseline"), of("dbt_run")),
                f"incremental_vs_run{suffix}": divide(of("incremental_run"), of("dbt_run")),
                f"noop_share_of_run{suffix}": divide(of("dbt_noop_run"), of("dbt_run")),
                f"core_marts_run_vs_duckdb{suffix}": divide(of("dbt_run_core_marts"), of("duckdb_baseline")),
                f"pandas_vs_core_marts_run{suffix}": divide(of("pandas_baseline"), of("dbt_run_core_marts")),
                f"load_vs_run{suffix}": divide(of("load"), of("dbt_run")),
                f"incremental_with_load_vs_run{suffix}": divide(
                    both(of("incremental_load"), of("incremental_run")), of("dbt_run")
                ),
            }
        )
    # Python models' execution time is wall time inside the run (dbt records no CPU time per model).
    found["python_models_share_of_run"] = divide(
        sum(result.get("python_models", {}).values()), _seconds(result, "dbt_run")
    )
    return found


def targets(label: str, result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The issue's targets that apply at this scale: limit, measured value, met or not."""
    measured = result["ratios"]
    found: dict[str, dict[str, Any]] = {}
    if label in RUN_VS_DUCKDB_LIMIT:
        found["run_vs_duckdb"] = _target("<=", RUN_VS_DUCKDB_LIMIT[label], measured["run_vs_duckdb"])
    if label in PANDAS_SPEEDUP_TARGET:
        found["pandas_vs_run"] = _target(">=", PANDAS_SPEEDUP_TARGET[label], measured["pandas_vs_run"])
    if label in INCREMENTAL_SHARE_LIMIT:
        found["incremental_vs_run"] = _target(
            "<=", INCREMENTAL_SHARE_LIMIT[label], measured["incremental_vs_run"]
        )
    dbt_peaks = [
        step["peak_rss_mb"]
        for name, step in result["steps"].items()
        if name.startswith(("dbt_", "incremental_")) and not name.endswith("_load")
    ]
    peak_bytes = max(dbt_peaks) * 1024 * 1024 if dbt_peaks else None
    found["dbt_peak_memory_bytes"] = _target(
        "<=", MEMORY_TARGET_BYTES, round(peak_bytes) if peak_bytes else None
    )
    found["baselines_equal_marts"] = {
        "limit": "all checked baselines equal",
        "measured": {name: check["ok"] for name, check in result["checks"].items()},
        "met": bool(result["checks"]) and all(check["ok"] for check in result["checks"].values()),
    }
    return found


def _target(operator: str, limit: float, measured: float | None) -> dict[str, Any]:
    met = None if measured is None else (measured <= limit if operator == "<=" else measured >= limit)
    return {"limit": f"{operator} {limit}", "measured": measured, "met": met}


# ----------------------------------------------------------------------------------------------- results


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import duckdb

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        total_kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory_gib = round(total_kib / 1024 / 1024, 1)
    versions = {}
    for package in ("dbt-core", "dbt-duckdb", "pandas", "pyarrow"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    versions["duckdb"] = duckdb.__version__
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def run_settings() -> dict[str, Any]:
    """The settings a scale was measured with: DuckDB's memory_limit (the warehouse's and the DuckDB
    script's) and the models dbt builds at a time (profiles.yml)."""
    return {
        "memory_limit": os.environ.get("CXW_MEMORY_LIMIT", MEMORY_LIMIT),
        "dbt_threads": int(os.environ.get("CXW_THREADS", "2")),  # 2: the default in profiles.yml
    }


def merge_results(path: Path, results: list[dict[str, Any]], command: str) -> dict[str, Any]:
    """Merge this run's scales into the results file: other scales' figures stay, and a scale measured again
    moves its former entry to earlier_runs (keyed <scale>@<measured_at>), so no measurement is lost."""
    existing: dict[str, Any] = {}
    if path.is_file():
        with contextlib.suppress(json.JSONDecodeError):
            existing = json.loads(path.read_text())
    scales = existing.get("scales", {})
    earlier = existing.get("earlier_runs", {})
    for result in results:
        former = scales.get(result["scale"])
        if former is not None:
            earlier[f"{former['scale']}@{former.get('measured_at', 'unknown')}"] = former
        scales[result["scale"]] = {**result, "command": command}
    ordered = dict(sorted(scales.items(), key=lambda item: parse_scale(item[0])))
    merged = {
        "machine": machine(),
        "seed": SEED,
        "bad_rate": BAD_RATE,
        "as_of": END_DATE.isoformat(),
        "scales": ordered,
        "earlier_runs": earlier,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=2) + "\n")
    return merged


def project_commit() -> str:
    """The project's git commit (short), with '+changes' when a tracked file other than the results and the
    docs differs from it."""
    try:

        def git(*args: str) -> str:
            return subprocess.run(
                ["git", *args], cwd=project_dir(), capture_output=True, text=True, check=True
            ).stdout.strip()

        commit = git("rev-parse", "--short", "HEAD")
        changed = git(
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":(exclude)benchmarks/results.json",
            ":(exclude)docs",
        )
        return commit + ("+changes" if changed else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def format_summary(result: dict[str, Any]) -> str:
    """One scale's result as terminal text: the ratios, then each target with its limit, measured
    value and verdict."""
    ratio = result["ratios"]
    lines = [f"{result['scale']}: {result['survey_answers']:,} answers"]
    for name, value in ratio.items():
        lines.append(f"  {name:<22} {value if value is not None else '-'}")
    for name, target in result["targets"].items():
        verdict = {True: "met", False: "MISSED", None: "not measured"}[target["met"]]
        lines.append(f"  target {name:<28} {target['limit']!s:<24} measured {target['measured']}: {verdict}")
    return "\n".join(lines)


STEP_LABELS = {
    "dbt_parse": "`dbt parse --no-partial-parse` (fixed cost)",
    "dbt_noop_run": "no-op `dbt run` (fixed cost: start-up, partial parse)",
    "dbt_seed": "`dbt seed`",
    "dbt_run": "`dbt run` (models only)",
    "dbt_test": "`dbt test` (data and unit tests; the snapshots' aside: `dbt run` builds none)",
    "dbt_run_core_marts": "`dbt run` of the four marts and their upstream models only",
    "dbt_build": "`dbt build --full-refresh` (seed, models, tests)",
    "dbt_build_reusing": "`dbt build` on the database `dbt run` built (incremental models took their "
    "incremental path; measured before the harness added --full-refresh)",
    "duckdb_baseline": "hand-written DuckDB script",
    "pandas_baseline": "pandas version",
    "load": "loader (`cxw load`: the raw files to the landing folder dbt and the baselines read)",
    "incremental_base_load": "incremental: loader on the D-1 snapshot",
    "incremental_seed": "incremental: `dbt seed`",
    "incremental_base_run": "incremental: `dbt run` on D-1 snapshot (full)",
    "incremental_load": "incremental: nightly loader (+1 day, the whole export)",
    "incremental_run": "incremental: nightly `dbt run` (+1 day)",
}


def _measured_with(result: dict[str, Any]) -> str:
    settings = result.get("settings", {})
    return (
        f"Measured {result.get('measured_at', '?')} at commit `{result.get('commit', 'unknown')}`, "
        f"memory_limit {settings.get('memory_limit', '?')}, "
        f"dbt threads {settings.get('dbt_threads', '?')}."
    )


def format_markdown(results: dict[str, Any]) -> str:
    """One markdown table per scale (steps with wall time and peak memory), then its ratios and targets: the
    figures docs/benchmarks.md quotes, rendered from the results file so that the two never disagree."""
    lines: list[str] = []
    for label, result in results["scales"].items():
        lines += [
            f"### {label}: {result['survey_answers']:,} survey answers ({result['accounts']:,} accounts, "
            f"{result['raw_bytes'] / 1e9:.2f} GB of CSV)",
            "",
            _measured_with(result),
            "",
            "| step | wall time (s) | CPU time (s) | peak RSS (MiB) | load before |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, step in result["steps"].items():
            state = "" if step["returncode"] == 0 else f" (FAILED, exit {step['returncode']})"
            reused = name == "dbt_build" and "--full-refresh" not in step["command"]
            label_text = STEP_LABELS.get("dbt_build_reusing" if reused else name, name)
            lines.append(
                f"| {label_text}{state} | {step['seconds']:,.1f} | {step.get('cpu_seconds', 0):,.1f} "
                f"| {step['peak_rss_mb']:,.0f} | {step.get('load_before', 0):.1f} |"
            )
        if result.get("pandas_skipped"):
            lines.append(f"| pandas version | {result['pandas_skipped']} | | | |")
        lines += ["", "| ratio | value |", "|---|---:|"]
        lines += [
            f"| {name} | {value if value is not None else '-'} |" for name, value in result["ratios"].items()
        ]
        lines += ["", "| target | limit | measured | met |", "|---|---|---:|---|"]
        for name, target in result["targets"].items():
            verdict = {True: "yes", False: "**no**", None: "not measured"}[target["met"]]
            lines.append(f"| {name} | {target['limit']} | {target['measured']} | {verdict} |")
        slowest = ", ".join(f"{m['model']} {m['seconds']:.1f} s" for m in result["slowest_models"][:6])
        lines += ["", f"Slowest models in `dbt run`: {slowest}."]
        python_models = ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in result.get("python_models", {}).items()
        )
        lines += ["", f"Python models in `dbt run`: {python_models or 'none recorded'}.", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- command line


def parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m cx_warehouse.benchmark` (scales, workdir, results, skips; the
    `report` command)."""
    top = argparse.ArgumentParser(
        prog="python -m cx_warehouse.benchmark", description=__doc__.split("\n\n")[0]
    )
    top.add_argument("--scales", default="100k,1m,10m", help="comma-separated scales in survey answers")
    top.add_argument("--workdir", type=Path, default=Path("/tmp/cxw-benchmark"), help="data and databases")
    top.add_argument(
        "--results", type=Path, default=None, help="results JSON (default benchmarks/results.json)"
    )
    top.add_argument(
        "--skip-pandas-above", type=parse_scale, default=None, help="no pandas baseline above this scale"
    )
    top.add_argument(
        "--skip",
        default="",
        help=f"comma-separated optional steps to leave out: {', '.join(OPTIONAL_STEPS)}",
    )
    commands = top.add_subparsers(dest="command")
    commands.add_parser("report", help="print the results file as markdown tables")
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for each scale (or print the report) and merge the results into the results file.
    Returns 0, or 1 when a step failed or a baseline's marts differ from dbt's. Raises SystemExit for an
    unknown --skip step, argparse.ArgumentTypeError for a bad scale label."""
    args = parser().parse_args(argv)
    results_path = args.results or project_dir() / "benchmarks" / "results.json"
    if args.command == "report":
        print(format_markdown(json.loads(results_path.read_text())))
        return 0
    labels = [label.strip().lower() for label in args.scales.split(",") if label.strip()]
    skip = frozenset(name.strip() for name in args.skip.split(",") if name.strip())
    if skip - set(OPTIONAL_STEPS):
        raise SystemExit(f"--skip: unknown step(s) {sorted(skip - set(OPTIONAL_STEPS))}")
    for label in labels:
        parse_scale(label)
    command = "python -m cx_warehouse.benchmark " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"Benchmark on {machine()['cores']} cores; results to {results_path}", flush=True)
    results = []
    for label in labels:
        result = run_scale(label, args.workdir, args.skip_pandas_above, skip)
        results.append(result)
        merge_results(results_path, [result], command)
        print(format_summary(result), flush=True)
    failed = [r["scale"] for r in results if not all(step["returncode"] == 0 for step in r["steps"].values())]
    unequal = [r["scale"] for r in results if not r["targets"]["baselines_equal_marts"]["met"]]
    if failed or unequal:
        print(
            f"Failed steps at {failed or '-'}; baselines unequal to the marts at {unequal or '-'}", flush=True
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
