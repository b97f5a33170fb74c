"""Shared Redis servers as teams run them (issue 13, kinds 5, 6, 9 and 10): servers that evict, fill up, turn read-only,
drop the connection, refuse the password or cannot be reached; and stage locks whose holder was killed.

Each test starts its own `redis-server` (Debian's, at /usr/bin) on a free port with the configuration under test."""
import contextlib, json, os, signal, socket, subprocess, sys, time
from pathlib import Path
import pytest
from conftest import REPO, run_advpipe, summary_of

sys.path.insert(0, str(REPO))
REDIS_SERVER = '/usr/bin/redis-server'
pytestmark = pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason='needs the redis-server package (apt-get install redis-server)')
ENV = {'PYTHONPATH': os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')]))}


def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@contextlib.contextmanager
def redis_server(folder:Path, *config:str):
    "A redis-server of our own on a free port with `config` (e.g. `--maxmemory 2mb`); yields (url, port, process)."
    import redis
    port = free_port(); folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen([REDIS_SERVER, '--port', str(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                                '--dir', str(folder), *config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, password=dict(zip(config[::2], config[1::2])).get('--requirepass'))
    for _ in range(100):
        with contextlib.suppress(redis.ConnectionError):
            client.ping(); break
        time.sleep(0.05)
    try: yield f'redis://127.0.0.1:{port}/0', port, process
    finally:
        process.kill(); process.wait()


def fill(port:int, megabytes:int, ttl=None):
    "Another application writing `megabytes` of its own keys (as a shared server sees), until the server refuses."
    import redis
    client = redis.Redis(port=port)
    with contextlib.suppress(redis.exceptions.OutOfMemoryError):
        for i in range(megabytes*16):
            client.set(f'other-app:{i}', os.urandom(64*1024), ex=ttl)


def register_data_version(store, *args):
    from advpipe.version_control import register_data_version
    return register_data_version(store, *args)


def store_at(url, home, monkeypatch):
    from advpipe.redis_cache import open_store
    monkeypatch.setenv('ADVPIPE_REDIS_URL', url); monkeypatch.delenv('ADVPIPE_STORE', raising=False)
    return open_store(home)


# --- kind 5: a server that may evict -----------------------------------------------------------------------------------
@pytest.mark.parametrize('policy', ['allkeys-lru', 'allkeys-lfu', 'allkeys-random'])
def test_a_server_that_may_evict_any_key_never_loses_the_registry_or_history(policy, tmp_path, monkeypatch):
    import redis
    with redis_server(tmp_path/'redis', '--maxmemory', '4mb', '--maxmemory-policy', policy) as (url, port, _):
        store = store_at(url, tmp_path/'home', monkeypatch)
        register_data_version(store, 'v1', 'orders.csv', 10, False); store.append_history({'run_id': 'first'})
        store.put('fit:a', list(range(100))); store.close()
        fill(port, 12)  # another application fills the server: it evicts to make room
        assert redis.Redis(port=port).info('stats')['evicted_keys'] > 0
        store = store_at(url, tmp_path/'home', monkeypatch)
        assert [r['version'] for r in store.registry('data')] == ['v1'] and store.history() == [{'run_id': 'first'}]
        assert store.stats()['server']['registry_and_history'].startswith('SQLite at')
        store.close()
        result = run_advpipe(['versions'], cwd=tmp_path, home=tmp_path/'home', env={**ENV, 'ADVPIPE_REDIS_URL': url}, check=0)
        assert 'v1' in result.stdout and result.stderr.count('\n') == 1 and f'may evict any key (maxmemory-policy {policy})' in result.stderr


def test_a_server_that_evicts_only_expiring_keys_keeps_the_records(tmp_path, monkeypatch):
    with redis_server(tmp_path/'redis', '--maxmemory', '8mb', '--maxmemory-policy', 'volatile-lru') as (url, port, _):
        store = store_at(url, tmp_path/'home', monkeypatch)
        store.append_history({'run_id': 'first'})
        assert 'registry_and_history' not in store.stats()['server'] and not (tmp_path/'home'/'store.sqlite').exists()
        assert store.backend.primary.read_list('history') == [json.dumps({'run_id': 'first'}).encode()]  # in Redis itself
        store.close()


# --- kind 6: a server that refuses writes ------------------------------------------------------------------------------
def test_a_full_server_the_run_goes_on_writes_its_summary_and_sync_brings_the_records_back(tmp_path):
    import redis
    with redis_server(tmp_path/'redis', '--maxmemory', '4mb', '--maxmemory-policy', 'noeviction') as (url, port, _):
        fill(port, 8)  # full: every write is refused with OOM
        env = {**ENV, 'ADVPIPE_REDIS_URL': url}
        result = run_advpipe(['run', '--run-id', 'full', '--twin-rows', '400', '--folds', '2', '--models', 'linear'],
                             cwd=tmp_path, home=tmp_path/'home', env=env, check=0)
        assert 'Traceback' not in result.stderr
        warnings = [l for l in result.stderr.splitlines() if not l.startswith('advpipe: [') and 'report at' not in l and 'best model' not in l]
        assert len(warnings) == 2 and 'noeviction' in warnings[0] and 'refused a write (OutOfMemoryError' in warnings[1], result.stderr
        run = tmp_path/'reports'/'full'
        assert (run/'index.html').exists() and all(s['status'] == 'ok' for s in summary_of(run)['stages'])
        listing = run_advpipe(['versions', '--json'], cwd=tmp_path, home=tmp_path/'home', env=env, check=0)
        assert len(json.loads(listing.stdout)['models']) == 2  # baseline and linear: recorded, in SQLite for now
        client = redis.Redis(port=port)
        for key in client.scan_iter('other-app:*'): client.delete(key)  # the other application leaves: room again
        client.config_set('maxmemory', '0')
        # a few small writes may squeeze in while the server hovers at its limit: what matters is that every record is
        # somewhere, and in Redis after the sync
        moved = run_advpipe(['cache', 'sync'], cwd=tmp_path, home=tmp_path/'home', env=env, check=0).stdout
        assert moved.startswith('moved ') and 'registry entries' in moved, moved
        registry = [k for k in client.keys('advpipe:registry:*')]
        assert len(registry) >= 3, registry  # one data version, two models
        again = run_advpipe(['cache', 'sync'], cwd=tmp_path, home=tmp_path/'home', env=env, check=0).stdout
        assert 'moved 0 registry entries, 0 history records' in again
        history = redis.Redis(port=port).lrange('advpipe:history', 0, -1)
        assert len(history) == 2 and {json.loads(h)['run_id'] for h in history} == {'full'}


def test_a_read_only_replica_is_a_store_fault(tmp_path, monkeypatch):
    with redis_server(tmp_path/'primary') as (_, primary_port, _server):
        with redis_server(tmp_path/'replica', '--replicaof', '127.0.0.1', str(primary_port)) as (url, port, server):
            store = store_at(url, tmp_path/'home', monkeypatch)
            store.put('fit:a', [1, 2]); store.append_history({'run_id': 'r'}); store.register('data', 'v', {'version': 'v'})
            assert store.backend_name == 'sqlite' and 'ReadOnlyError' in store.backend.fault
            assert (store.get('fit:a'), store.history(), store.registry('data')) == ([1, 2], [{'run_id': 'r'}], [{'version': 'v'}])
            store.close()


def test_a_connection_dropped_for_good_is_a_store_fault(tmp_path, monkeypatch):
    with redis_server(tmp_path/'redis') as (url, port, server):
        store = store_at(url, tmp_path/'home', monkeypatch)
        store.append_history({'run_id': 'before'})
        server.kill(); server.wait()
        store.append_history({'run_id': 'after'}); store.put('fit:a', 1)
        assert store.backend_name == 'sqlite' and 'lost the connection' in store.backend.fault
        assert store.history() == [{'run_id': 'after'}] and store.get('fit:a') == 1  # what Redis held comes back with it
        store.close()


# --- kind 10: a configured server that cannot be used ------------------------------------------------------------------
@pytest.mark.parametrize('url,expected', [
    ('localhost:6379', 'not a Redis URL'),
    ('http://localhost:6379', 'not a Redis URL'),
    ('redis://localhost:port/0', 'not a Redis URL'),
    ('redis://localhost:6379/zero', 'not a Redis URL'),
])
def test_a_malformed_url_is_a_configuration_error(url, expected, tmp_path):
    result = run_advpipe(['versions'], cwd=tmp_path, home=tmp_path/'home', env={**ENV, 'ADVPIPE_REDIS_URL': url}, check=2)
    assert result.stderr.count('\n') == 1 and expected in result.stderr and 'Traceback' not in result.stderr, result.stderr


def test_a_refused_password_is_a_configuration_error_and_stays_hidden(tmp_path):
    with redis_server(tmp_path/'redis', '--requirepass', 'right-secret') as (url, port, _):
        for credentials in ['wrong-secret', None]:
            bad = f'redis://:{credentials}@127.0.0.1:{port}/0' if credentials else url
            result = run_advpipe(['versions'], cwd=tmp_path, home=tmp_path/'home', env={**ENV, 'ADVPIPE_REDIS_URL': bad}, check=2)
            assert result.stderr.count('\n') == 1 and 'refused the credentials' in result.stderr, result.stderr
            assert 'wrong-secret' not in result.stderr and 'right-secret' not in result.stderr


def test_an_outage_says_where_the_history_is_and_sync_brings_it_back_once(tmp_path, monkeypatch):
    import redis
    with redis_server(tmp_path/'redis') as (url, port, _):
        store = store_at(url, tmp_path/'home', monkeypatch)
        register_data_version(store, 'v1', 'orders.csv', 10, False); store.append_history({'run_id': 'before'}); store.close()
        down = f'redis://127.0.0.1:{free_port()}/0'  # the server is unreachable for a while
        outage = store_at(down, tmp_path/'home', monkeypatch)
        register_data_version(outage, 'v2', 'orders.csv', 11, False); outage.append_history({'run_id': 'during'}); outage.close()
        result = run_advpipe(['versions'], cwd=tmp_path, home=tmp_path/'home', env={**ENV, 'ADVPIPE_REDIS_URL': down}, check=0)
        assert result.stderr.count('\n') == 1 and 'unreachable' in result.stderr
        assert 'which holds 1 registry entries and 1 history records' in result.stderr and 'advpipe cache sync' in result.stderr
        back = store_at(url, tmp_path/'home', monkeypatch)  # before any sync, nothing is hidden: both halves show
        assert [r['run_id'] for r in back.history()] == ['before', 'during'] and [r['version'] for r in back.registry('data')] == ['v1', 'v2']
        back.close()
        env = {**ENV, 'ADVPIPE_REDIS_URL': url}
        assert 'moved 1 registry entries, 1 history records' in run_advpipe(['cache', 'sync'], cwd=tmp_path, home=tmp_path/'home', env=env, check=0).stdout
        assert 'moved 0 registry entries, 0 history records' in run_advpipe(['cache', 'sync'], cwd=tmp_path, home=tmp_path/'home', env=env, check=0).stdout
        assert [json.loads(h)['run_id'] for h in redis.Redis(port=port).lrange('advpipe:history', 0, -1)] == ['before', 'during']


# --- kind 9: locks whose holder is gone --------------------------------------------------------------------------------
HOLD = """
import os, sys, time
from advpipe.redis_cache import open_store
store = open_store(sys.argv[1])
with store.backend.primary.lock('stage:x', timeout=5, lease=float(sys.argv[2])):
    print('held', flush=True); time.sleep(float(sys.argv[3]))
"""


def hold(home, url, lease, seconds):
    env = {**os.environ, **ENV, 'ADVPIPE_REDIS_URL': url}
    holder = subprocess.Popen([sys.executable, '-c', HOLD, str(home), str(lease), str(seconds)], env=env, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == 'held'
    return holder


def test_a_killed_holder_never_blocks_and_a_live_one_keeps_its_lease(tmp_path, monkeypatch):
    with redis_server(tmp_path/'redis') as (url, port, _):
        store = store_at(url, tmp_path/'home', monkeypatch)
        locks = store.backend.primary
        holder = hold(tmp_path/'home', url, 30, 60)  # a 30 s lease, renewed, then the holder is killed
        os.kill(holder.pid, signal.SIGKILL); holder.wait()
        start = time.perf_counter()
        with locks.lock('stage:x', timeout=5): pass
        assert time.perf_counter() - start < 2, 'a dead holder on this machine is noticed at once'
        import redis
        key = locks._k('lock', __import__('advpipe.config', fromlist=['stable_hash']).stable_hash('stage:x'))
        redis.Redis(port=port).set(key, 'another-host:4242:feed', px=1500)  # a holder elsewhere that stopped renewing
        start = time.perf_counter()
        with locks.lock('stage:x', timeout=10): pass
        assert 1.0 < time.perf_counter() - start < 4, 'it lapses with its lease'
        alive = hold(tmp_path/'home', url, 1, 4)  # a 1 s lease, held 4 s: renewed, so nobody else gets in
        with pytest.raises(TimeoutError): 
            with locks.lock('stage:x', timeout=2.5): pass
        alive.wait(10); store.close()
