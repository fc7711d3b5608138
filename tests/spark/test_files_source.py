"""The ``files`` source, through real streaming queries: one body per line, byte-exact."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakestream.common.errors import SourceUnavailableError
from lakestream.common.sources.files import landing_files
from lakestream.common.tables.schemas import SOURCE_STRUCT

pytestmark = pytest.mark.spark

MTIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@dataclass(frozen=True)
class Line:
    batch: int
    body: bytes
    kind: str
    file: str
    line: int
    partition: str | None
    sequence_number: int | None
    offset: str | None
    enqueued_utc: str


def stream(spark: SparkSession, landing: Path, checkpoint: Path, max_files: int) -> list[Line]:
    """Run the source once (availableNow) and return every row with its batch id."""
    out: list[Line] = []

    def collect(df: DataFrame, batch_id: int) -> None:
        enqueued = F.date_format("source.enqueued_time", "yyyy-MM-dd'T'HH:mm:ss")
        for r in df.select("body", "source.*", enqueued.alias("enq")).collect():
            out.append(
                Line(
                    batch_id,
                    bytes(r["body"]),
                    r["kind"],
                    r["file"],
                    r["line"],
                    r["partition"],
                    r["sequence_number"],
                    r["offset"],
                    r["enq"],
                )
            )

    query = (
        landing_files(spark, str(landing), max_files)
        .writeStream.foreachBatch(collect)
        .option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True)
        .start()
    )
    try:
        finished = query.awaitTermination(120)
    finally:
        query.stop()
    assert finished, "the availableNow query did not finish"
    assert query.exception() is None
    return out


def write(path: Path, data: bytes) -> Path:
    """Write a landing file atomically, with a fixed modification time."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.utime(tmp, (MTIME.timestamp(), MTIME.timestamp()))
    tmp.replace(path)
    return path


FILES: dict[str, bytes] = {
    # CRLF ends, invalid UTF-8, a blank line, a bare \r inside a line, no final newline.
    "a.jsonl": b'{"a":1}\r\n\xff\xfe\n\nlast\xc3\x28\r\nmid\rdle\nno-newline',
    "b.jsonl": b"one\ntwo\n",
    "blank.jsonl": b"\n",
    "empty.jsonl": b"",
    "crlf-edge.jsonl": b"a\r\r\nb\r\x85\n",
}
IGNORED: dict[str, bytes] = {
    ".hidden.jsonl": b"hidden\n",
    "notes.json": b'{"not":"jsonl"}\n',
    "data.txt": b"text\n",
    "x.jsonl.tmp": b"partial\n",
    "_meta.jsonl": b"underscore\n",
}
MAX_FILES = 2


@pytest.fixture(scope="module")
def landed(
    spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[tuple[str, int], Line], list[Line]]:
    root = tmp_path_factory.mktemp("files")
    landing = root / "landing"
    landing.mkdir()
    for name, data in {**FILES, **IGNORED}.items():
        write(landing / name, data)
    rows = stream(spark, landing, root / "checkpoint", MAX_FILES)
    by_key = {(Path(urlparse(r.file).path).name, r.line): r for r in rows}
    assert len(by_key) == len(rows), "(file, line) is unique"
    return landing, by_key, rows


def bodies(by_key: dict[tuple[str, int], Line], name: str) -> list[bytes]:
    return [by_key[k].body for k in sorted(k for k in by_key if k[0] == name)]


def test_bodies_are_byte_exact_per_line(
    landed: tuple[Path, dict[tuple[str, int], Line], list[Line]],
) -> None:
    _, by_key, _ = landed
    assert bodies(by_key, "a.jsonl") == [
        b'{"a":1}',
        b"\xff\xfe",
        b"",
        b"last\xc3\x28",
        b"mid\rdle",
        b"no-newline",
    ]
    assert bodies(by_key, "b.jsonl") == [b"one", b"two"]
    assert bodies(by_key, "blank.jsonl") == [b""]


def test_line_numbers_are_one_based_and_dense(
    landed: tuple[Path, dict[tuple[str, int], Line], list[Line]],
) -> None:
    _, by_key, _ = landed
    for name, count in [("a.jsonl", 6), ("b.jsonl", 2), ("blank.jsonl", 1)]:
        assert sorted(k[1] for k in by_key if k[0] == name) == list(range(1, count + 1))


def test_empty_file_gives_no_body(
    landed: tuple[Path, dict[tuple[str, int], Line], list[Line]],
) -> None:
    _, by_key, _ = landed
    assert not [k for k in by_key if k[0] == "empty.jsonl"]


def test_only_visible_jsonl_files_are_read(
    landed: tuple[Path, dict[tuple[str, int], Line], list[Line]],
) -> None:
    _, by_key, rows = landed
    assert {k[0] for k in by_key} == {"a.jsonl", "b.jsonl", "blank.jsonl", "crlf-edge.jsonl"}
    ignored = {b"hidden", b'{"not":"jsonl"}', b"text", b"partial", b"underscore"}
    assert not ignored & {r.body for r in rows}


def test_source_coordinates(
    landed: tuple[Path, dict[tuple[str, int], Line], list[Line]],
) -> None:
    landing, by_key, rows = landed
    row = by_key[("b.jsonl", 2)]
    assert urlparse(row.file).scheme == "file"
    assert Path(urlparse(row.file).path).resolve() == (landing / "b.jsonl").resolve()
    for r in rows:
        assert r.kind == "files"
        assert (r.partition, r.sequence_number, r.offset) == (None, None, None)
        assert r.enqueued_utc == MTIME.strftime("%Y-%m-%dT%H:%M:%S")


def test_max_files_per_trigger_bounds_each_batch(
    landed: tuple[Path, dict[tuple[str, int], Line], list[Line]],
) -> None:
    _, _, rows = landed
    files_per_batch: dict[int, set[str]] = {}
    for r in rows:
        files_per_batch.setdefault(r.batch, set()).add(r.file)
    assert all(len(files) <= MAX_FILES for files in files_per_batch.values()), files_per_batch
    # 4 files with rows, at most 2 per trigger: the rows span at least 2 batches.
    assert len(files_per_batch) >= 2


def test_lines_of_one_file_stay_in_one_batch(
    landed: tuple[Path, dict[tuple[str, int], Line], list[Line]],
) -> None:
    _, _, rows = landed
    batches: dict[str, set[int]] = {}
    for r in rows:
        batches.setdefault(r.file, set()).add(r.batch)
    assert all(len(b) == 1 for b in batches.values()), batches


def test_only_the_final_cr_is_stripped(
    landed: tuple[Path, dict[tuple[str, int], Line], list[Line]],
) -> None:
    _, by_key, _ = landed
    assert bodies(by_key, "crlf-edge.jsonl") == [b"a\r", b"b\r\x85"]


def test_schema_matches_the_tables_source_struct(spark: SparkSession, tmp_path: Path) -> None:
    df = landing_files(spark, str(tmp_path), 1)
    assert df.isStreaming
    assert df.columns == ["body", "source"]
    assert df.schema["body"].dataType.simpleString() == "binary"
    assert df.schema["source"].dataType.simpleString() == SOURCE_STRUCT.simpleString()


def test_missing_directory_raises_with_the_path(spark: SparkSession, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "landing"
    with pytest.raises(SourceUnavailableError) as info:
        landing_files(spark, str(missing), 1)
    assert str(missing) in str(info.value)


def test_a_file_instead_of_a_directory_raises(spark: SparkSession, tmp_path: Path) -> None:
    file = write(tmp_path / "events.jsonl", b"x\n")
    with pytest.raises(SourceUnavailableError, match=r"events\.jsonl"):
        landing_files(spark, str(file), 1)


def test_restart_reads_only_new_files(spark: SparkSession, tmp_path: Path) -> None:
    landing, checkpoint = tmp_path / "landing", tmp_path / "checkpoint"
    landing.mkdir()
    write(landing / "1.jsonl", b"first\n")

    def run() -> list[Line]:
        return stream(spark, landing, checkpoint, 10)

    assert [r.body for r in run()] == [b"first"]
    write(landing / "2.jsonl", b"second\nthird\n")
    again = run()
    assert [(Path(r.file).name, r.line, r.body) for r in again] == [
        ("2.jsonl", 1, b"second"),
        ("2.jsonl", 2, b"third"),
    ]
    assert run() == []
