"Caching between runs, end to end (second half, a file of its own so pytest-xdist can run it beside test_caching.py): concurrent runs and the cache commands."
import json, os, subprocess
from conftest import ADVPIPE, run_advpipe, summary_of
from test_caching import SMALL, _comparable


def test_two_concurrent_runs_produce_identical_summaries(tmp_path):
    env = {**os.environ, 'ADVPIPE_HOME': str(tmp_path/'home'), 'ADVPIPE_REDIS_URL': ''}
    runs = [subprocess.Popen([str(ADVPIPE), 'run', '--run-id', rid, *SMALL], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for rid in ('left', 'right')]
    outputs = [r.communicate(timeout=900) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    left, right = summary_of(tmp_path/'reports'/'left'), summary_of(tmp_path/'reports'/'right')
    assert _comparable(left) == _comparable(right)
    # one of them computed each stage, the other waited on the stage lock and reused it
    assert all(a['cached'] != b['cached'] or a['cached'] for a, b in zip(left['stages'], right['stages']))


def test_cache_commands_backup_restore_clear(tmp_path):
    home, env = tmp_path/'home', {'ADVPIPE_REDIS_URL': ''}
    run_advpipe(['run', '--run-id', 'one', '--twin-rows', '500', '--folds', '2', '--models', 'linear'], cwd=tmp_path, home=home, env=env, check=0)
    versions = run_advpipe(['versions', '--json'], cwd=tmp_path, home=home, env=env, check=0).stdout
    assert len(json.loads(versions)['data']) == 1 and len(json.loads(versions)['models']) == 2
    run_advpipe(['cache', 'backup', tmp_path/'backup.sqlite'], cwd=tmp_path, home=home, env=env, check=0)
    restored = tmp_path/'restored'
    run_advpipe(['cache', 'restore', tmp_path/'backup.sqlite'], cwd=tmp_path, home=restored, env=env, check=0)
    assert run_advpipe(['versions', '--json'], cwd=tmp_path, home=restored, env=env, check=0).stdout == versions
    stats = json.loads(run_advpipe(['cache', 'stats', '--json'], cwd=tmp_path, home=home, env=env, check=0).stdout)
    assert stats['backend'] == 'redis-embedded' and stats['namespaces']['cache']['entries'] > 0 and stats['namespaces']['history']['entries'] == 2
    refused = run_advpipe(['cache', 'clear'], cwd=tmp_path, home=home, env=env)
    assert refused.returncode == 2 and '--yes' in refused.stderr
    run_advpipe(['cache', 'clear', '--yes'], cwd=tmp_path, home=home, env=env, check=0)
    stats = json.loads(run_advpipe(['cache', 'stats', '--json'], cwd=tmp_path, home=home, env=env, check=0).stdout)
    assert stats['namespaces']['cache']['entries'] == 0 and stats['namespaces']['history']['entries'] == 2
    assert run_advpipe(['versions', '--json'], cwd=tmp_path, home=home, env=env, check=0).stdout == versions
    bad = run_advpipe(['cache', 'restore', tmp_path/'nothing.sqlite'], cwd=tmp_path, home=home, env=env)
    assert bad.returncode == 2 and 'nothing.sqlite' in bad.stderr
