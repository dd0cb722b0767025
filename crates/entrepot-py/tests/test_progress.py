"""progress=: a callable receives the engine's reports (stage, done, total) on the
calling thread, counts never go back within a stage, the last report is the end; and the
GIL stays released while the engine computes, with or without a callback."""

import threading
import time

import pandas as pd
import pytest

import entrepot
from entrepot import _progress

from conftest import shared_file

TARIFF = [{"tariff_pp": 20, "importer": "USA", "exporter": "CHN"}]


@pytest.fixture(scope="module")
def sample():
    return pd.read_csv(shared_file("gegravity_sample/sample_data_set.csv"))


class Recorder:
    def __init__(self):
        self.calls = []
        self.threads = set()

    def __call__(self, stage, done, total):
        self.calls.append((stage, done, total))
        self.threads.add(threading.get_ident())

    def stage(self, name):
        return [(d, t) for s, d, t in self.calls if s == name]


def test_a_callable_receives_the_draws_up_to_their_number(sample):
    rec = Recorder()
    run = entrepot.ge(sample, year=2006, theta=4, theta_se=0.5, draws=60, shocks=TARIFF,
                      progress=rec)
    draws = rec.stage("draws of θ")
    assert draws, rec.calls
    done = [d for d, _ in draws]
    assert done == sorted(done), "counts never go back"
    assert all(t == 60 for _, t in draws)
    assert rec.calls[-1] == ("draws of θ", 60, 60), "the last report is the end"
    assert rec.threads == {threading.get_ident()}, "called on the calling thread"
    assert run.draws == 60


def test_a_fit_reports_its_iterations(sample):
    rec = Recorder()
    fit = entrepot.fepois(sample, "trade ~ lndist + contiguity + pta | exporter + importer",
                          progress=rec)
    assert rec.calls[-1] == ("PPML iterations", fit.iterations, None)
    rec = Recorder()
    entrepot.feols(sample, "lndist ~ contiguity | exporter", progress=rec)
    assert rec.calls == [("OLS", 1, 1)]


def test_an_ingest_reports_bytes(tmp_path):
    data = shared_file("yotov_agtpa/agtpa_applications.csv")
    rec = Recorder()
    entrepot.Store(tmp_path / "store").ingest(
        [str(data)], dataset="agtpa", progress=rec,
        map="reporter=exporter,partner=importer,period=year,value=trade,flow=export")
    stage, done, total = rec.calls[-1]
    assert stage == "reading" and total is not None and 0 < done <= total


def test_an_exception_of_the_callback_is_raised_after_the_run(sample):
    def broken(stage, done, total):
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        entrepot.ge(sample, year=2006, theta=4, shocks=TARIFF, progress=broken)


def test_progress_choices():
    assert _progress.callback(False) is None
    assert isinstance(_progress.callback(True), _progress.Bar)
    assert _progress.callback(None) is None, "off outside a notebook"
    f = lambda *a: None  # noqa: E731
    assert _progress.callback(f) is f
    with pytest.raises(TypeError):
        _progress.callback("yes")
    bar = _progress.Bar()
    bar("draws of θ", 1, 2)
    bar("draws of θ", 2, 2)
    bar.close()


@pytest.mark.parametrize("progress", [False, "callable"])
def test_the_gil_is_released_while_the_engine_computes(sample, progress):
    rec = Recorder()
    finished = threading.Event()
    result = {}

    def work():
        result["run"] = entrepot.ge(
            sample, year=2006, theta=4, theta_se=0.5, draws=400, shocks=TARIFF,
            progress=rec if progress == "callable" else False)
        finished.set()

    worker = threading.Thread(target=work)
    started = time.perf_counter()
    worker.start()
    ticks = 0
    while not finished.is_set():
        ticks += 1  # this thread runs Python while the engine computes
        time.sleep(0.002)
    worker.join()
    elapsed = time.perf_counter() - started
    assert result["run"].draws == 400
    # A thread holding the GIL for the whole run would leave this loop a tick or two.
    assert ticks >= min(20, elapsed / 0.01), (ticks, elapsed)
