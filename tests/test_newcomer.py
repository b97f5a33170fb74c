"A newcomer's first minutes: where the store is, a closed pipe, a bare command, notebooks that export as Python."
import json, subprocess, sys
from pathlib import Path
from conftest import ADVPIPE, REPO, run_advpipe


def test_cache_stats_says_where_the_store_is_and_a_scratch_folder_gets_none(tmp_path):
    scratch, home = tmp_path/'scratch', tmp_path/'data-home'
    scratch.mkdir()
    # no ADVPIPE_HOME and no checkout above: the per-user folder (XDG_DATA_HOME moves it here), never ./.advpipe
    result = run_advpipe(['cache', 'stats'], cwd=scratch, env={'ADVPIPE_HOME': '', 'XDG_DATA_HOME': str(home)}, check=0)
    assert result.stdout.splitlines()[0] == f"store: {home/'advpipe'}", result.stdout
    assert not (scratch/'.advpipe').exists()


def test_output_into_a_closed_pipe_is_quiet(tmp_path):
    process = subprocess.Popen([str(ADVPIPE), 'versions', '--json'], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**__import__('os').environ, 'ADVPIPE_HOME': str(tmp_path/'home')})
    process.stdout.close()  # what `| head` does once it has its lines
    stderr = process.stderr.read().decode(); process.wait(timeout=60)
    assert 'Traceback' not in stderr and 'BrokenPipeError' not in stderr, stderr
    assert process.returncode in (0, 141)


def test_bare_command_prints_usage_once(tmp_path):
    result = run_advpipe([], cwd=tmp_path, home=tmp_path/'home', check=2)
    assert result.stderr.count('usage: advpipe') == 1 and 'error' not in result.stderr and 'cache_command' not in result.stderr
    assert run_advpipe(['--version'], cwd=tmp_path, check=0).stdout.startswith('advpipe ')


def test_notebooks_export_as_python_scripts(tmp_path):
    notebooks = sorted((REPO/'nbs').rglob('[0-9][0-9]_*.ipynb'))
    missing = [p.name for p in notebooks if json.loads(p.read_text())['metadata'].get('language_info', {}).get('file_extension') != '.py']
    assert notebooks and missing == [], f'no language_info (nbconvert --to script would write .txt): {missing}'
    subprocess.run([Path(sys.executable).parent/'jupyter', 'nbconvert', '--to', 'script', REPO/'nbs'/'00_config.ipynb', '--output-dir', tmp_path],
                   check=True, capture_output=True)
    assert (tmp_path/'00_config.py').exists()


def test_packaging_prints_no_setuptools_warning(tmp_path):
    "Building advpipe (what `make setup` does) prints none of setuptools' warning boxes: license, rules package, editable."
    build = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', '-w', tmp_path, REPO],
                           capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-2000:]
    ours = [line for line in build.stderr.splitlines() if 'Warning' in line or 'deprecated' in line.lower()]
    assert ours == [], ours
