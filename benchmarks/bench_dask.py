"""Benchmark: the chain on a two-worker Dask LocalCluster against the local backend, and with a worker killed mid-run.

    python benchmarks/bench_dask.py [--quick] [--json]

Three cold runs of the same chain in fresh stores: local, on the cluster, and on the cluster while one worker is
killed (SIGKILL) as soon as it holds a task. The summaries' metrics (CV scores per fold, bias-variance terms,
checks, best model) must be equal in all three. Exit code 1 when they are not."""
import argparse, json, os, signal, sys, tempfile, threading, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout's advpipe


def _rounded(value, digits:int=12):
    "Floats to `digits` significant digits, inside lists, tuples and dicts."
    if isinstance(value, float): return float(f'{value:.{digits}g}')
    if isinstance(value, (list, tuple)): return [_rounded(v, digits) for v in value]
    if isinstance(value, dict): return {k: _rounded(v, digits) for k, v in value.items()}
    return value


def metrics(summary:dict)->dict:
    "What must not depend on where the work ran: scores, bias-variance terms, checks, the best model (to 12 significant digits)."
    # 12 digits, not bit for bit: a random forest with n_jobs=2 adds its trees' predictions in the order its threads
    # finish, so its last bit differs between any two runs, two local runs included
    return _rounded({'models': [(m['name'], m['cv_mean'], m['cv_std'], m['fold_scores']) for m in summary['models']],
                     'bias_variance': summary['bias_variance'], 'best_model': summary['best_model'],
                     'checks': [(c['name'], c['passed'], c['detail']) for c in summary['checks']]})


def _kill_a_busy_worker(client, stop:threading.Event, killed:list):
    "Kill (SIGKILL) the first worker seen holding a task; the scheduler must rerun its work elsewhere."
    pids = client.run(os.getpid)
    while not stop.is_set():
        busy = [address for address, keys in client.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL); killed.append(busy[0]); return
        time.sleep(0.05)


def run(quick:bool=False)->dict:
    "Local, Dask and Dask-with-a-killed-worker runs of one chain; seconds and whether the metrics agree."
    from distributed import Client, LocalCluster
    from advpipe.main_pipeline import run_chain
    options = dict(models='linear,random_forest', model_params='{"random_forest": {"n_estimators": 30}}', folds=3,
                   twin_rows=1500 if quick else 5000)
    quiet = lambda message: None
    with tempfile.TemporaryDirectory() as tmp, LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        tmp = Path(tmp); timings, summaries = {}, {}
        for name in ('local', 'dask', 'dask_worker_killed'):
            backend = 'local' if name == 'local' else 'dask'
            stop, killed = threading.Event(), []
            if name == 'dask_worker_killed':
                client = Client(cluster.scheduler_address, set_as_default=False)
                watcher = threading.Thread(target=_kill_a_busy_worker, args=(client, stop, killed), daemon=True); watcher.start()
            start = time.perf_counter()
            summaries[name] = run_chain(out=tmp/'reports', run_id=name, home=tmp/name, progress=quiet, backend=backend,
                                        scheduler=cluster.scheduler_address, **options)
            timings[name] = round(time.perf_counter() - start, 2)
            if name == 'dask_worker_killed': stop.set(); watcher.join(); client.close()
        os.environ['ADVPIPE_BACKEND'] = 'local'
    local = metrics(summaries['local'])
    result = {'benchmark': 'dask', 'quick': quick, 'workers': 2, **{f'{k}_seconds': v for k, v in timings.items()},
              'dask_metrics_equal_local': metrics(summaries['dask']) == local,
              'worker_killed': bool(killed), 'killed_run_metrics_equal_local': metrics(summaries['dask_worker_killed']) == local}
    result['ok'] = result['dask_metrics_equal_local'] and result['killed_run_metrics_equal_local'] and result['worker_killed']
    return result


def main(argv=None)->int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='a 1,500-order twin instead of 5,000')
    parser.add_argument('--json', action='store_true', help='print the result as JSON')
    args = parser.parse_args(argv)
    result = run(args.quick)
    if args.json: print(json.dumps(result, indent=2))
    else: print(' '.join(f'{k}={v}' for k, v in result.items()))
    return 0 if result['ok'] else 1


if __name__ == '__main__': sys.exit(main())
