"The Dask backend on a two-worker LocalCluster: the same numbers as the local backend, also when a worker is killed mid-work."
import importlib.util, os, signal, sys, threading, time
from pathlib import Path
import cloudpickle, pytest
from distributed import Client, LocalCluster
from conftest import REPO, run_advpipe, summary_of
from advpipe.executor import SCHEDULER_ENV, map_evaluations

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
SMALL = ['--twin-rows', '600', '--models', 'linear,decision_tree', '--folds', '2', '--search', '0']  # single-threaded models: equal to the last bit


def _bench_dask():
    spec = importlib.util.spec_from_file_location('bench_dask', REPO/'benchmarks'/'bench_dask.py')
    module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); return module


@pytest.fixture(scope='module')
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local_cluster: yield local_cluster


def _slow_square(x):
    time.sleep(0.4); return x * x


def test_map_evaluations_on_two_workers_equals_local(cluster, monkeypatch):
    monkeypatch.setenv(SCHEDULER_ENV, cluster.scheduler_address)
    seen = []
    assert map_evaluations(_slow_square, range(6), backend='dask', progress=lambda done, total: seen.append(done)) == [x*x for x in range(6)]
    assert seen == [1, 2, 3, 4, 5, 6]


def test_a_killed_worker_s_tasks_are_rerun_elsewhere(cluster, monkeypatch):
    monkeypatch.setenv(SCHEDULER_ENV, cluster.scheduler_address)
    client, stop, killed = Client(cluster.scheduler_address, set_as_default=False), threading.Event(), []
    watcher = threading.Thread(target=_bench_dask()._kill_a_busy_worker, args=(client, stop, killed), daemon=True); watcher.start()
    try: assert map_evaluations(_slow_square, range(10), backend='dask') == [x*x for x in range(10)]
    finally: stop.set(); watcher.join(); client.close()
    assert killed, 'no worker was killed: the test did not test anything'
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next test


def test_run_on_dask_gives_the_local_metrics(cluster, tmp_path):
    "`advpipe run --backend dask --scheduler ADDR`: CV folds and bias-variance rounds on the workers, same summary metrics as local."
    metrics = _bench_dask().metrics
    run_advpipe(['run', '--run-id', 'local', *SMALL], cwd=tmp_path, home=tmp_path/'local', check=0)
    result = run_advpipe(['run', '--run-id', 'dask', '--backend', 'dask', '--scheduler', cluster.scheduler_address, *SMALL],
                         cwd=tmp_path, home=tmp_path/'dask', check=0)
    local, dask = summary_of(tmp_path/'reports'/'local'), summary_of(tmp_path/'reports'/'dask')
    assert dask['execution']['backend'] == 'dask' and dask['execution']['workers_at_start'] == 2, dask['execution']
    assert local['execution']['backend'] == 'local'
    assert metrics(dask) == metrics(local)
    assert dask['cache']['fine_grained_misses'] > 0, 'the workers computed through the shared store'


def test_dask_without_a_scheduler_is_bad_input(tmp_path):
    result = run_advpipe(['run', '--backend', 'dask'], cwd=tmp_path, home=tmp_path/'home', env={SCHEDULER_ENV: ''})
    assert result.returncode == 2 and result.stderr.count('\n') == 1 and '--scheduler' in result.stderr, result.stderr
    assert not (tmp_path/'reports').exists()
