"""entrepot.Store: ingest, datasets, SQL and the release brief (the headline of the
embedded sample, CHN 2025-11: exports 330.3bn, +5.9% y/y)."""

import pytest

import entrepot

from conftest import shared_file


def test_brief_headline_on_the_embedded_sample(tmp_path):
    report = entrepot.Store(tmp_path / "store").brief("CHN", "2025-11", sample=True)
    assert report.kind == "release_brief"
    assert report.title == "Release brief: China (CHN), 2025-11"
    # The headline's first figures: exports 330.3bn, +5.9% on 2024-11 (as `entrepot brief`).
    text = report.to_text()
    headline = text[: text.index("vs 2024-11") + 200]
    assert "330.3bn" in headline and "+5.9%" in headline, text[:2000]
    doc = report.to_dict()
    assert doc["kind"] == "release_brief"
    assert doc["title"] == report.title
    assert report.model()["headline"]["current"], "the brief's own model has headline rows"
    html = report._repr_html_()
    assert "<style>" in html and "330.3bn" in html


def test_ingest_datasets_and_sql(tmp_path):
    data = shared_file("yotov_agtpa/agtpa_applications.csv")
    store = entrepot.Store(tmp_path / "store")
    summary = store.ingest(
        [str(data)], dataset="agtpa",
        map="reporter=exporter,partner=importer,period=year,value=trade,flow=export",
    )
    assert summary.num_rows == 1
    names = store.datasets().column(0).to_pylist()
    assert "agtpa" in names
    t = store.sql("SELECT COUNT(*) AS n FROM agtpa WHERE year = 2006")
    assert t.column("n").to_pylist()[0] > 0
    tables = store.sql(tables=True)
    assert "agtpa" in set(tables.column("table_name").to_pylist())


def test_errors_carry_the_commands_messages(tmp_path):
    with pytest.raises(entrepot.NotFoundError):
        entrepot.Store(tmp_path / "absent").sql("SELECT 1")
    with pytest.raises(entrepot.NotFoundError, match="XXZ"):
        entrepot.Store(tmp_path / "store").brief("XXZ", sample=True)
    with pytest.raises(entrepot.UsageError, match="--on-error"):
        entrepot.Store(tmp_path / "store").ingest(["x.csv"], on_error="ignore")


def test_engine_is_named_and_checked(tmp_path):
    data = shared_file("yotov_agtpa/agtpa_applications.csv")
    store = entrepot.Store(tmp_path / "store")
    assert store.engine == "local"
    store.ingest(
        [str(data)], dataset="agtpa",
        map="reporter=exporter,partner=importer,period=year,value=trade,flow=export",
    )
    # Nothing listens on port 9 of loopback: the query names the scheduler and
    # says how to start one or run locally.
    remote = entrepot.Store(tmp_path / "store", engine="ballista://127.0.0.1:9")
    assert remote.engine == "ballista://127.0.0.1:9"
    assert "ballista://127.0.0.1:9" in repr(remote)
    with pytest.raises(entrepot.EntrepotError, match="127.0.0.1:9.*--engine local"):
        remote.sql("SELECT COUNT(*) FROM agtpa")
    with pytest.raises(entrepot.UsageError, match="invalid engine"):
        entrepot.Store(tmp_path / "store", engine="spark://h:1")
