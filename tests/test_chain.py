"The spine end to end: `advpipe run` through papermill on the twin and on the real files, reports, failures, single stages."
import json, os, re, subprocess, sys
from pathlib import Path
import nbformat, pytest
from conftest import ADVPIPE, CHROMIUM, FAST, REPO, SHARED_DATA, browse_offline, run_advpipe, summary_of

STAGES = ['01_load', '02_train', '03_evaluate', '04_explain', '05_meta_learn']
SUMMARY_KEYS = {'run_id', 'advpipe_version', 'data', 'task', 'stages', 'models', 'best_model', 'bias_variance', 'checks', 'meta', 'cache'}


def test_default_run_writes_the_whole_report(default_run):
    run_dir, result = default_run
    names = {p.name for p in run_dir.iterdir()}
    assert {'index.html', 'summary.json'} <= names
    assert {f'{s}.ipynb' for s in STAGES} | {f'{s}.html' for s in STAGES} <= names
    summary = summary_of(run_dir)
    assert SUMMARY_KEYS <= set(summary)
    assert [s['name'] for s in summary['stages']] == STAGES and all(s['status'] == 'ok' for s in summary['stages'])
    assert summary['data']['synthetic'] is True and summary['data']['rows'] == 5000
    assert {'source', 'version', 'rows', 'synthetic'} <= set(summary['data'])
    assert {'name', 'type', 'metric'} <= set(summary['task']) and summary['task']['name'] == 'profit'
    assert summary['cache']['backend'] == 'redis-embedded'
    models = {m['name']: m for m in summary['models']}
    assert {'baseline', 'linear', 'random_forest'} <= set(models)
    assert all({'name', 'cv_mean', 'cv_std', 'fit_seconds'} <= set(m) for m in models.values())
    assert models['linear']['cv_mean'] > models['baseline']['cv_mean'] + 0.3, 'profit is predictable from price, quantity and discount'
    assert summary['best_model'] in models and summary['best_model'] != 'baseline'
    assert all({'name', 'passed', 'detail'} <= set(c) for c in summary['checks'])
    # progress: one line per stage start and end, with seconds; the report path is printed
    assert len(re.findall(r'\[\d/5\] \S+ started', result.stderr)) == 5
    assert len(re.findall(r'\[\d/5\] \S+ ok in [\d.]+s', result.stderr)) == 5
    assert result.stdout.strip().endswith('index.html') and Path(result.stdout.strip()).exists()


def test_kernels_do_not_run_over_tcp(default_run):
    _, result = default_run
    assert 'unencrypted' not in result.stderr.lower() and 'tcp' not in result.stderr.lower(), result.stderr


def test_stage_html_hides_code_and_parameters(default_run):
    run_dir, _ = default_run
    html = (run_dir/'02_train.html').read_text()
    assert 'Leaderboard' in html and '<img' in html
    assert 'train_models(' not in html, 'code inputs are left out of the stage reports'
    assert 'injected-parameters' not in html and "run_id = 'default'" not in html
    executed = nbformat.read(run_dir/'02_train.ipynb', as_version=4)
    assert any('injected-parameters' in c.metadata.get('tags', []) for c in executed.cells), 'the notebook keeps what was injected'


@pytest.fixture(scope='module')
def classification_run(tmp_path_factory):
    "One run serves two subjects (CI time): the real CSV (when present) with the classification task."
    work = tmp_path_factory.mktemp('csv_high_margin')
    csv = SHARED_DATA/'US_Regional_Sales_Data.csv'
    data = ['--data', csv] if csv.exists() else ['--twin-rows', '1500']  # the classification path is covered either way
    run_advpipe(['run', *data, '--task', 'high_margin', '--run-id', 'hm', *FAST], cwd=work, home=work/'home', check=0)
    return work/'reports'/'hm', (csv if csv.exists() else None)


@pytest.mark.parametrize('kind', ['xlsx', 'csv'])
def test_real_files_run(kind, real_workbook, real_csv, classification_run, tmp_path):
    if kind == 'xlsx':
        data, run_dir = real_workbook, tmp_path/'reports'/kind
        # declared samples far below the workbook's size: the large-data paths run here on real orders, at no extra cost
        limits = {'curves': 2000, 'explain': 3000, 'plot_points': 1000, 'forest_rows_per_tree': 4000}
        run_advpipe(['run', '--data', data, '--run-id', kind, *FAST], cwd=tmp_path, home=tmp_path/'home', check=0,
                    env={'ADVPIPE_SAMPLE_LIMITS': json.dumps(limits)})
        assert 'each random-forest tree draws a bootstrap sample of 50.1% of its training rows' in (run_dir/'02_train.html').read_text()
        assert '2,000 of 7,991 orders (declared limit' in (run_dir/'03_evaluate.html').read_text()
        assert '3,000 of 7,991 orders (declared limit' in (run_dir/'04_explain.html').read_text()
    else: (run_dir, data) = classification_run  # the CSV ran with the classification task
    summary = summary_of(run_dir)
    assert summary['data']['rows'] == 7991 and summary['data']['synthetic'] is False
    assert summary['data']['source'] == str(data)
    assert [m['name'] for m in summary['models']][:1] and len(summary['models']) == 3
    assert all(s['status'] == 'ok' for s in summary['stages'])
    index = (run_dir/'index.html').read_text()
    assert 'Model leaderboard' in index and 'Synthetic data' not in index


def test_failing_stage_exits_1_and_keeps_the_failing_cell(tmp_path):
    # each parameter alone passes the estimator's declared constraints (checked before any kernel starts); together they
    # fail inside the train stage's fit, as a combination scikit-learn only checks there
    result = run_advpipe(['run', '--run-id', 'broken', '--twin-rows', '400', '--folds', '2', '--models', 'linear,random_forest',
                          '--model-param', 'random_forest.bootstrap=false', '--model-param', 'random_forest.max_samples=0.5'],
                         cwd=tmp_path, home=tmp_path/'home')
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert 'stage 02_train failed' in last and '02_train.html' in last and 'Traceback' not in result.stderr
    run_dir = tmp_path/'reports'/'broken'
    html = (run_dir/'02_train.html').read_text()
    assert 'max_sample' in html and 'train_models(' in html, 'the failing cell and its error are shown'
    summary = summary_of(run_dir)
    assert [s['status'] for s in summary['stages']] == ['ok', 'failed', 'skipped', 'skipped', 'skipped']
    assert 'fail' in (run_dir/'index.html').read_text()


def test_a_stage_runs_alone_under_papermill(tmp_path):
    "Batch users drive single stages with plain papermill and the same parameters."
    out = tmp_path/'train.ipynb'
    result = subprocess.run([str(Path(sys.executable).parent/'papermill'), str(REPO/'nbs'/'stages'/'03_evaluate.ipynb'), str(out),
                             '-p', 'run_id', 'alone', '-p', 'twin_rows', '1000', '-p', 'folds', '3', '-p', 'models', 'linear',
                             '--cwd', str(tmp_path)], capture_output=True, text=True, env={**os.environ, 'ADVPIPE_HOME': str(tmp_path/'home')})
    assert result.returncode == 0, result.stderr[-3000:]
    executed = nbformat.read(out, as_version=4)
    outputs = ''.join(str(o) for c in executed.cells for o in c.get('outputs', []))
    assert 'beats the baseline' in outputs


def test_classification_task_runs_every_stage(classification_run):
    run_dir, _ = classification_run
    summary = summary_of(run_dir)
    assert summary['task'] == {'name': 'high_margin', 'type': 'classification', 'metric': 'roc_auc'}
    assert all(s['status'] == 'ok' for s in summary['stages'])
    assert 0.5 < summary['models'][0]['cv_mean'] <= 1 and {b['model'] for b in summary['bias_variance']} == {'linear', 'random_forest'}
    names = [c['name'] for c in summary['checks']]
    assert 'beats_baseline' in names and 'calibration' in names and not any(n.startswith('plausibility') for n in names)
    html = (run_dir/'03_evaluate.html').read_text()
    assert html.count('<img') >= 5, 'fold scores and ROC, confusion matrix and calibration, curves, bias-variance, sweep'


# The run's pages as a reviewer's browser sees them: headless Chromium, offline, no errors, every image drawn.
@pytest.mark.skipif(CHROMIUM is None, reason='Debian chromium is not installed (.ci/run installs it: apt-get install chromium)')
@pytest.mark.parametrize('page', ['index.html', '02_train.html', '03_evaluate.html'])
def test_report_page_loads_cleanly_offline(default_run, page):
    run_dir, _ = default_run
    seen = browse_offline(run_dir/page)
    console_errors, failed_requests, external_requests, sizes, text = (seen[k] for k in ('console_errors', 'failed_requests', 'external_requests', 'images', 'text'))
    assert console_errors == [] and failed_requests == [] and external_requests == [], (console_errors, failed_requests, external_requests)
    assert sizes, f'{page} shows no figure'
    assert all(done and w > 0 and h > 0 for done, w, h in sizes), sizes
    if page == 'index.html':
        assert 'Model leaderboard' in text and 'Synthetic data' in text and '01_load.html' in text
