"`advpipe bench`: the headline keys, and the per-stage costs read from a real run (the shared default run: no extra chain)."
import json
from advpipe.bench import BENCHMARKS, TOP_LEVEL, bench_report, stage_costs
from conftest import run_advpipe, summary_of

STAGES = ['01_load', '02_train', '03_evaluate', '04_explain', '05_meta_learn']


def test_stage_costs_of_a_real_run(default_run):
    run_dir, _ = default_run
    summary = summary_of(run_dir)
    costs = stage_costs(run_dir, summary)
    assert [c['name'] for c in costs] == STAGES
    for cost in costs:
        assert 0 < cost['kernel_start_seconds'] < cost['seconds'], cost
        assert 0 < cost['cells_seconds'] < cost['seconds'] and cost['overhead_seconds'] > 0, cost
        assert abs(cost['cells_seconds'] + cost['overhead_seconds'] - cost['seconds']) < 0.02
    # the stage kernels record their own peak memory (RSS) with their outputs, and the summary carries it
    assert all(50 < s['peak_mib'] < 8192 for s in summary['stages']), [s.get('peak_mib') for s in summary['stages']]


def test_report_has_every_key_the_issue_names():
    keys = {'cold_seconds', 'warm_seconds', 'stages', 'without_advanced_seconds', 'cache_hit_rate', 'redis_used_mib', 'overhead_fraction', 'scale'}
    assert keys == set(TOP_LEVEL['chain']) | set(TOP_LEVEL['scale'])
    fake = [{'benchmark': 'chain', **{k: 1 for k in TOP_LEVEL['chain']}}, {'benchmark': 'scale', 'scale': [{'rows': 10, 'seconds': 1, 'peak_mib': 1}]}]
    assert keys <= set(bench_report(fake))
    assert {'chain', 'scale', 'dask', 'bias_variance', 'twin'} <= set(BENCHMARKS)


def test_unknown_benchmark_is_bad_input(tmp_path):
    result = run_advpipe(['bench', '--only', 'nope', '--json'], cwd=tmp_path)
    assert result.returncode == 2 and 'nope' in result.stderr and result.stderr.count('\n') == 1, result.stderr


def test_plain_process_chain_runs_the_stage_code_with_the_stages_own_defaults(tmp_path):
    "`overhead_fraction` compares the chain with its stages' code run in one plain process: that process must run (it once broke on a new parameter)."
    from advpipe.bench import _plain_chain_seconds
    from advpipe.redis_cache import open_store
    seconds = _plain_chain_seconds(tmp_path/'home', '', {'twin_rows': 400, 'folds': 2, 'models': 'linear', 'search': 0})
    assert seconds > 0
    store = open_store(tmp_path/'home', quiet=True)
    try: assert {r['run_id'] for r in store.history()} == {'plain'}, 'every stage ran, down to the history the meta-learn stage writes'
    finally: store.close()
