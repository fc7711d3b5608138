"""The secret scanner can fail: it finds planted secrets in every encoding and every place."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from tests.secret_probes import (
    SECRETS,
    assert_clean,
    encodings,
    scan_everything,
    scan_files,
    scan_tables,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", sorted(SECRETS))
@pytest.mark.parametrize("encoding", ["raw", "url-encoded", "base64", "json-escaped"])
def test_a_planted_secret_is_found_in_text(name: str, encoding: str) -> None:
    form = encodings(SECRETS[name])[encoding]
    findings = scan_everything(None, {"stderr": f"error: connect failed ({form}) at 12:00"})
    assert (name, encoding) in {(f.secret, f.encoding) for f in findings}


def test_planted_secrets_are_found_in_files_and_in_compressed_delta_rows(tmp_path: Path) -> None:
    offsets = tmp_path / "_checkpoints/bronze/main/offsets/0"
    offsets.parent.mkdir(parents=True)
    offsets.write_text("v1\n" + json.dumps({"connectionStringEnv": SECRETS["sas sig"]}))
    table = tmp_path / "audit/batches"
    error = encodings(SECRETS["bearer"])["base64"] * 50  # long enough to be compressed
    write_deltalake(str(table), pa.table({"error": [error] * 100}))
    assert {(f.where, f.secret) for f in scan_files(tmp_path)} >= {
        ("_checkpoints/bronze/main/offsets/0", "sas sig")
    }
    assert [(f.where, f.secret, f.encoding) for f in scan_tables(tmp_path)] == [
        ("table audit/batches", "bearer", "base64")
    ]


def test_a_clean_output_passes_and_a_leak_fails_naming_where(tmp_path: Path) -> None:
    (tmp_path / "log.txt").write_text("SharedAccessKey=*** sig=*** Authorization: ***")
    assert_clean(tmp_path, {"stdout": "Bearer ***"})
    with pytest.raises(AssertionError, match=r"eventhubs key \(url-encoded\) in stderr"):
        assert_clean(tmp_path, {"stderr": encodings(SECRETS["eventhubs key"])["url-encoded"]})
