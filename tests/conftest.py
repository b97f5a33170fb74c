"Shared fixtures: real data from ../shared/data, isolated advpipe homes, and the `advpipe` command run for real."
import fcntl, json, os, shutil, subprocess, sys
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get('ADVPIPE_SHARED_DATA') or REPO.parent/'shared'/'data').resolve()  # override for worktrees
ADVPIPE = Path(sys.executable).parent/'advpipe'
# small but real settings for runs whose subject is not model quality
FAST = ['--models', 'linear,random_forest', '--model-param', 'random_forest.n_estimators=30', '--folds', '3', '--search', '0']


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: long-running (deselect with -m "not slow")')


# Files by measured cost, most expensive first (a full `make test` with --durations on the 2-core CI machine). pytest-xdist's
# `--dist loadfile` hands out files in collection order, so starting with the long ones keeps one worker from finishing
# alone on a long file while the other sits idle (longest-processing-time-first scheduling). Unlisted files follow, in name order.
EXPENSIVE_FIRST = ['test_chain.py', 'test_caching.py', 'test_faults.py', 'test_cache_commands.py', 'test_continuous_learning.py', 'test_dask.py',
                   'test_qualitative.py', 'test_meta.py', 'test_run_faults.py', 'test_redis_servers.py', 'test_fallback_and_secrets.py',
                   'test_data_bad_input.py', 'test_install.py']


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(EXPENSIVE_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file keeps its own order


def without_search(args):
    "`advpipe run` arguments with `--search 0` added unless they set it: tests whose subject is not the search keep the fixed models (fewer fits, exact history counts)."
    args = [str(a) for a in args]
    return [*args, '--search', '0'] if args[:1] == ['run'] and '--search' not in args and '--help' not in args else args


def run_advpipe(args, cwd, home=None, env=None, timeout=900, check=None, search=False):
    "Run the installed `advpipe` command; returns the CompletedProcess (text). `search=True` keeps `advpipe run`'s default search."
    if not search: args = without_search(args)
    environment = {**os.environ, 'MPLBACKEND': 'Agg', **(env or {})}
    if home is not None: environment['ADVPIPE_HOME'] = str(home)
    result = subprocess.run([str(ADVPIPE), *map(str, args)], cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)
    if check is not None: assert result.returncode == check, f'exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}'
    return result


CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')  # Debian's; .ci/run installs it
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason='Debian chromium is not installed (.ci/run installs it: apt-get install chromium)')


def browse_offline(page):
    """Open the HTML file `page` in headless Chromium as a reviewer would, offline. Returns what a test checks: `console_errors`,
    `failed_requests`, `external_requests` (anything but file: and data:), `images` ([loaded, width, height] per <img>),
    `items` (headings and images in document order) and the page's `text`."""
    from playwright.sync_api import sync_playwright
    seen = {'console_errors': [], 'failed_requests': [], 'external_requests': []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                                                                     '--disable-component-update', '--disable-sync', '--no-first-run'])
        tab = browser.new_page()
        tab.on('console', lambda m: seen['console_errors'].append(m.text) if m.type == 'error' else None)
        tab.on('pageerror', lambda e: seen['console_errors'].append(str(e)))
        tab.on('requestfailed', lambda r: seen['failed_requests'].append(r.url))
        tab.on('request', lambda r: seen['external_requests'].append(r.url) if not r.url.startswith(('file:', 'data:')) else None)
        tab.goto(page.as_uri(), wait_until='load')
        seen['images'] = tab.eval_on_selector_all('img', 'imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])')
        seen['items'] = tab.eval_on_selector_all('h1, h2, h3, img', """els => els.map(e => e.tagName === 'IMG'
            ? ['img', e.getAttribute('src').slice(-200), e.naturalWidth, e.naturalHeight] : ['h', e.innerText.trim()])""")
        seen['text'] = tab.inner_text('body')
        browser.close()
    return seen


def summary_of(run_dir): return json.loads((Path(run_dir)/'summary.json').read_text())


@pytest.fixture(scope='session')
def real_workbook():
    path = SHARED_DATA/'US_Regional_Sales_Data.xlsx'
    if not path.exists(): pytest.skip(f'real data absent: {path} (it lives beside the repository, in ../shared/data)')
    return path


@pytest.fixture(scope='session')
def real_csv():
    path = SHARED_DATA/'US_Regional_Sales_Data.csv'
    if not path.exists(): pytest.skip(f'real data absent: {path} (it lives beside the repository, in ../shared/data)')
    return path


@pytest.fixture(scope='session')
def default_run(tmp_path_factory, worker_id):
    """The README's run command (`advpipe run`, all defaults: synthetic twin, embedded Redis) in a fresh folder, made once for the
    whole session: pytest-xdist workers share it through a lock file in their common temporary folder (the recipe pytest-xdist
    documents), so the most expensive fixture is not computed once per worker."""
    shared = tmp_path_factory.getbasetemp() if worker_id == 'master' else tmp_path_factory.getbasetemp().parent
    work, record = shared/'default_run', shared/'default_run.json'
    with open(shared/'default_run.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes: the first worker runs, the others wait and read
        if not record.exists():
            work.mkdir(exist_ok=True)
            result = run_advpipe(['run', '--run-id', 'default'], cwd=work, home=work/'.advpipe', search=True)
            record.write_text(json.dumps({'args': result.args, 'returncode': result.returncode, 'stdout': result.stdout, 'stderr': result.stderr}))
    done = subprocess.CompletedProcess(**json.loads(record.read_text()))
    assert done.returncode == 0, f'exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}'
    return work/'reports'/'default', done
