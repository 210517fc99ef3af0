"""The raw loader (cx_warehouse.runtime.load) on small export folders written byte by byte: encodings,
delimiters, quoting, broken lines, value normalisation, options, Parquet input and hostile folder names. Every
expected figure is written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cx_warehouse.runtime import load
from cx_warehouse.runtime.load import (
    REPORT_NAME,
    RawExportError,
    TableOptions,
    load_raw_dir,
    normalise_date,
    normalise_number,
    normalise_timestamp,
    read_options,
)
from cx_warehouse.runtime.raw_contract import raw_tables

META = ["_row_number", "_line_number", "_load_error", "_load_detail"]
ANSWERS_HEADER = b"response_id,question_id,score,answer_text\n"


def write_raw(folder: Path, files: dict[str, bytes], parquet: dict[str, pa.Table] | None = None) -> Path:
    """A complete export folder: the given raw files, and a header-only CSV for every other contract table."""
    folder.mkdir(parents=True, exist_ok=True)
    parquet = parquet or {}
    for name, table in raw_tables().items():
        if name in parquet:
            pq.write_table(parquet[name], folder / f"{name}.parquet")
        else:
            header = ",".join(column.name for column in table.columns).encode() + b"\n"
            (folder / f"{name}.csv").write_bytes(files.get(name, header))
    return folder


def landed(landing: Path, table: str) -> list[dict]:
    return pq.read_table(landing / f"{table}.parquet").to_pylist()


def load_one(tmp_path: Path, table: str, data: bytes, **options: str) -> tuple[list[dict], load.TableLoad]:
    """Load a folder holding `data` as <table>.csv; the table's landing rows and its TableLoad."""
    raw = write_raw(tmp_path / "raw", {table: data})
    table_options = {name: TableOptions(**options) for name in raw_tables()}
    report = load_raw_dir(raw, tmp_path / "landing", table_options)
    return landed(tmp_path / "landing", table), report.tables[table]


def values(rows: list[dict], *columns: str) -> list[tuple]:
    return [tuple(row[column] for column in columns) for row in rows]


@pytest.fixture
def exact_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables read by the exact Python reader (the others went through DuckDB's fast path)."""
    tables: list[str] = []
    exact = load._load_csv_exact

    def spy(*args: object) -> tuple[int, int]:
        tables.append(args[4].name)  # (con, path, encoding, layout, table, ...)
        return exact(*args)

    monkeypatch.setattr(load, "_load_csv_exact", spy)
    return tables


# --------------------------------------------------------------------------------------- encodings, dialect


def test_utf8_with_bom(tmp_path: Path) -> None:
    data = "\ufeffresponse_id,question_id,score,answer_text\nR1,Q1,9,Søde medarbejdere\n".encode()
    rows, table = load_one(tmp_path, "survey_answers", data)
    assert (table.encoding, table.delimiter, table.rows) == ("utf-8", ",", 1)
    assert rows == [
        {"response_id": "R1", "question_id": "Q1", "score": "9", "answer_text": "Søde medarbejdere",
         "_row_number": 1, "_line_number": 2, "_load_error": None, "_load_detail": None}
    ]  # fmt: skip


def test_windows_1252_semicolons_decimal_commas_crlf(tmp_path: Path) -> None:
    data = (
        b"contract_id;account_id;product;start_date;end_date;arr;currency\r\n"
        b"C1;A1;Licens K\xf8ge \x80;04.03.2024;31.12.2024;126.600,00;DKK\r\n"
        b"C2;A2;\xc6bler;2024-01-01;;\x80 1.234,50;EUR\r\n"
    )
    rows, table = load_one(tmp_path, "contracts", data)
    assert (table.encoding, table.delimiter, table.decimal_mark) == ("cp1252", ";", ",")
    assert values(rows, "product", "start_date", "end_date", "arr", "_line_number") == [
        ("Licens Køge €", "2024-03-04", "2024-12-31", "126600.00", 2),
        ("Æbler", "2024-01-01", None, "1234.50", 3),
    ]


def test_utf16_tab_delimited_excel_unicode_text(tmp_path: Path) -> None:
    text = "response_id\tquestion_id\tscore\tanswer_text\r\nR1\tQ1\t7,5\tÅbent hus\r\n"
    rows, table = load_one(tmp_path, "survey_answers", text.encode("utf-16"))
    assert (table.encoding, table.delimiter, table.decimal_mark) == ("utf-16", "\t", ".")
    assert values(rows, "response_id", "score", "answer_text") == [("R1", "7,5", "Åbent hus")]


def test_semicolon_file_with_auto_delimiter(tmp_path: Path) -> None:
    data = b"response_id;question_id;score;answer_text\nR1;Q1;3,5;fine, thanks\n"
    rows, table = load_one(tmp_path, "survey_answers", data)
    assert (table.delimiter, table.decimal_mark) == (";", ",")
    assert values(rows, "score", "answer_text") == [("3.5", "fine, thanks")]


def test_header_names_trimmed_case_insensitive_extra_columns_dropped(tmp_path: Path) -> None:
    data = b"Export_Row, Score ,RESPONSE_ID,question_id,answer_text\n1,10,R1,Q1,ok\n"
    rows, _ = load_one(tmp_path, "survey_answers", data)
    assert list(rows[0]) == ["response_id", "question_id", "score", "answer_text", *META]
    assert values(rows, "response_id", "score") == [("R1", "10")]


def test_quoted_line_breaks_keep_later_line_numbers(tmp_path: Path, exact_reads: list[str]) -> None:
    data = (
        b"response_id,question_id,score,answer_text\r\n"
        b'R1,Q1,8,"Good support,\r\nbut slow\r\ninvoices"\r\n'
        b"R2,Q2,9,plain\r\n"
        b'R3,Q3,5,"He said ""hi""\r\nthen left"\r\n'
        b"R4,Q4,6,last\r\n\r\n\r\n"
    )
    rows, table = load_one(tmp_path, "survey_answers", data)
    assert exact_reads == []  # DuckDB read it; the line numbers come from the breaks inside values
    assert table.rows == 4
    assert values(rows, "response_id", "answer_text", "_row_number", "_line_number") == [
        ("R1", "Good support,\r\nbut slow\r\ninvoices", 1, 2),
        ("R2", "plain", 2, 5),
        ("R3", 'He said "hi"\r\nthen left', 3, 6),
        ("R4", "last", 4, 8),
    ]


def test_mixed_line_ends_read_exactly(tmp_path: Path, exact_reads: list[str]) -> None:
    data = (
        ANSWERS_HEADER
        + b'R1,Q1,8,"Good support,\r\nbut slow\ninvoices"\r\n'
        + b"R2,Q2,9,plain\r"
        + b'R3,Q3,5,"He said ""hi""\rthen left"\n'
        + b"R4,Q4,6,last\n\n\n"
    )
    rows, _ = load_one(tmp_path, "survey_answers", data)
    assert exact_reads == ["survey_answers"]
    assert values(rows, "response_id", "answer_text", "_row_number", "_line_number") == [
        ("R1", "Good support,\r\nbut slow\ninvoices", 1, 2),
        ("R2", "plain", 2, 5),
        ("R3", 'He said "hi"\rthen left', 3, 6),
        ("R4", "last", 4, 8),
    ]


def test_fast_path_and_exact_reader_agree(
    tmp_path: Path, exact_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same clean file read by DuckDB and (forced) by the exact Python reader gives the same landing."""
    data = (
        b"response_id,question_id,score,answer_text\r\n"
        b'R1,Q1, 8 ,"multi\r\nline, with comma"\r\n'
        b'R2,Q2,"1,234.5", "quoted after a blank"\r\n'
        b"R3,Q3,,\r\n"
        b'R4,Q4,7,"a ""quote"""  \r\n'
    )
    fast, _ = load_one(tmp_path / "fast", "survey_answers", data)
    assert exact_reads == []
    monkeypatch.setattr(load, "_load_csv_fast", lambda *args: False)
    exact, _ = load_one(tmp_path / "exact", "survey_answers", data)
    assert "survey_answers" in exact_reads
    assert fast == exact
    assert values(fast, "score", "answer_text", "_line_number") == [
        ("8", "multi\r\nline, with comma", 2),
        ("1234.5", "quoted after a blank", 4),
        (None, None, 5),
        ("7", 'a "quote"', 6),
    ]


def test_blanks_before_a_quote_are_read_exactly(tmp_path: Path, exact_reads: list[str]) -> None:
    """DuckDB keeps '  "x"' (two blanks, then a quote) as text; the loader unquotes it like ' "x"'."""
    rows, _ = load_one(tmp_path, "survey_answers", ANSWERS_HEADER + b'R1,Q1,1,  "a, b"\nR2,Q2,2,\t"c"\n')
    assert exact_reads == ["survey_answers"]
    assert values(rows, "answer_text") == [("a, b",), ("c",)]


def test_cr_line_ends(tmp_path: Path, exact_reads: list[str]) -> None:
    data = b"response_id,question_id,score,answer_text\rR1,Q1,1,a\rR2,Q2,2,b\r\r"
    rows, _ = load_one(tmp_path, "survey_answers", data)
    assert exact_reads == []
    assert values(rows, "response_id", "_row_number", "_line_number") == [("R1", 1, 2), ("R2", 2, 3)]


def test_blank_lines_in_the_middle_are_skipped(tmp_path: Path, exact_reads: list[str]) -> None:
    data = ANSWERS_HEADER + b"R1,Q1,1,a\n\n  \nR2,Q2,2,b\n"
    rows, _ = load_one(tmp_path, "survey_answers", data)
    assert exact_reads == ["survey_answers"]  # DuckDB skips the blank line: its line numbers would be off
    assert values(rows, "response_id", "_row_number", "_line_number") == [("R1", 1, 2), ("R2", 2, 5)]


# ----------------------------------------------------------------------------------------------- bad lines


def test_unbalanced_quote_costs_only_its_line(tmp_path: Path) -> None:
    data = (
        ANSWERS_HEADER
        + b"R1,Q1,8,fine\n"
        + b'R2,Q2,7,"never closed\n'
        + b"R3,Q3,6,kept\n"
        + b'R4,Q4,5,"closed, quoted"\n'
        + b"R5,Q5,4,kept too\n"
    )
    rows, table = load_one(tmp_path, "survey_answers", data)
    assert (table.rows, table.malformed_lines, table.undecodable_rows) == (5, 1, 0)
    assert values(rows, "response_id", "answer_text", "_row_number", "_line_number", "_load_error") == [
        ("R1", "fine", 1, 2, None),
        (None, None, 2, 3, "malformed_line"),
        ("R3", "kept", 3, 4, None),
        ("R4", "closed, quoted", 4, 5, None),
        ("R5", "kept too", 5, 6, None),
    ]
    assert rows[1]["_load_detail"] == 'a quoted value is not closed; the line starts: R2,Q2,7,"never closed'


def test_quote_closed_on_a_later_line_with_text_after_it(tmp_path: Path) -> None:
    """support_tickets has 11 columns: a joined record that cannot be split must still count as not closed."""
    header = ",".join(column.name for column in raw_tables()["support_tickets"].columns).encode() + b"\n"
    data = header + b'T1,A1,C1,,,,"email\nphone" or chat,high,billing,1,0\nT2,A1,C1,,,,web,low,login,2,0\n'
    rows, table = load_one(tmp_path, "support_tickets", data)
    assert table.malformed_lines == 2  # line 2 (the joined record), then line 3 alone has 5 fields
    assert values(rows, "ticket_id", "channel", "_line_number", "_load_error") == [
        (None, None, 2, "malformed_line"),
        (None, None, 3, "malformed_line"),
        ("T2", "web", 4, None),
    ]


def test_extra_and_missing_fields(tmp_path: Path) -> None:
    data = ANSWERS_HEADER + b"R1,Q1,8,ok\nR2,Q2,7,too,many\nR3,Q3\nR4,Q4,5,ok\n"
    rows, table = load_one(tmp_path, "survey_answers", data)
    assert (table.rows, table.malformed_lines) == (4, 2)
    assert values(rows, "response_id", "_line_number", "_load_error", "_load_detail") == [
        ("R1", 2, None, None),
        (None, 3, "malformed_line", "5 fields where the header has 4; the line starts: R2,Q2,7,too,many"),
        (None, 4, "malformed_line", "2 fields where the header has 4; the line starts: R3,Q3"),
        ("R4", 5, None, None),
    ]


def test_trailing_delimiters_are_no_fields_on_both_readers(
    tmp_path: Path, exact_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some tools end every line with a delimiter: empty fields beyond the header's are not fields, on
    the fast path (DuckDB reads them so) and on the exact reader alike; a non-empty extra field stays
    malformed."""
    clean = ANSWERS_HEADER + b"R1,Q1,8,ok,\nR2,Q2,7,fine,,\n"
    fast, _ = load_one(tmp_path / "fast", "survey_answers", clean)
    assert exact_reads == []
    monkeypatch.setattr(load, "_load_csv_fast", lambda *args: False)
    exact, _ = load_one(tmp_path / "exact", "survey_answers", clean)
    assert fast == exact
    assert values(exact, "response_id", "answer_text", "_load_error") == [
        ("R1", "ok", None),
        ("R2", "fine", None),
    ]
    mixed, table = load_one(tmp_path / "mixed", "survey_answers", clean + b"R3,Q3,6,x,extra\n")
    assert table.malformed_lines == 1
    assert values(mixed, "response_id", "_load_error") == [
        ("R1", None),
        ("R2", None),
        (None, "malformed_line"),
    ]


def test_text_after_a_closing_quote_is_malformed(tmp_path: Path) -> None:
    rows, table = load_one(tmp_path, "survey_answers", ANSWERS_HEADER + b'R1,Q1,8,"5" screen\nR2,Q2,9,ok\n')
    assert table.malformed_lines == 1
    assert values(rows, "response_id", "_load_error") == [(None, "malformed_line"), ("R2", None)]
    assert rows[0]["_load_detail"].startswith("text follows a closing quote")


def test_invalid_byte_in_utf8_file_flags_only_that_row(tmp_path: Path) -> None:
    data = (
        ANSWERS_HEADER + "R1,Q1,9,blåbær\n".encode() + b"R2,Q2,8,caf\xe9 au lait\n" + "R3,Q3,7,søø\n".encode()
    )
    rows, table = load_one(tmp_path, "survey_answers", data)
    assert (table.encoding, table.rows, table.undecodable_rows, table.malformed_lines) == ("utf-8", 3, 1, 0)
    assert values(rows, "response_id", "answer_text", "_load_error", "_load_detail") == [
        ("R1", "blåbær", None, None),
        (
            "R2",
            "caf\ufffd au lait",
            "undecodable_value",
            "bytes that are not valid utf-8 in column answer_text",
        ),
        ("R3", "søø", None, None),
    ]


def test_header_lacking_a_column_is_one_line_naming_file_and_column(tmp_path: Path) -> None:
    """The header splits into names, so the delimiter is right: the advice is the names, not the option."""
    raw = write_raw(tmp_path / "raw", {"survey_answers": b"response_id;question_id;answer_text\nR1;Q1;x\n"})
    with pytest.raises(RawExportError) as caught:
        load_raw_dir(raw, tmp_path / "landing")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{raw / 'survey_answers.csv'} line 1: the header lacks column(s) score ")
    assert "read with delimiter ';'" in message
    assert "rename them in the header" in message and "`delimiter`" not in message


def test_header_read_as_one_name_points_at_the_delimiter_option(tmp_path: Path) -> None:
    raw = write_raw(
        tmp_path / "raw", {"survey_answers": b"response_id;question_id;score;answer_text\nR1;Q1;3;x\n"}
    )
    with pytest.raises(RawExportError) as caught:
        load_raw_dir(raw, tmp_path / "landing", {"survey_answers": TableOptions(delimiter=",")})
    message = str(caught.value)
    assert "the header lacks column(s) response_id, question_id, score, answer_text" in message
    assert "`delimiter`" in message and "raw_options.yml" in message


def test_header_names_as_a_crm_writes_them(tmp_path: Path) -> None:
    """Case, blanks and hyphens do not matter: 'Response ID', 'question-id', 'Answer  Text'."""
    data = b"Response ID,question-id, SCORE ,Answer  Text\nR1,Q1,7,ok\n"
    rows, _ = load_one(tmp_path, "survey_answers", data)
    assert values(rows, "response_id", "question_id", "score", "answer_text") == [("R1", "Q1", "7", "ok")]


def test_file_names_in_any_case(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", {})
    (raw / "surveys.csv").rename(raw / "Surveys.CSV")
    assert load_raw_dir(raw, tmp_path / "landing").tables["surveys"].rows == 0
    write_raw(raw, {})  # surveys.csv again, beside Surveys.CSV
    with pytest.raises(RawExportError, match=r"Surveys\.CSV and surveys\.csv differ only in case"):
        load_raw_dir(raw, tmp_path / "landing")


def test_unreadable_file_leaves_previous_landing_untouched(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", {"accounts": b"account_id\n"})  # lacks columns: checked first
    write_raw(tmp_path / "good", {"surveys": b"survey_id,survey_name,touchpoint,created_at\nS1,N,t,\n"})
    load_raw_dir(tmp_path / "good", tmp_path / "landing")
    before = {path.name: path.read_bytes() for path in (tmp_path / "landing").iterdir()}
    with pytest.raises(
        RawExportError, match=r"accounts\.csv line 1: the header lacks column\(s\) account_name"
    ):
        load_raw_dir(raw, tmp_path / "landing")
    assert {path.name: path.read_bytes() for path in (tmp_path / "landing").iterdir()} == before


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"survey_answers": b""}, "survey_answers.csv line 1: the file is empty"),
        ({"survey_answers": b"\n\n"}, "survey_answers.csv line 1: the file is empty"),
        ({"survey_answers": b"a|b\n1|2\n"}, "survey_answers.csv line 1: no column of table survey_answers"),
    ],
)
def test_unreadable_files_raise_one_line(tmp_path: Path, files: dict[str, bytes], expected: str) -> None:
    raw = write_raw(tmp_path / "raw", files)
    with pytest.raises(RawExportError, match=expected) as caught:
        load_raw_dir(raw, tmp_path / "landing")
    assert "\n" not in str(caught.value)


def test_missing_file_and_both_formats(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", {})
    (raw / "surveys.csv").unlink()
    with pytest.raises(RawExportError, match=r"surveys\.csv or surveys\.parquet is missing"):
        load_raw_dir(raw, tmp_path / "landing")
    write_raw(raw, {})
    pq.write_table(pa.table({"survey_id": ["S1"]}), raw / "surveys.parquet")
    with pytest.raises(RawExportError, match=r"both surveys\.csv and surveys\.parquet exist.*`format`"):
        load_raw_dir(raw, tmp_path / "landing")


# ------------------------------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    ("text", "decimal_mark", "expected"),
    [
        ("461,100.00", ".", "461100.00"),
        ("€1,234,567.00", ".", "1234567.00"),
        ("12,50", ".", "12,50"),
        ("$ -1,000", ".", "-1000"),
        ("1'234.50", ".", "1234.50"),
        ("1.234.567", ".", "1234567"),
        ("126.600,00", ",", "126600.00"),
        ("1 234 567 kr", ",", "1234567"),
        ("3,5", ",", "3.5"),
        ("1.234", ",", "1234"),
        ("(1 234,00)", ",", "-1234.00"),
        ("1.234,-", ",", "1234"),
        ("1,23E+11", ",", "1.23E+11"),
        ("\u00a012\u202f345,5 DKK ", ",", "12345.5"),
        ("kr. 1.234,50", ",", "1234.50"),
        ("NaN", ".", "NaN"),
        ("n/a", ",", "n/a"),
        ("twelve", ".", "twelve"),
        ("  ", ".", None),
        (None, ".", None),
    ],
)
def test_normalise_number(text: str | None, decimal_mark: str, expected: str | None) -> None:
    assert normalise_number(text, decimal_mark) == expected


@pytest.mark.parametrize(
    ("text", "date_order", "expected"),
    [
        ("2024-03-04", "DMY", "2024-03-04"),
        ("2024-03-04T10:00:00", "DMY", "2024-03-04"),
        ("2024-03-04 00:00:00", "MDY", "2024-03-04"),
        ("2024/03/04", "DMY", "2024-03-04"),
        ("2024.03.04", "DMY", "2024-03-04"),
        ("04-03-2024", "DMY", "2024-03-04"),
        ("04-03-2024", "MDY", "2024-04-03"),
        ("4.3.2024", "DMY", "2024-03-04"),
        ("3/4/2024", "MDY", "2024-03-04"),
        ("31.02.2025", "DMY", "31.02.2025"),
        ("2024-03/04", "DMY", "2024-03/04"),
        ("next week", "DMY", "next week"),
    ],
)
def test_normalise_date(text: str, date_order: str, expected: str) -> None:
    assert normalise_date(text, date_order) == expected


@pytest.mark.parametrize(
    ("text", "date_order", "time_zone", "expected"),
    [
        ("2024-03-04T10:15:00Z", "DMY", "UTC", "2024-03-04T10:15:00Z"),
        ("2024-03-04T10:15:00Z", "DMY", "Europe/Copenhagen", "2024-03-04T10:15:00Z"),
        ("2024-03-04T10:15:00+0100", "DMY", "UTC", "2024-03-04T09:15:00Z"),
        ("2024-03-04T10:15:00+01:00", "DMY", "UTC", "2024-03-04T09:15:00Z"),
        ("2024-03-04 10:15:00 +01:00", "DMY", "UTC", "2024-03-04T09:15:00Z"),
        ("2024-03-04T10:15:00-05", "DMY", "UTC", "2024-03-04T15:15:00Z"),
        ("2024-03-04 10:15:00 UTC", "DMY", "Europe/Copenhagen", "2024-03-04T10:15:00Z"),
        ("2024-01-15 10:15:00", "DMY", "Europe/Copenhagen", "2024-01-15T09:15:00Z"),
        ("2024-07-15 10:15:00", "DMY", "Europe/Copenhagen", "2024-07-15T08:15:00Z"),
        ("2024-03-04 10:15", "DMY", "UTC", "2024-03-04T10:15:00Z"),
        ("03/04/2024 10:15", "DMY", "UTC", "2024-04-03T10:15:00Z"),
        ("03/04/2024 10:15", "MDY", "UTC", "2024-03-04T10:15:00Z"),
        ("04.03.2024 10.15", "DMY", "Europe/Oslo", "2024-03-04T09:15:00Z"),
        ("04.03.2024 10.15.30", "DMY", "UTC", "2024-03-04T10:15:30Z"),
        ("2024-03-04", "DMY", "Europe/Copenhagen", "2024-03-03T23:00:00Z"),
        ("2024-03-04T10:15:00.25Z", "DMY", "UTC", "2024-03-04T10:15:00.250000Z"),
        ("2024-03-04T25:15:00", "DMY", "UTC", "2024-03-04T25:15:00"),
        ("2024-03-04 10.15", "DMY", "UTC", "2024-03-04 10.15"),
        ("yesterday", "DMY", "UTC", "yesterday"),
    ],
)
def test_normalise_timestamp(text: str, date_order: str, time_zone: str, expected: str) -> None:
    assert normalise_timestamp(text, date_order, time_zone) == expected


def test_integer_columns_keep_non_numbers_for_dbt(tmp_path: Path) -> None:
    header = ",".join(column.name for column in raw_tables()["support_tickets"].columns).encode() + b"\n"
    data = header + (
        b"T1,A1,C1,2024-03-04T10:15:00Z,,,email,high,billing,NaN,1e9\n"
        b"T2,A1,C1,04.03.2024 11.00,2024-03-04 12:00,,phone,low,login, 3 ,\xe2\x80\xaf1 000\n"
    )
    rows, _ = load_one(tmp_path, "support_tickets", data, time_zone="Europe/Copenhagen")
    assert values(rows, "created_at", "first_response_at", "agent_replies", "reopened_count") == [
        ("2024-03-04T10:15:00Z", None, "NaN", "1e9"),
        ("2024-03-04T10:00:00Z", "2024-03-04T11:00:00Z", "3", "1000"),
    ]


# ------------------------------------------------------------------------------------------------- options


def test_options_precedence(tmp_path: Path) -> None:
    (tmp_path / "raw_options.yml").write_text(
        "defaults:\n  time_zone: Europe/Oslo\n  date_order: MDY\n"
        "tables:\n  contracts:\n    time_zone: America/New_York\n    delimiter: tab\n"
    )
    options = read_options(tmp_path, overrides={"time_zone": "Europe/Copenhagen", "decimal_mark": ","})
    assert set(options) == set(raw_tables())
    assert options["accounts"] == TableOptions(
        decimal_mark=",", date_order="MDY", time_zone="Europe/Copenhagen"
    )
    assert options["contracts"] == TableOptions(
        delimiter="\t", decimal_mark=",", date_order="MDY", time_zone="America/New_York"
    )
    assert read_options(tmp_path / "no such folder") == {name: TableOptions() for name in raw_tables()}
    # The build's defaults (naive timestamps in the reporting time zone) come below the file's defaults.
    implied = read_options(tmp_path, defaults={"time_zone": "Asia/Tokyo", "encoding": "cp1252"})
    assert (implied["accounts"].time_zone, implied["accounts"].encoding) == ("Europe/Oslo", "cp1252")
    assert implied["contracts"].time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tables:\n  contracts:\n    delimeter: ';'\n", r"raw_options\.yml line 3: unknown key 'delimeter'"),
        ("defaults:\n  encoding: ebcdic\n", r"raw_options\.yml line 2: encoding 'ebcdic' is not one of"),
        ("defaults:\n  time_zone: Mars/Olympus\n", r"line 2: time_zone 'Mars/Olympus' is not an IANA"),
        ("tables:\n  contacts_old:\n    format: csv\n", r"line 2: unknown table 'contacts_old'"),
        ("default:\n  format: csv\n", r"raw_options\.yml line 1: unknown key 'default'"),
        ("defaults: [csv\n", r"raw_options\.yml line 2: .*Fix the YAML"),
    ],
)
def test_options_file_rejects_unknown_keys_and_values(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "raw_options.yml").write_text(text)
    with pytest.raises(RawExportError, match=expected) as caught:
        read_options(tmp_path)
    assert "\n" not in str(caught.value)


def test_unknown_override_rejected(tmp_path: Path) -> None:
    with pytest.raises(RawExportError, match="option 'decimal': unknown option"):
        read_options(tmp_path, overrides={"decimal": ","})


def test_options_file_is_applied_by_load(tmp_path: Path) -> None:
    header = b"contract_id|account_id|product|start_date|end_date|arr|currency\n"
    raw = write_raw(
        tmp_path / "raw", {"contracts": header + b"C1|A1|Pro|03/04/2024|12/31/2024|1.234,5|EUR\n"}
    )
    (raw / "raw_options.yml").write_text(
        "defaults:\n  date_order: MDY\ntables:\n  contracts:\n    delimiter: '|'\n    decimal_mark: ','\n"
    )
    report = load_raw_dir(raw, tmp_path / "landing")
    assert (report.tables["contracts"].delimiter, report.tables["contracts"].decimal_mark) == ("|", ",")
    assert values(landed(tmp_path / "landing", "contracts"), "start_date", "end_date", "arr") == [
        ("2024-03-04", "2024-12-31", "1234.5")
    ]


# ------------------------------------------------------------------------------------ Parquet, report, paths

ANSWERS = pa.table(
    {
        "response_id": ["R1", "R2", "R3"],
        "question_id": ["Q1", "Q2", "Q3"],
        "score": [" 9 ", None, "1,5"],
        "answer_text": ["Godt, tak", 'med "citat"', ""],
    }
)
ANSWERS_CSV = ANSWERS_HEADER + b'R1,Q1, 9 ,"Godt, tak"\nR2,Q2,,"med ""citat"""\nR3,Q3,"1,5",\n'


def test_csv_and_parquet_give_equal_landing(tmp_path: Path) -> None:
    load_raw_dir(write_raw(tmp_path / "csv", {"survey_answers": ANSWERS_CSV}), tmp_path / "from_csv")
    load_raw_dir(write_raw(tmp_path / "pq", {}, {"survey_answers": ANSWERS}), tmp_path / "from_parquet")
    from_csv = pq.read_table(tmp_path / "from_csv" / "survey_answers.parquet")
    from_parquet = pq.read_table(tmp_path / "from_parquet" / "survey_answers.parquet")
    contract = ["response_id", "question_id", "score", "answer_text", "_row_number"]
    assert from_csv.select(contract) == from_parquet.select(contract)
    assert from_csv.select(contract).to_pylist()[0] == {
        "response_id": "R1", "question_id": "Q1", "score": "9", "answer_text": "Godt, tak", "_row_number": 1,
    }  # fmt: skip
    assert from_csv.column("_line_number").to_pylist() == [2, 3, 4]
    assert from_parquet.column("_line_number").to_pylist() == [None, None, None]


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    typed = pa.table(
        {
            "ACCOUNT_ID": ["A1", "A2"],
            "kickoff_at": pa.array([1709547300_000000, None], pa.timestamp("us", tz="UTC")),
            "go_live_at": pa.array([1709547300_000000, 1720001000_000000], pa.timestamp("us")),
            "extra": [1.5, 2.5],
        }
    )
    raw = write_raw(tmp_path / "raw", {}, {"onboarding_projects": typed})
    options = {name: TableOptions(time_zone="Europe/Copenhagen") for name in raw_tables()}
    report = load_raw_dir(raw, tmp_path / "landing", options)
    assert report.tables["onboarding_projects"].format == "parquet"
    assert landed(tmp_path / "landing", "onboarding_projects") == [
        {"account_id": "A1", "kickoff_at": "2024-03-04T10:15:00Z", "go_live_at": "2024-03-04T09:15:00Z",
         "_row_number": 1, "_line_number": None, "_load_error": None, "_load_detail": None},
        {"account_id": "A2", "kickoff_at": None, "go_live_at": "2024-07-03T08:03:20Z",
         "_row_number": 2, "_line_number": None, "_load_error": None, "_load_detail": None},
    ]  # fmt: skip


def test_parquet_lacking_a_column(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", {}, {"surveys": pa.table({"survey_id": ["S1"], "survey_name": ["x"]})})
    with pytest.raises(
        RawExportError, match=r"surveys\.parquet: the file lacks column\(s\) touchpoint, created_at"
    ):
        load_raw_dir(raw, tmp_path / "landing")


def test_landing_schema_and_report(tmp_path: Path) -> None:
    raw = write_raw(tmp_path / "raw", {"survey_answers": ANSWERS_HEADER + b"R1,Q1,1,a\nR2,Q2\n"})
    report = load_raw_dir(raw, tmp_path / "landing")
    assert sorted(path.name for path in (tmp_path / "landing").iterdir()) == sorted(
        [REPORT_NAME, *(f"{name}.parquet" for name in raw_tables())]
    )  # no temporary files left behind
    schema = pq.read_schema(tmp_path / "landing" / "contracts.parquet")
    columns = [column.name for column in raw_tables()["contracts"].columns]
    assert schema.names == [*columns, *META]
    assert [str(schema.field(name).type) for name in schema.names] == ["string"] * 7 + [
        "int64", "int64", "string", "string",
    ]  # fmt: skip
    saved = json.loads((tmp_path / "landing" / REPORT_NAME).read_text())
    assert saved == json.loads(report.to_json())
    assert saved["tables"]["survey_answers"] == {
        "table": "survey_answers", "file": str(raw / "survey_answers.csv"), "format": "csv",
        "encoding": "utf-8", "delimiter": ",", "decimal_mark": ".", "rows": 2, "malformed_lines": 1,
        "undecodable_rows": 0,
    }  # fmt: skip
    assert list(saved["tables"]) == list(raw_tables())


@pytest.mark.parametrize("name", ["O'Brien exports", "export {2026}", "x'); drop table y; --", "raw [1] *?"])
def test_hostile_folder_names(tmp_path: Path, name: str) -> None:
    """Raw and landing folders with quotes, braces, SQL and glob characters, through every reading path:
    DuckDB on the file (UTF-8), on a transcoded copy in the landing folder (cp1252), the exact reader (a bad
    line) and Parquet."""
    folder = tmp_path / name
    contracts = (
        b"contract_id;account_id;product;start_date;end_date;arr;currency\r\nC1;A1;K\xf8ge;;;1,5;DKK\r\n"
    )
    accounts = ",".join(column.name for column in raw_tables()["accounts"].columns).encode() + b"\n1,2\n"
    surveys = pa.table({"survey_id": ["S1"], "survey_name": ["N"], "touchpoint": ["t"], "created_at": ["x"]})
    files = {
        "survey_answers": ANSWERS_HEADER + b'R1,Q1,9,"it\'s"\n',
        "contracts": contracts,
        "accounts": accounts,
    }
    report = load_raw_dir(write_raw(folder / "raw", files, {"surveys": surveys}), folder / "landing")
    assert values(landed(folder / "landing", "survey_answers"), "response_id", "answer_text") == [
        ("R1", "it's")
    ]
    assert values(landed(folder / "landing", "contracts"), "product", "arr") == [("Køge", "1.5")]
    assert report.tables["accounts"].malformed_lines == 1
    assert values(landed(folder / "landing", "surveys"), "survey_id") == [("S1",)]
    assert (
        sorted(path.name for path in (folder / "landing").iterdir())[0] == REPORT_NAME
    )  # no temporary files


def test_glob_characters_read_only_the_named_folder(tmp_path: Path) -> None:
    """DuckDB globs '*': a folder literally named 'raw*' must not also read its sibling 'raw-other'."""
    raw = write_raw(tmp_path / "raw*", {"survey_answers": ANSWERS_HEADER + b"R1,Q1,1,literal\n"})
    write_raw(tmp_path / "raw-other", {"survey_answers": ANSWERS_HEADER + b"R9,Q9,9,sibling\n"})
    load_raw_dir(raw, tmp_path / "landing")
    assert values(landed(tmp_path / "landing", "survey_answers"), "answer_text") == [("literal",)]
