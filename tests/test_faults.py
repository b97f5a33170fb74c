"Faults around the store, end to end: Redis killed mid-run and tampered entries (an unreachable server and secrets: test_fallback_and_secrets.py)."
import json, os, signal, subprocess, threading, time
from pathlib import Path
from conftest import ADVPIPE, run_advpipe, summary_of
from test_caching import _comparable



def _embedded_redis_pid(home):
    settings = json.loads((home/'redis'/'advpipe.rdb.settings').read_text())
    return int(Path(settings['pidfile']).read_text())


def test_redis_killed_mid_run_the_run_completes_and_history_is_intact(tmp_path, monkeypatch):
    home, env = tmp_path/'home', {'ADVPIPE_REDIS_URL': ''}
    run_advpipe(['run', '--run-id', 'before', '--twin-rows', '500', '--folds', '2', '--models', 'linear'], cwd=tmp_path, home=home, env=env, check=0)
    from advpipe.redis_cache import open_store
    monkeypatch.setenv('ADVPIPE_REDIS_URL', '')
    history_before = open_store(home).history()
    assert len(history_before) == 2  # baseline and linear
    process = subprocess.Popen([str(ADVPIPE), 'run', '--run-id', 'killed', '--twin-rows', '3000', '--folds', '3', '--models', 'linear,random_forest',
                                '--model-param', 'random_forest.n_estimators=80', '--search', '0'], cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, env={**os.environ, 'ADVPIPE_HOME': str(home)})
    lines, killed = [], []
    def watch():
        for line in process.stderr:
            lines.append(line)
            if '02_train started' in line and not killed:
                time.sleep(2.0)
                os.kill(_embedded_redis_pid(home), signal.SIGKILL); killed.append(True)
    watcher = threading.Thread(target=watch); watcher.start()
    process.wait(timeout=900); watcher.join()
    assert killed and process.returncode == 0, ''.join(lines)
    summary = summary_of(tmp_path/'reports'/'killed')
    assert all(s['status'] == 'ok' for s in summary['stages'])
    history = open_store(home).history()
    assert history[:2] == history_before and len(history) == 5 and {r['run_id'] for r in history[2:]} == {'killed'}

def test_tampered_cache_entries_are_refused_and_recomputed(tmp_path, monkeypatch):
    home, env = tmp_path/'home', {'ADVPIPE_REDIS_URL': ''}
    args = ['--twin-rows', '600', '--folds', '2', '--models', 'linear', '--no-advanced']  # the cached CV results are the subject
    run_advpipe(['run', '--run-id', 'clean', *args], cwd=tmp_path, home=home, env=env, check=0)
    monkeypatch.setenv('ADVPIPE_REDIS_URL', '')
    from advpipe.redis_cache import CACHE, open_store
    store = open_store(home)
    tampered = [k for k in store.backend.keys(CACHE) if k.startswith('cv:')]
    for key in tampered:
        blob = bytearray(store.backend.get(CACHE, key)); blob[40] ^= 0xFF; store.backend.set(CACHE, key, bytes(blob))
    store.close()
    result = run_advpipe(['run', '--run-id', 'after', *args, '--force'], cwd=tmp_path, home=home, env=env, check=0)
    after = summary_of(tmp_path/'reports'/'after')
    assert not any(s['cached'] for s in after['stages']), '--force reruns every stage'
    assert after['cache']['refused'] >= len(tampered) == 2
    assert _comparable(after) == _comparable(summary_of(tmp_path/'reports'/'clean'))
    assert 'refused cache entry' not in result.stderr or 'Traceback' not in result.stderr
