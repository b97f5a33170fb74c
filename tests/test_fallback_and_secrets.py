"Faults around the store, end to end (second half, a file of its own so pytest-xdist can run it beside test_faults.py): an unreachable server, and secrets kept out of every output."
import os, uuid
import pytest
from conftest import run_advpipe, summary_of

EXTERNAL_URL = os.environ.get('ADVPIPE_TEST_REDIS_URL')


def test_unreachable_redis_url_the_run_completes_on_sqlite_with_one_warning(tmp_path):
    env = {'ADVPIPE_REDIS_URL': 'redis://:not-this-password-9@127.0.0.1:1/0'}
    result = run_advpipe(['run', '--run-id', 'fallback', '--twin-rows', '500', '--folds', '2', '--models', 'linear'],
                         cwd=tmp_path, home=tmp_path/'home', env=env, check=0)
    warnings = [line for line in result.stderr.splitlines() if 'Redis unreachable' in line]
    assert len(warnings) == 1 and 'SQLite' in warnings[0]
    assert 'not-this-password-9' not in result.stderr + result.stdout
    assert summary_of(tmp_path/'reports'/'fallback')['cache']['backend'] == 'sqlite'

def test_no_secret_appears_in_reports_notebooks_logs_or_errors(tmp_path):
    if not EXTERNAL_URL: pytest.skip('needs the password-protected standalone Redis (ADVPIPE_TEST_REDIS_URL)')
    password = EXTERNAL_URL.split(':')[2].split('@')[0]
    secret = 'signing-secret-' + uuid.uuid4().hex
    env = {'ADVPIPE_REDIS_URL': EXTERNAL_URL, 'ADVPIPE_REDIS_PREFIX': f'test-{uuid.uuid4().hex[:10]}', 'ADVPIPE_SECRET': secret}
    ok = run_advpipe(['run', '--run-id', 'secret', '--twin-rows', '600', '--folds', '2', '--models', 'linear'], cwd=tmp_path, home=tmp_path/'home', env=env, check=0)
    failing = run_advpipe(['run', '--run-id', 'secret-fail', '--twin-rows', '600', '--folds', '2', '--models', 'linear,random_forest',
                           '--model-param', 'random_forest.bootstrap=false', '--model-param', 'random_forest.max_samples=0.5'], cwd=tmp_path, home=tmp_path/'home', env=env)
    assert failing.returncode == 1
    texts = [ok.stdout, ok.stderr, failing.stdout, failing.stderr]
    texts += [p.read_text(errors='replace') for p in (tmp_path/'reports').rglob('*') if p.is_file()]
    texts += [p.read_text(errors='replace') for p in (tmp_path/'home').rglob('*.log')]
    assert len(texts) > 10
    for text in texts: assert password not in text and secret not in text
