"""Benchmark: bias-variance decomposition of a random forest, sequential against two parallel workers.

Run `python benchmarks/bench_bias_variance.py [--quick] [--json]`; `advpipe bench` imports `run(quick)`.
The two runs must give identical numbers (each round's randomness comes from a seed drawn up front).
"""
from __future__ import annotations
import argparse, json, os, platform, sys, time


def _data(n_train, n_test, seed=0):
    "Friedman #1 regression data: 10 features, 5 informative, known noise variance 1."
    from sklearn.datasets import make_friedman1
    X, y = make_friedman1(n_samples=n_train + n_test, n_features=10, noise=1.0, random_state=seed)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _spin(n=5_000_000):
    "Pure-Python busy work: the ideal parallel job, for calibrating what the machine allows right now."
    total = 0
    for i in range(n): total += i
    return total


def _machine_speedup():
    "Speed-up of 4 busy jobs on 2 workers against 1: about 2 on an idle 2-core machine, lower when others share it."
    from joblib import Parallel, delayed
    start = time.perf_counter(); [_spin() for _ in range(4)]; sequential = time.perf_counter() - start
    start = time.perf_counter(); Parallel(n_jobs=2)(delayed(_spin)() for _ in range(4)); parallel = time.perf_counter() - start
    return sequential / parallel


def run(quick:bool=False)->dict:
    "Time the decomposition at n_jobs=1 and n_jobs=2; return sizes, timings, speed-up and the (identical) terms."
    import numpy as np
    from sklearn.ensemble import RandomForestRegressor
    from advpipe.bias_variance import bias_variance_decomp
    size = dict(n_train=1000, n_test=300, n_trees=20, n_rounds=16) if quick else dict(n_train=4000, n_test=1000, n_trees=50, n_rounds=50)
    X_train, y_train, X_test, y_test = _data(size['n_train'], size['n_test'])
    forest = RandomForestRegressor(n_estimators=size['n_trees'], n_jobs=1, min_samples_leaf=5)
    # start the worker pool and let the workers import scikit-learn and advpipe once, as a long-lived process would have them
    start = time.perf_counter()
    bias_variance_decomp(forest, X_train[:100], y_train[:100], X_test[:10], y_test[:10], n_rounds=4, n_jobs=2, noise=False)
    pool_start = time.perf_counter() - start
    load_before = os.getloadavg()[0]
    machine_before = _machine_speedup()
    timings, results = {}, {}
    for n_jobs in (1, 2):
        start = time.perf_counter()
        results[n_jobs] = bias_variance_decomp(forest, X_train, y_train, X_test, y_test, loss='squared', n_rounds=size['n_rounds'],
                                               random_state=0, n_jobs=n_jobs)
        timings[n_jobs] = time.perf_counter() - start
    one, two = results[1], results[2]
    identical = bool(np.array_equal(one.sample_loss, two.sample_loss) and np.array_equal(one.main_prediction, two.main_prediction)
                     and one.to_dict() == two.to_dict())
    assert identical, 'n_jobs=1 and n_jobs=2 gave different numbers'
    return dict(benchmark='bias_variance', quick=quick, **size, cpu_count=os.cpu_count(), python=platform.python_version(),
                seconds_n_jobs_1=round(timings[1], 3), seconds_n_jobs_2=round(timings[2], 3),
                speedup=round(timings[1] / timings[2], 3), target_speedup=1.7, identical=identical, pool_start_seconds=round(pool_start, 3),
                # other work on the machine slows the parallel run most: these say how much parallelism was there to have
                load_average_1min=[round(load_before, 2), round(os.getloadavg()[0], 2)],
                machine_speedup=[round(machine_before, 2), round(_machine_speedup(), 2)],
                loss=one.loss, bias=one.bias, variance=one.variance, noise=one.noise, true_noise=1.0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='a smaller problem (seconds, not a minute)')
    parser.add_argument('--json', action='store_true', help='print the result as one JSON object')
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    if args.json: print(json.dumps(result))
    else:
        print(f"forest of {result['n_trees']} trees, {result['n_rounds']} rounds, {result['n_train']} training / {result['n_test']} test rows")
        print(f"n_jobs=1: {result['seconds_n_jobs_1']:.2f} s   n_jobs=2: {result['seconds_n_jobs_2']:.2f} s   "
              f"speed-up {result['speedup']:.2f}x (target >= {result['target_speedup']}x)   identical numbers: {result['identical']}")
        print(f"worker pool start-up (not timed above): {result['pool_start_seconds']:.2f} s; 1-min load average before/after: {result['load_average_1min']}; "
              f"ideal busy-loop speed-up on this machine before/after: {result['machine_speedup']}")
        print(f"loss {result['loss']:.4f} = bias {result['bias']:.4f} + variance {result['variance']:.4f}; noise estimate {result['noise']:.4f} (true 1.0)")
    return 0


if __name__ == '__main__':
    sys.exit(main())
