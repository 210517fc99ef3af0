"""Building the warehouse on local Spark (dbt-spark, `method: session`) in one Python process.

dbt-spark's session method runs every statement through `SparkSession.builder.getOrCreate()` in the calling
process, with an in-memory catalog that is gone when the process exits. So the raw tables, the seeds, every
dbt command of a build (and of a second, incremental build) and the reads of the marts must share one process
and one session: this module starts that session with the profile's own settings, reads the export with the
same loader as DuckDB (cx_warehouse.runtime.load) and registers its landing files as the tables the sources
point at (var raw_schema; the DuckDB file reader in dbt_project.yml does not apply on Spark), runs dbt with
`--target spark` and reads relations back as pandas frames.

Needs the optional extra `spark` (dbt-spark[session], pyspark 3.5) and Java 17.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import pandas as pd
import yaml

from cx_warehouse.runtime.project import BuildSettings, load_raw, project_dir, run_dbt
from cx_warehouse.runtime.raw_contract import raw_contract

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPARK_TARGET = "spark"

#: Settings for builds of a few thousand rows (tests, demos): every query is then mostly Spark's fixed cost,
#: and each of these cuts that cost while slowing big queries (measured on the test data set: about a fifth
#: less CPU for a full `dbt build`). No whole-stage code generation (a compile per query), no adaptive
#: re-planning, one shuffle partition, and a JIT that stops at its quick first tier. That tier's code cache
#: is 48 MB by default, which a whole build's hundreds of queries filled ("Out of space in CodeCache for
#: adapters", seen once in a full test run): it gets 256 MB.
SMALL_DATA_CONF = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.shuffle.partitions": "1",
    "spark.driver.extraJavaOptions": (
        "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m -XX:+UseParallelGC"
    ),
}


def java_available() -> bool:
    """pyspark starts a JVM: without `java` on PATH (or JAVA_HOME) nothing here can run."""
    java_home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(java_home and Path(java_home, "bin", "java").is_file())


@dataclass
class SparkBuildSettings:
    """What a Spark build reads and where its tables live.

    warehouse_dir holds the table files of the in-memory catalog (spark.sql.warehouse.dir); it is fixed for
    the life of the JVM, so every build in one process shares it.
    """

    raw_dir: Path
    warehouse_dir: Path
    raw_format: str = "auto"
    as_of_date: date | None = None
    schema: str = "cx_warehouse"
    raw_schema: str = "raw"
    extra_vars: dict[str, object] = field(default_factory=dict)
    #: Start the session with SMALL_DATA_CONF (only takes effect if this process has no session yet).
    small_data: bool = False

    def build_settings(self) -> BuildSettings:
        """The DuckDB-shaped settings run_dbt and the loader take. The database path only names a file nobody
        opens; the landing folder beside it (one per raw schema) holds the loaded export."""
        extra: dict[str, object] = {"raw_schema": self.raw_schema, **self.extra_vars}
        return BuildSettings(
            self.raw_dir,
            self.warehouse_dir / f"{self.raw_schema}.duckdb",
            self.raw_format,
            self.as_of_date,
            extra,
        )


def profile_spark_conf() -> dict[str, str]:
    """The spark output's server_side_parameters from profiles.yml, with env_var() rendered.

    The session is started here (to load the raw tables) before dbt asks for it; dbt's getOrCreate then gets
    this one. Reading the profile keeps one list of settings, so the two can never start differently.
    """
    profile = yaml.safe_load((project_dir() / "profiles.yml").read_text())
    parameters = profile["cx_warehouse"]["outputs"][SPARK_TARGET]["server_side_parameters"]
    environment = jinja2.Environment(autoescape=False)
    environment.globals["env_var"] = _env_var
    return {str(key): environment.from_string(str(value)).render() for key, value in parameters.items()}


def _env_var(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise KeyError(f"environment variable {name} is not set and has no default")
    return value


def start_session(settings: SparkBuildSettings) -> SparkSession:
    """Start (or get) the process's Spark session with the profile's settings and settings.warehouse_dir."""
    from pyspark.sql import SparkSession

    # The JVM binds the driver to this address; without it Spark picks the host's first interface and warns,
    # or fails on machines whose host name does not resolve.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CXW_SPARK_WAREHOUSE"] = str(settings.warehouse_dir.resolve())
    os.environ["CXW_SPARK_SCHEMA"] = settings.schema
    builder = SparkSession.builder.appName("cx_warehouse")
    conf = profile_spark_conf()
    if settings.small_data:
        conf.update(SMALL_DATA_CONF)
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def load_raw_tables(session: SparkSession, settings: SparkBuildSettings) -> list[str]:
    """Read the export with the loader (cx_warehouse.runtime.load, the same as on DuckDB) and register each
    landing file as a table of settings.raw_schema; returns the qualified names.

    The tables read the landing Parquet files in place (nothing is copied): every contract column as text, so
    a malformed value reaches staging and is quarantined there, plus the row's position, line and load error.
    """
    build = settings.build_settings()
    load_raw(build)
    session.sql(f"create database if not exists {settings.raw_schema}")
    names = []
    for table in raw_contract():
        name = f"{settings.raw_schema}.{table}"
        path = (build.landing_dir / f"{table}.parquet").resolve()
        session.sql(f"drop table if exists {name}")
        session.sql(f"create table {name} using parquet options (path '{_sql_text(str(path))}')")
        names.append(name)
    return names


def _sql_text(value: str) -> str:
    """value inside a Spark SQL string literal, whose escape character is the backslash."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def run_dbt_spark(args: list[str], settings: SparkBuildSettings):
    """Run one dbt command with `--target spark` in this process (the session must hold the raw tables)."""
    return run_dbt([*args, "--target", SPARK_TARGET], settings.build_settings())


def build_on_spark(settings: SparkBuildSettings, build_args: list[str] | None = None) -> SparkSession:
    """Start the session, load the raw tables, `dbt seed` and `dbt build` (models, data and unit tests).

    Returns the session so the caller can read the marts or run a second (incremental) build before the
    process ends.
    """
    session = start_session(settings)
    load_raw_tables(session, settings)
    run_dbt_spark(["seed"], settings)
    run_dbt_spark(["build", *(build_args or [])], settings)
    return session


def qualified_name(session: SparkSession, settings: SparkBuildSettings, name: str) -> str:
    """<schema>.<name> of a model or seed built on Spark, whose layer's schema is the target schema with the
    layer's name appended (macros/schemas.sql). Raises KeyError when no such schema holds it."""
    for database in session.catalog.listDatabases(f"{settings.schema}_*"):
        if session.catalog.tableExists(name, database.name):
            return f"{database.name}.{name}"
    raise KeyError(f"no schema {settings.schema}_* holds {name}")


def read_relation(session: SparkSession, settings: SparkBuildSettings, name: str) -> pd.DataFrame:
    """A model's table as pandas with Python values (object columns): dates and timestamps as ISO text, so
    no client converts time zones, decimals as Decimal and integers as int, so a null never turns a count
    into a float."""
    from pyspark.sql import functions
    from pyspark.sql.types import DateType, TimestampNTZType, TimestampType

    frame = session.table(qualified_name(session, settings, name))
    columns = []
    for column in frame.schema.fields:
        if isinstance(column.dataType, DateType):
            columns.append(functions.date_format(column.name, "yyyy-MM-dd").alias(column.name))
        elif isinstance(column.dataType, TimestampType | TimestampNTZType):
            columns.append(
                functions.date_format(column.name, "yyyy-MM-dd HH:mm:ss.SSSSSS").alias(column.name)
            )
        else:
            columns.append(functions.col(column.name))
    rows = frame.select(*columns).collect()
    return pd.DataFrame([tuple(row) for row in rows], columns=frame.columns, dtype=object)
