"Shared fixtures: real data from ../shared/data, isolated advpipe homes, and the `advpipe` command run for real."
import json, os, subprocess, sys
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get('ADVPIPE_SHARED_DATA') or REPO.parent/'shared'/'data').resolve()  # override for worktrees
ADVPIPE = Path(sys.executable).parent/'advpipe'
# small but real settings for runs whose subject is not model quality
FAST = ['--models', 'linear,random_forest', '--model-param', 'random_forest.n_estimators=30', '--folds', '3', '--search', '0']


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: long-running (deselect with -m "not slow")')


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
def default_run(tmp_path_factory):
    "The README's run command (`advpipe run`, all defaults: synthetic twin, embedded Redis) in a fresh folder."
    work = tmp_path_factory.mktemp('default_run')
    result = run_advpipe(['run', '--run-id', 'default'], cwd=work, home=work/'.advpipe', check=0, search=True)
    return work/'reports'/'default', result
