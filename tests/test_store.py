"The store against every backend it runs on: SQLite, the embedded Redis, and a standalone redis-server (ADVPIPE_TEST_REDIS_URL)."
import json, os, signal, subprocess, sys, threading, time, uuid
from pathlib import Path
import pytest
from advpipe.redis_cache import CACHE, HISTORY, REGISTRY, backup_store, open_store, restore_store

EXTERNAL_URL = os.environ.get('ADVPIPE_TEST_REDIS_URL')
BACKENDS = ['sqlite', 'embedded', 'external']


@pytest.fixture(params=BACKENDS)
def make_store(request, tmp_path, monkeypatch):
    "A factory of stores on one backend; each call opens another handle on the same store."
    kind = request.param
    monkeypatch.delenv('ADVPIPE_REDIS_URL', raising=False); monkeypatch.delenv('ADVPIPE_SECRET', raising=False)
    if kind == 'external':
        if not EXTERNAL_URL: pytest.skip('no standalone Redis: set ADVPIPE_TEST_REDIS_URL (.ci/run starts Debian redis-server)')
        monkeypatch.setenv('ADVPIPE_REDIS_URL', EXTERNAL_URL)
        monkeypatch.setenv('ADVPIPE_REDIS_PREFIX', f'test-{uuid.uuid4().hex[:10]}')  # isolate this test on the shared server
    opened = []
    def factory(home=tmp_path/'home'):
        store = open_store(home, backend='sqlite' if kind == 'sqlite' else 'redis'); opened.append(store)
        return store
    factory.kind = kind
    yield factory
    for store in opened:
        if kind == 'external':
            for ns in (CACHE, REGISTRY, 'counters'): store.backend.clear(ns)
            store.backend.client.delete(store.backend._k(HISTORY))
        store.close()


def test_backend_is_the_one_asked_for(make_store):
    assert make_store().backend_name == {'sqlite': 'sqlite', 'embedded': 'redis-embedded', 'external': 'redis'}[make_store.kind]


def test_get_or_compute_counts_hits_and_misses(make_store):
    store, calls = make_store(), []
    compute = lambda: calls.append(1) or {'fit': list(range(5))}
    assert store.get_or_compute('fit', 'k', compute) == store.get_or_compute('fit', 'k', compute) == {'fit': [0, 1, 2, 3, 4]}
    assert (store.hits, store.misses, len(calls)) == (1, 1, 1)
    assert (make_store().stats()['hits'], make_store().stats()['misses']) == (1, 1), 'counts persist in the store'


def test_tampered_entry_is_refused_and_recomputed(make_store):
    store = make_store()
    store.get_or_compute('fit', 'k', lambda: 'honest')
    blob = bytearray(store.backend.get(CACHE, 'fit:k')); blob[-1] ^= 0xFF
    store.backend.set(CACHE, 'fit:k', bytes(blob))
    assert store.get_or_compute('fit', 'k', lambda: 'recomputed') == 'recomputed'
    assert store.refused == 1 and store.get('fit:k') == 'recomputed'


def test_a_foreign_pickle_is_never_unpickled(make_store, tmp_path):
    import pickle
    marker = tmp_path/'executed'
    class Exploit:
        def __reduce__(self): return (Path.touch, (marker,))
    store = make_store()
    store.backend.set(CACHE, 'fit:evil', pickle.dumps(Exploit()))
    assert store.get('fit:evil') is None and not marker.exists()


def test_cache_entries_expire_registry_and_history_do_not(make_store):
    store = make_store()
    store.put('fit:a', 1); store.register('data', 'v1', {'rows': 1}); store.append_history({'run': 1})
    assert store.backend.ttl(CACHE, 'fit:a') is not None
    assert store.backend.ttl(REGISTRY, 'data:v1') is None
    store.put('fit:short', 1, ttl=1); time.sleep(2.1)
    assert store.get('fit:short') is None and store.registry('data')[0]['rows'] == 1 and store.history() == [{'run': 1}]


def test_history_is_append_only_and_ordered(make_store):
    store = make_store()
    for i in range(20): store.append_history({'i': i})
    assert [r['i'] for r in make_store().history()] == list(range(20))


def test_backup_then_restore_into_an_empty_store_is_exact(make_store, tmp_path):
    store = make_store()
    for i in range(3): store.register('data', f'v{i}', {'rows': i, 'registered_at': f'2026-01-0{i+1}'})
    store.register('model', 'm1', {'metrics': {'r2': 0.7}, 'registered_at': '2026-01-04'})
    for i in range(5): store.append_history({'run': i, 'score': i/10})
    store.put('cv:abc', {'scores': [0.1, 0.2]})
    backup_store(store, tmp_path/'backup.sqlite')
    empty = open_store(tmp_path/'restored', backend='sqlite')
    restore_store(empty, tmp_path/'backup.sqlite')
    assert empty.registry('data') == store.registry('data') and empty.registry('model') == store.registry('model')
    assert empty.history() == store.history()
    assert empty.backend.get(CACHE, 'cv:abc') == store.backend.get(CACHE, 'cv:abc')
    empty.close()


def test_lock_excludes_a_second_holder(make_store):
    store, other = make_store(), make_store()
    inside, overlaps = [], []
    def hold(s):
        with s.lock('stage:x', timeout=30):
            if inside: overlaps.append(1)
            inside.append(1); time.sleep(0.3); inside.pop()
    threads = [threading.Thread(target=hold, args=(s,)) for s in (store, other)]
    for t in threads: t.start()
    for t in threads: t.join()
    assert overlaps == []


def _embedded_pid(home):
    settings = json.loads((home/'redis'/'advpipe.rdb.settings').read_text())
    return int(Path(settings['pidfile']).read_text())


def test_embedded_server_survives_sigkill(tmp_path, monkeypatch):
    monkeypatch.delenv('ADVPIPE_REDIS_URL', raising=False)
    store = open_store(tmp_path/'home', backend='redis')
    for i in range(10): store.append_history({'i': i})
    store.register('data', 'v', {'rows': 1}); store.put('fit:x', 'kept')
    os.kill(_embedded_pid(tmp_path/'home'), signal.SIGKILL); time.sleep(0.3)
    store.append_history({'i': 10})  # the next call reconnects: a new server recovers the AOF
    assert [r['i'] for r in store.history()] == list(range(11))
    assert store.get('fit:x') == 'kept' and store.registry('data')[0]['rows'] == 1
    store.close()


def test_unreachable_redis_falls_back_to_sqlite_with_one_warning(tmp_path):
    code = "from advpipe.redis_cache import open_store; print(open_store().backend_name)"
    env = {**os.environ, 'ADVPIPE_REDIS_URL': 'redis://:hunter2secret@127.0.0.1:1/0', 'ADVPIPE_HOME': str(tmp_path/'home')}
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout.strip() == 'sqlite'
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and 'Redis unreachable' in err[0] and 'SQLite' in err[0] and 'hunter2secret' not in err[0], err


def test_signing_key_is_private(tmp_path, monkeypatch):
    monkeypatch.delenv('ADVPIPE_SECRET', raising=False)
    open_store(tmp_path/'home', backend='sqlite').close()
    assert (tmp_path/'home'/'signing.key').stat().st_mode & 0o777 == 0o600


def test_store_survives_close_and_reopen(make_store, tmp_path):
    store = make_store()
    store.put('fit:kept', {'a': 1}); store.register('model', 'm', {'x': 1}); store.append_history({'run': 'r'})
    store.close()  # the embedded server stops with its last client
    again = make_store()
    assert again.get('fit:kept') == {'a': 1} and again.registry('model') == [{'x': 1}] and again.history() == [{'run': 'r'}]
