"""Deployment files: no container engine here, so check what can be checked: compose parses, the services the issue asks
for are there, and every ADVPIPE_* variable they set is one the code reads (and the ones the workers need are set)."""
import re
import yaml
from conftest import REPO

CODE = '\n'.join(p.read_text() for p in (REPO/'advpipe').glob('*.py'))
READ_BY_CODE = set(re.findall(r"ADVPIPE_[A-Z_]+", CODE))


def _compose():
    return yaml.safe_load((REPO/'compose.yaml').read_text())


def test_compose_parses_and_has_redis_with_aof_on_a_volume_and_a_password_from_env():
    compose = _compose()
    assert {'redis', 'dask-scheduler', 'dask-worker', 'advpipe'} <= set(compose['services'])
    redis = compose['services']['redis']
    command = ' '.join(redis['command'])
    assert '--appendonly yes' in command and '--requirepass' in command and 'ADVPIPE_REDIS_PASSWORD' in command
    assert redis['env_file'] == '.env' and any(v.endswith(':/data') for v in redis['volumes'])
    assert 'redis-data' in compose['volumes']
    # noeviction: the registry and history must never be dropped (DESIGN: an evicting server is not trusted with them)
    assert 'noeviction' in command


def test_every_advpipe_variable_in_compose_is_read_by_the_code():
    compose = _compose()
    named = set()
    for service in compose['services'].values():
        named |= {k for k in (service.get('environment') or {}) if k.startswith('ADVPIPE_')}
    assert named, 'compose sets no ADVPIPE_ variable'
    assert named <= READ_BY_CODE, f'compose sets variables the code never reads: {sorted(named - READ_BY_CODE)}'
    for name in ('advpipe', 'dask-worker'):  # workers must reach the same store, with the same signing key, as the client
        env = compose['services'][name]['environment']
        assert {'ADVPIPE_REDIS_URL', 'ADVPIPE_SECRET'} <= set(env), name
        assert env['ADVPIPE_REDIS_URL'].startswith('redis://') and '@redis:6379' in env['ADVPIPE_REDIS_URL']
    assert compose['services']['advpipe']['environment']['ADVPIPE_BACKEND'] == 'dask'
    assert compose['services']['advpipe']['environment']['ADVPIPE_DASK_SCHEDULER'] == 'tcp://dask-scheduler:8786'


def test_env_example_names_what_compose_interpolates():
    interpolated = set(re.findall(r'\$\{(\w+)', (REPO/'compose.yaml').read_text()))
    example = {line.split('=')[0] for line in (REPO/'.env.example').read_text().splitlines() if '=' in line and not line.startswith('#')}
    assert interpolated and interpolated <= example, interpolated - example


def test_dockerfile_copies_what_exists_installs_the_dask_extra_and_runs_as_non_root():
    text = (REPO/'Dockerfile').read_text()
    for line in text.splitlines():
        if line.startswith('COPY '):
            for source in line.split()[1:-1]: assert (REPO/source).exists(), source
    assert '.[dask]' in text
    users = re.findall(r'^USER (\S+)', text, re.M)
    assert users and users[-1] not in ('root', '0')
    assert 'dask' in (REPO/'settings.ini').read_text().split('extra_dask', 1)[1].splitlines()[0]
