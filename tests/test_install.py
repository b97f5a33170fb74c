"A plain (non-editable) install runs the chain from any folder: the stage notebooks ship inside the package."
import os, subprocess, sys, sysconfig, venv
from pathlib import Path
from conftest import REPO


def test_wheel_install_runs_the_chain_from_another_folder(tmp_path):
    env_dir = tmp_path/'venv'
    venv.create(env_dir, with_pip=True)
    python = env_dir/'bin'/'python'
    # the dependencies come from the development environment (a .pth line, not a site dir, so the editable
    # advpipe there stays invisible); advpipe itself is built and installed from the source tree
    site = subprocess.run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], capture_output=True, text=True, check=True).stdout.strip()
    Path(site, 'devdeps.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    build = subprocess.run([python, '-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation', str(REPO)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-3000:]
    located = subprocess.run([python, '-c', 'import advpipe, advpipe.main_pipeline as m; print(advpipe.__file__); print(m.stage_notebook_dir())'],
                             capture_output=True, text=True, cwd=tmp_path, check=True).stdout.split()
    assert str(env_dir) in located[0] and str(env_dir) in located[1], located
    elsewhere = tmp_path/'elsewhere'; elsewhere.mkdir()
    run = subprocess.run([env_dir/'bin'/'advpipe', 'run', '--run-id', 'installed', '--twin-rows', '500', '--folds', '2', '--models', 'linear'],
                         capture_output=True, text=True, cwd=elsewhere,
                         # data files (nbconvert's templates) install under a prefix's share/; the .pth brings code only
                         env={**os.environ, 'ADVPIPE_HOME': str(elsewhere/'.advpipe'), 'JUPYTER_PATH': str(Path(sys.prefix)/'share'/'jupyter')})
    assert run.returncode == 0, run.stderr[-3000:]
    assert (elsewhere/'reports'/'installed'/'index.html').exists()
