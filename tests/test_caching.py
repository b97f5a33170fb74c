"Caching between runs, end to end: stage and per-model reuse on embedded and standalone Redis (concurrency and the cache commands: test_cache_commands.py)."
import os, uuid
import pytest
from conftest import run_advpipe, summary_of

EXTERNAL_URL = os.environ.get('ADVPIPE_TEST_REDIS_URL')
SMALL = ['--twin-rows', '800', '--folds', '3', '--models', 'linear,decision_tree,random_forest', '--model-param', 'random_forest.n_estimators=20', '--search', '0']


def _comparable(summary):
    "What must be identical between two runs of the same work (not ids, times or cache flags)."
    return {'data': summary['data'], 'task': summary['task'], 'best_model': summary['best_model'],
            'models': [{k: m[k] for k in ('name', 'cv_mean', 'cv_std', 'fold_scores', 'version')} for m in summary['models']],
            'checks': summary['checks']}


@pytest.fixture(params=['embedded', 'external'])
def backend_env(request):
    "Environment for a run on the embedded Redis, or on the standalone Debian redis-server."
    if request.param == 'embedded': return {'ADVPIPE_REDIS_URL': ''}
    if not EXTERNAL_URL: pytest.skip('no standalone Redis: set ADVPIPE_TEST_REDIS_URL (.ci/run starts Debian redis-server)')
    return {'ADVPIPE_REDIS_URL': EXTERNAL_URL, 'ADVPIPE_REDIS_PREFIX': f'test-{uuid.uuid4().hex[:10]}'}


def test_rerun_is_served_from_cache_and_a_parameter_change_refits_only_that_model(tmp_path, backend_env):
    home = tmp_path/'home'
    run_advpipe(['run', '--run-id', 'a', *SMALL], cwd=tmp_path, home=home, env=backend_env, check=0)
    run_advpipe(['run', '--run-id', 'again', *SMALL], cwd=tmp_path, home=home, env=backend_env, check=0)
    run_advpipe(['run', '--run-id', 'b', *SMALL, '--model-param', 'decision_tree.max_depth=4'], cwd=tmp_path, home=home, env=backend_env, check=0)
    first, again, changed = (summary_of(tmp_path/'reports'/r) for r in ('a', 'again', 'b'))
    assert first['cache']['backend'] == ('redis' if backend_env['ADVPIPE_REDIS_URL'] else 'redis-embedded')
    # an identical rerun: every stage from the store, nothing computed, the same numbers
    assert all(s['cached'] for s in again['stages']) and again['cache']['stage_hits'] == 5 and again['cache']['misses'] == 0
    assert _comparable(again) == _comparable(first)
    # one model's parameter changed: the data is not reloaded, train and what follows rerun, inside train only that model refits
    assert [s['cached'] for s in changed['stages']] == [True, False, False, False, False]
    assert {m['name'] for m in changed['models'] if not m['cached']} == {'decision_tree'}
    assert changed['cache']['fine_grained_hits'] >= 3 and changed['cache']['fine_grained_misses'] >= 1
    after = {m['name']: m['cv_mean'] for m in changed['models']}; before = {m['name']: m['cv_mean'] for m in first['models']}
    assert after['linear'] == before['linear'] and after['decision_tree'] != before['decision_tree']
