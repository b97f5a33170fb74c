"""Killed and interrupted runs (issue 13, kinds 8 and 9): Ctrl-C prints one line; a SIGKILL of the run's process group at
any moment never blocks the next run, and nothing the killed run started outlives it (the next run reaps it).

Small runs on the synthetic twin; the kill points follow the run's own progress lines."""
import contextlib, os, signal, subprocess, sys, threading, time
from pathlib import Path
import pytest
from conftest import ADVPIPE, REPO, summary_of

sys.path.insert(0, str(REPO))
SMALL = ['--twin-rows', '600', '--folds', '2', '--models', 'linear,random_forest', '--model-param', 'random_forest.n_estimators=30', '--search', '0']


def start(args, cwd, home):
    env = {**os.environ, 'ADVPIPE_HOME': str(home), 'ADVPIPE_REDIS_URL': '', 'MPLBACKEND': 'Agg'}
    return subprocess.Popen([str(ADVPIPE), 'run', *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # its own process group, as a terminal or CI job gives it


def signal_at(process, marker:str, delay:float, signum)->tuple[bool, str]:
    "Send `signum` to the run's process group `delay` s after the progress line containing `marker`; returns (sent, stderr)."
    lines, sent = [], []
    def watch():
        for line in process.stderr:
            lines.append(line)
            if marker in line and not sent:
                time.sleep(delay)
                with contextlib.suppress(ProcessLookupError): os.killpg(process.pid, signum); sent.append(True)
    watcher = threading.Thread(target=watch); watcher.start()
    process.wait(timeout=600); watcher.join(10)
    return bool(sent), ''.join(lines)


def leftovers(pid:int)->list:
    "Processes still tagged as started by the command with process id `pid`."
    from advpipe.main_pipeline import _tagged
    return [p for p in _tagged(lambda owner: owner.startswith(f'{pid}:')) if p.is_running() and p.status() != 'zombie']


def embedded_servers(home:Path)->list:
    "Running redis-server processes whose working folder is under `home` (an embedded server runs in `<home>/redis`)."
    import psutil
    found = []
    for process in psutil.process_iter(['name']):
        with contextlib.suppress(psutil.Error):
            if 'redis-server' in (process.info['name'] or '') and Path(process.cwd()).is_relative_to(home) and process.status() != 'zombie':
                found.append(process.pid)
    return found


def test_sigkill_at_several_points_never_blocks_the_next_run_and_nothing_survives(tmp_path):
    home, killed = tmp_path/'home', []
    for marker, delay in [('01_load started', 1.0), ('02_train started', 2.0), ('03_evaluate started', 1.0)]:
        process = start(SMALL + ['--run-id', f'killed-{len(killed)}'], tmp_path, home)
        sent, err = signal_at(process, marker, delay, signal.SIGKILL)
        assert sent and process.returncode == -signal.SIGKILL, err  # each rerun got past the killed one's stage: no lock held it
        killed.append(process.pid)
    start_time = time.perf_counter()
    final = start(SMALL + ['--run-id', 'after'], tmp_path, home)
    out, err = final.communicate(timeout=600)
    assert final.returncode == 0, err
    assert all(s['status'] == 'ok' for s in summary_of(tmp_path/'reports'/'after')['stages'])
    assert time.perf_counter() - start_time < 300, 'no wait for a lock to expire'
    for pid in killed: assert leftovers(pid) == [], f'processes of the killed run {pid} are still running'


def test_ctrl_c_prints_one_line_exits_130_and_ends_what_the_run_started(tmp_path):
    process = start(SMALL + ['--run-id', 'interrupted', '--seed', '3'], tmp_path, tmp_path/'home')
    sent, err = signal_at(process, '02_train started', 2.0, signal.SIGINT)
    assert sent and process.returncode == 130, err
    lines = [l for l in err.splitlines() if not l.startswith('advpipe: [')]  # the progress lines before it
    assert lines == ['advpipe: interrupted'], err
    for noise in ('Traceback', 'ZMQError', 'IPKernelApp', 'KeyboardInterrupt'): assert noise not in err
    time.sleep(1)
    assert leftovers(process.pid) == []
    assert embedded_servers(tmp_path/'home') == [], 'the run\'s embedded Redis outlived it'
