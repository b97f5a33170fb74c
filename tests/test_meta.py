"Meta-learning: the metabase build (resumable), `meta suggest` and `meta evaluate` on new tasks, the history effect, and search in a run."
import json, os, signal, subprocess, time
from pathlib import Path
import numpy as np, pandas as pd
import pytest
from conftest import ADVPIPE, run_advpipe, summary_of

SMALL_FAMILIES = ('ridge', 'decision_tree', 'lightgbm')


@pytest.fixture(scope='module')
def tiny_metabase(tmp_path_factory):
    "A small metabase built by the project's own code: 8 seeded synthetic tasks x a third of three families' grid."
    from advpipe.metabase import Metabase, build_metabase, synthetic_tasks
    from advpipe.model_pipeline import grid_configs
    home = tmp_path_factory.mktemp('tiny_metabase')
    grid = [c for c in grid_configs() if c['family'] in SMALL_FAMILIES][::2]
    built = build_metabase(synthetic_tasks(8, seed=11), grid, home=home, max_rows=250, n_jobs=1, progress=False)
    return Metabase.from_build(built, {'command': 'tests/test_meta.py'}).save(home/'metabase.json.gz')


def _meta_store_cells(home):
    from advpipe.redis_cache import open_store
    store = open_store(home)
    try: return sum(1 for k in store.backend.keys('cache') if k.startswith('meta_cell:'))
    finally: store.close()


def test_meta_build_resumes_after_kill(tmp_path):
    "`meta build` prints progress, and a build killed midway resumes without recomputing finished (task, config) pairs."
    home, out = tmp_path/'home', tmp_path/'mb.json.gz'
    args = ['meta', 'build', '--tasks', '4', '--max-rows', '200', '--time-per-task', '30', '--jobs', '1', '--families', 'ridge,decision_tree', '--out', out, '--json']
    env = {**os.environ, 'ADVPIPE_HOME': str(home), 'MPLBACKEND': 'Agg'}
    first = subprocess.Popen([str(ADVPIPE), *map(str, args)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while time.time() < deadline and first.poll() is None:
        time.sleep(1)
        if (home/'redis').exists() and _meta_store_cells(home) >= 17: break  # at least one task's grid is stored
    first.send_signal(signal.SIGKILL); first.wait()
    done_before = _meta_store_cells(home)
    assert done_before >= 17
    result = run_advpipe(args, cwd=tmp_path, home=home, check=0)
    summary = json.loads(result.stdout)
    assert summary['tasks'] + summary['failed_tasks'] == 4 and summary['reused'] >= done_before - 1
    assert summary['computed'] + summary['reused'] == summary['results']
    assert len(summary['skipped']) == summary['failed_tasks'] and all(t['task_id'] and t['error'] for t in summary['skipped'])
    assert 'metabase tasks' in result.stderr and '4/4' in result.stderr  # the progress bar
    again = json.loads(run_advpipe(args, cwd=tmp_path, home=home, check=0).stdout)
    assert again['computed'] == 0 and again['reused'] == summary['results']
    # growing it from its file, in a fresh home: only the fifth task is computed, the first four come from the file
    grown_args = [a if a != '4' else '5' for a in args[:-3]] + ['--extend', out, '--out', tmp_path/'grown.json.gz', '--json']
    grown = run_advpipe(grown_args, cwd=tmp_path, home=tmp_path/'fresh home', check=0)
    assert f"{summary['results']} results of {out} reused" in grown.stderr
    grown = json.loads(grown.stdout)
    assert grown['reused'] == summary['results'] and grown['computed'] == grown['results'] - summary['results']


def test_meta_suggest_on_a_plain_csv(tmp_path, tiny_metabase):
    "`meta suggest` on any CSV returns k ranked configurations with predictions and support; a bad target is one line, exit 2."
    from sklearn.datasets import load_diabetes
    data = tmp_path/'diabetes.csv'
    load_diabetes(as_frame=True).frame.to_csv(data, index=False)
    env = {'ADVPIPE_METABASE': str(tiny_metabase)}
    result = run_advpipe(['meta', 'suggest', data, '--target', 'target', '-k', '3', '--json'], cwd=tmp_path, home=tmp_path/'home', env=env, check=0)
    out = json.loads(result.stdout)
    assert out['type'] == 'regression' and [s['rank'] for s in out['suggestions']] == [1, 2, 3]
    assert out['in_metabase'] == []  # the tiny metabase's tasks are synthetic
    expected = [s['expected_best'] for s in out['suggestions']]  # the order covers the training tasks: their best-so-far only grows
    assert expected == sorted(expected) and all(s['family'] in SMALL_FAMILIES for s in out['suggestions'])
    bad = run_advpipe(['meta', 'suggest', data, '--target', 'price'], cwd=tmp_path, home=tmp_path/'home', env=env, check=2)
    assert bad.stderr.strip().count('\n') == 0 and "--target 'price': no such column" in bad.stderr and 'Traceback' not in bad.stderr
    continuous = run_advpipe(['meta', 'suggest', data, '--target', 'target', '--type', 'classification'], cwd=tmp_path, home=tmp_path/'home', env=env, check=2)
    assert continuous.stderr.strip().count('\n') == 0 and 'looks continuous (214 distinct numbers in 442 rows' in continuous.stderr
    text = run_advpipe(['meta', 'suggest', data, '--target', 'target', '-k', '2'], cwd=tmp_path, home=tmp_path/'home', env=env, check=0).stdout.splitlines()
    assert len(text) == 3 and 'relative score' in text[0] and text[1].startswith(' 1. ')  # a header that says what the numbers are, then the ranks
    # the shipped metabase holds scikit-learn's diabetes itself: suggestions for it are recall, and the command says so
    shipped = run_advpipe(['meta', 'suggest', data, '--target', 'target', '-k', '2'], cwd=tmp_path, home=tmp_path/'shipped home', check=0).stdout.splitlines()
    assert len(shipped) == 4 and shipped[0].startswith("Note: this data is the metabase's task sklearn/diabetes") and shipped[2].startswith(' 1. ')


def test_shipped_fitted_learner_matches_the_shipped_metabase():
    "The package's fitted learner was fitted on the package's metabase with today's default settings, so a fresh install loads it instead of fitting (7-9 CPU-s)."
    from advpipe.meta_learner import LoadedBooster, MetaLearner, load_fitted_learner
    learner = load_fitted_learner()
    assert learner is not None, 'advpipe/metabase_data/meta_learner.json.gz is stale (another metabase or other defaults): rebuild it, see advpipe/metabase_data/README.md'
    assert len(learner.rankers_) == MetaLearner().rankers and all(isinstance(m, LoadedBooster) for m in [learner.score_model_, learner.seconds_model_, *learner.rankers_])
    task = learner.metabase_.tasks.iloc[0]
    suggestions = learner.suggest(task['meta_features'], k=3)
    assert len(suggestions) == 3 and suggestions['predicted_seconds'].gt(0).all()


def test_meta_evaluate_on_new_tasks(tmp_path, tiny_metabase):
    "`meta evaluate --tasks` on tasks it has never seen (scikit-learn generators and one from the sales data) reports every method's metrics."
    from sklearn.datasets import make_classification, make_friedman1
    from advpipe.data_loader import load_sales
    from advpipe.model_pipeline import SalesFeatures, get_task
    folder = tmp_path/'tasks'; folder.mkdir()
    X, y = make_friedman1(300, 6, noise=1.0, random_state=1)
    pd.DataFrame(X, columns=[f'x{i}' for i in range(6)]).assign(y=y).to_csv(folder/'friedman.csv', index=False)
    (folder/'friedman.json').write_text(json.dumps({'target': 'y', 'type': 'regression'}))
    X, y = make_classification(300, 8, n_informative=4, random_state=2)
    pd.DataFrame(X, columns=[f'x{i}' for i in range(8)]).assign(label=y).to_parquet(folder/'blobs.parquet')
    (folder/'blobs.json').write_text(json.dumps({'target': 'label'}))
    sales = load_sales(None, twin_rows=600, twin_seed=3).frame
    task = get_task('profit')
    SalesFeatures(exclude=task.exclude).fit_transform(sales).assign(profit=task.target(sales).to_numpy()).to_csv(folder/'sales_profit.csv', index=False)
    (folder/'sales_profit.json').write_text(json.dumps({'target': 'profit', 'type': 'regression'}))
    result = run_advpipe(['meta', 'evaluate', '--tasks', folder, '--metabase', tiny_metabase, '--json'], cwd=tmp_path, home=tmp_path/'home', check=0)
    out = json.loads(result.stdout)
    assert out['tasks'] == 3 and out['max_rows'] == 250  # without --max-rows, new tasks are sampled to the metabase's own cap (the fixture's 250)
    for method in ('meta_learner', 'knn', 'portfolio', 'random', 'defaults', 'flaml_zeroshot'):
        metrics = out['methods'][method]
        assert 0 <= metrics['regret_at_1_median'] <= 1 and 0 <= metrics['top1_hit_rate'] <= 1 and metrics['evals_to_1pct_median'] >= 1
        assert metrics['regret_at_5_median'] <= metrics['regret_at_1_median'] + 1e-12
    import psutil  # the grid ran on two local workers, whose store started the embedded Redis: it must not outlive the command
    left = [p.pid for p in psutil.process_iter(['name', 'cwd']) if p.info['name'] == 'redis-server' and str(tmp_path/'home') in (p.info['cwd'] or '')]
    assert left == [], f'meta evaluate left its embedded Redis running: {left}'
    (folder/'broken.csv').write_text('a,b\n1,2\n'); (folder/'broken.json').write_text('{"target": "c"}')
    bad = run_advpipe(['meta', 'evaluate', '--tasks', folder, '--metabase', tiny_metabase], cwd=tmp_path, home=tmp_path/'home', check=2)
    assert 'broken.csv' in bad.stderr and "'c'" in bad.stderr and 'Traceback' not in bad.stderr


def test_meta_evaluate_reports_the_metabase_curve(tmp_path, tiny_metabase):
    "`meta evaluate --json` adds `metabase_curve`: regret@1 against the metabase tasks the learner was fitted on, from the defaults rule (0 tasks) to all of a fold's, on nested seeded slices."
    from advpipe.metabase import Metabase
    from advpipe.meta_evaluation import nested_slices, source_folds
    metabase = Metabase.load(tiny_metabase)
    pool = list(metabase.tasks['task_id'])
    for seed in ([0, 0], [0, 1], [5, 0]):  # nested: each slice holds the smaller ones; the same seed, the same slices whatever the sizes asked
        slices = nested_slices(pool, (2, 3, 5, 7, 8), seed)
        assert list(slices) == [2, 3, 5, 7] and all(set(slices[a]) < set(slices[b]) for a, b in zip(list(slices), list(slices)[1:]))
        assert nested_slices(pool, (3,), seed) == {3: slices[3]}
    assert nested_slices(pool, (5,), [0, 0]) != nested_slices(pool, (5,), [0, 1])
    folds = source_folds(metabase, 5)
    assert len(folds) == 4 and sorted(g for f in folds for g in f) == sorted(metabase.tasks['group'].unique())  # 4 sources: one a fold
    evaluated = run_advpipe(['meta', 'evaluate', '--metabase', tiny_metabase, '--json'], cwd=tmp_path, home=tmp_path/'home', check=0)
    out = json.loads(evaluated.stdout)
    assert {'methods', 'history_curve', 'history_curve_unrelated', 'metabase_curve'} <= set(out)
    assert 'history curve (' in evaluated.stderr and 'metabase curve folds' in evaluated.stderr  # minutes each on the shipped metabase: progress shows
    curve = out['metabase_curve']
    assert [p['training_tasks'] for p in curve] == [0, 6] and [p['learner'] for p in curve] == ['defaults', 'meta_learner'] and curve[-1]['all']
    assert all(p['tasks'] == out['tasks'] == 8 for p in curve)
    # with one source a fold, the first point is the defaults method's row and the last the meta-learner's: the same numbers, computed apart
    for point, method in ((curve[0], 'defaults'), (curve[-1], 'meta_learner')):
        for key in ('regret_at_1_median', 'regret_at_1_mean', 'top1_hit_rate'):
            assert point[key] == pytest.approx(out['methods'][method][key], abs=1e-12), (method, key)


def test_history_effect(tiny_metabase):
    "After runs on several versions of one data set, the suggestion for a new version is at least as good as before them, and better than without."
    from advpipe.metabase import Metabase, evaluate_config
    from advpipe.meta_evaluation import order_metrics
    from advpipe.meta_features import meta_features
    from advpipe.meta_learner import MetaLearner
    from advpipe.model_pipeline import family_config, tabular_task
    from sklearn.datasets import make_friedman1
    metabase = Metabase.load(tiny_metabase)
    X, y = make_friedman1(1600, 8, noise=0.5, random_state=21)
    full = pd.DataFrame(X, columns=[f'x{i}' for i in range(8)]).assign(y=y)
    versions = [full.iloc[i*400:(i+1)*400].reset_index(drop=True) for i in range(4)]  # four data versions of one source
    def run_on(frame, version):
        task = tabular_task(frame, 'y')
        described = meta_features(frame, task)
        rows = [{'task': 'friedman', 'data_version': version, 'meta_features': described, 'family': c['family'], 'search_params': c['params'],
                 'config_id': c['config_id'], **evaluate_config(frame, task, family_config(c['family'], c['params'], task))} for c in metabase.grid]
        return described, [{**r, 'cv_mean': r['score']} for r in rows]
    runs = [run_on(v, f'v{i}') for i, v in enumerate(versions)]
    new_meta, new_rows = runs[-1]
    truth = pd.Series({r['config_id']: r['score'] for r in new_rows})
    truth = (truth - truth.min())/(truth.max() - truth.min())
    history = [r for _, rows in runs[:-1] for r in rows]
    before = order_metrics(list(MetaLearner().fit(metabase).suggest(new_meta, k=len(metabase.grid))['config_id']), truth)
    after = order_metrics(list(MetaLearner().fit(metabase, history=history).suggest(new_meta, k=len(metabase.grid))['config_id']), truth)
    assert after['regret_at_1'] <= before['regret_at_1'] + 1e-12 and after['regret_at_1'] <= 0.05, (before, after)


def test_default_run_searches_suggestions_first(default_run):
    "The README's `advpipe run` searches a small budget: the meta-learner's suggestions first, recorded in the summary and the history."
    from advpipe.cli import SEARCH_DEFAULT
    run_dir, _ = default_run
    meta = summary_of(run_dir)['meta']
    if SEARCH_DEFAULT == 0: pytest.skip('search is off by default')
    assert meta['search']['trials'] == SEARCH_DEFAULT and meta['search']['suggestions'] >= 1
    assert meta['search']['best']['cv_mean'] is not None and len(meta['suggestions']) == 5 and meta['history_used'] > 0
    repeats = meta['search']['repeats_skipped']  # summary.json carries it, as the README says
    assert repeats >= 0 and (repeats == 0 or meta['search']['suggestions'] < SEARCH_DEFAULT)  # a budget of suggestions only runs no TPE to repeat
    cost = meta['search']['cost_cap']  # what a trial may cost, and what it kept out
    assert cost['cap_seconds'] > 0 and cost['fixed_seconds'] > 0 and cost['rows_scale'] >= 1 and isinstance(cost['deferred_suggestions'], list)
    # the search's best joins the run's models only when it beats every fixed model by SEARCH_MIN_GAIN (on the twin it ties linear)
    from advpipe.search import SEARCH_MIN_GAIN
    summary = summary_of(run_dir)
    models, search = {m['name']: m for m in summary['models']}, meta['search']
    added = [m for m in summary['models'] if m.get('source') == 'search']
    if search['best']['cv_mean'] >= search['best_fixed_cv'] + SEARCH_MIN_GAIN:
        assert [m['name'] for m in added] == [search['model']] == [f"{search['best']['family']}_searched"]
        assert added[0]['config_id'] == search['best']['config_id'] and added[0]['cv_mean'] == pytest.approx(search['best']['cv_mean'], abs=1e-9)
        assert search['model'] in {b['model'] for b in summary['bias_variance']}
    else:
        assert added == [] and search['model'] is None and len(models) == 6
        assert 'so no model is added' in (run_dir/'02_train.html').read_text()


def test_search_best_becomes_a_run_model(tmp_path, tiny_metabase):
    """The train stage's steps on a small twin: the search's best configuration, when it beats the fixed models, is refitted
    as `<family>_searched` on the run's folds (its CV score is its trial's) and reaches summary.json with its configuration
    id and parameters; a near-tie adds nothing."""
    from types import SimpleNamespace
    from advpipe.data_loader import load_sales
    from advpipe.evaluation_engine import cross_validate_models
    from advpipe.main_pipeline import build_summary
    from advpipe.meta_features import meta_features
    from advpipe.meta_learner import MetaLearner
    from advpipe.metabase import Metabase
    from advpipe.model_pipeline import get_task, model_config
    from advpipe.redis_cache import open_store
    from advpipe.search import SEARCH_MIN_GAIN, run_search, searched_model
    sales, task = load_sales(None, twin_rows=600, twin_seed=0).frame, get_task('profit')
    fixed = cross_validate_models(task, sales, {'decision_tree': model_config('decision_tree', task, {'max_depth': 1})}, folds=3, progress=False)
    store = open_store(tmp_path/'home')
    try: found = run_search(store, sales, task, 2, 'v', meta_features(sales, task), folds=3, learner=MetaLearner(n_estimators=30).fit(Metabase.load(tiny_metabase)))
    finally: store.close()
    best = max(found['trials'], key=lambda t: t['cv_mean'])
    stump = fixed['decision_tree'].cv_mean
    assert best['cv_mean'] > stump + SEARCH_MIN_GAIN, (best, stump)
    name, config = searched_model(found, {'decision_tree': stump}, task, n_rows=len(sales))
    assert name == f"{best['family']}_searched" and config['config_id'] == best['config_id']
    refit = cross_validate_models(task, sales, {name: config}, folds=3, progress=False)[name]
    assert refit.cv_mean == pytest.approx(best['cv_mean'], abs=1e-9)  # the same folds and configuration as its trial
    assert searched_model(found, {'decision_tree': best['cv_mean'] - SEARCH_MIN_GAIN/2}, task) is None
    entry = lambda n, r, **extra: {'name': n, 'cv_mean': r.cv_mean, 'cv_std': r.cv_std, 'fit_seconds': r.fit_seconds, 'version': n,
                                   'cached': False, 'fold_scores': r.fold_scores, **extra}
    train = {'models': [entry('decision_tree', fixed['decision_tree']),
                        entry(name, refit, source='search', config_id=config['config_id'], params=config['search_params'])], 'best_model': name}
    summary = build_summary('r', {'02_train': train}, [], SimpleNamespace(backend_name='test', refused=0), 0, 0, 0.0, None,
                            {'data': '', 'task': 'profit'})
    assert summary['best_model'] == name and set(summary['models'][1]) == {'name', 'cv_mean', 'cv_std', 'fit_seconds', 'version', 'cached', 'fold_scores'}
    assert {k: summary['models'][0][k] for k in ('name', 'source', 'config_id', 'params')} == {'name': name, 'source': 'search', 'config_id': best['config_id'], 'params': best['params']}


def test_search_defers_configurations_too_dear_for_the_data(tmp_path):
    """A suggestion predicted to cost more than the cap (a share of the default models' predicted seconds) is passed over
    for the next affordable one in the learner's order, and TPE configurations above it are skipped, not evaluated; the
    shipped learner's own predictions set the share so that its first pick is just too dear."""
    from advpipe.data_loader import load_sales
    from advpipe.meta_features import meta_features
    from advpipe.meta_learner import load_fitted_learner
    from advpipe.model_pipeline import get_task
    from advpipe.redis_cache import open_store
    from advpipe.search import run_search, sample_config, trial_cost_cap, trial_params
    import optuna
    sales, task = load_sales(None, twin_rows=600, twin_seed=0).frame, get_task('delivery_days')
    learner, described = load_fitted_learner(), meta_features(sales, task)
    order = learner.suggest(described, k=len(learner.metabase_.grid))
    fixed_seconds = trial_cost_cap(learner, described, task.type, cheap_fold_seconds=0)['fixed_seconds']
    dearest_first = order['predicted_seconds'].iloc[:2].idxmax()  # one of the two the search would take first (so passing it over shows), and the other fits
    share = 0.99*order['predicted_seconds'].iloc[dearest_first]/fixed_seconds
    store = open_store(tmp_path/'home')
    try: found = run_search(store, sales, task, 4, 'v', described, folds=3, suggestions=2, learner=learner, cost_share=share, cheap_fold_seconds=0)
    finally: store.close()
    cap = found['cost_cap']['cap_seconds']
    affordable = order[order['predicted_seconds'] <= cap]
    suggested = [t for t in found['trials'] if t['source'] == 'suggestion']
    as_trial = lambda c: sample_config(optuna.trial.FixedTrial(trial_params(c)))['config_id']  # clipped into the search space
    assert [t['config_id'] for t in suggested] == [as_trial(c) for c in affordable.head(2).to_dict('records')]
    deferred = [(d['family'], d['params']) for d in found['cost_cap']['deferred_suggestions']]
    assert (order.at[dearest_first, 'family'], order.at[dearest_first, 'params']) in deferred
    assert all(d['predicted_seconds'] > cap for d in found['cost_cap']['deferred_suggestions'])
    tpe = [t for t in found['trials'] if t['source'] == 'tpe']
    assert len(tpe) == 2
    assert len({t['config_id'] for t in found['trials']}) == 4  # TPE's repeats are skipped, not spent
    seconds = learner.predict(described, [{k: t[k] for k in ('family', 'params', 'config_id')} for t in tpe])['predicted_seconds']
    assert (seconds <= cap).all(), seconds
