"Tests for advpipe.qualitative_evaluator: SHAP additivity per family, PDP agreement, weak segments, rule checks."
import warnings
from pathlib import Path
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np, pandas as pd, pytest
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from lightgbm import LGBMClassifier, LGBMRegressor
from xgboost import XGBClassifier, XGBRegressor

from advpipe.config import BadInput
from advpipe import qualitative_evaluator as qe

# the real workbook sits beside the project in ../shared/data (a worktree may be one level deeper)
DATA = next((folder / 'shared' / 'data' / 'US_Regional_Sales_Data.xlsx' for folder in Path(__file__).resolve().parents[1].parents
             if (folder / 'shared' / 'data' / 'US_Regional_Sales_Data.xlsx').exists()),
            Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'US_Regional_Sales_Data.xlsx')
warnings.filterwarnings('ignore', message='.*feature names.*')


def sales(n=600, seed=0, noisy_segment=None, noise=50.0, segment_noise=600.0):
    "Seeded frame with canonical columns; `profit` is 0.3 x revenue + noise (more noise on `noisy_segment`)."
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({'Sales Channel': rng.choice(['In-Store', 'Online', 'Distributor', 'Wholesale'], n),
                      'Region': rng.choice(['West', 'South', 'Midwest', 'Northeast'], n),
                      'Order Quantity': rng.integers(1, 9, n),
                      'Discount Applied': rng.choice([0.05, 0.1, 0.2, 0.3], n),
                      'Unit Price': rng.uniform(100, 3000, n).round(2),
                      '_ProductID': rng.integers(1, 11, n)})
    y = X['Order Quantity'] * X['Unit Price'] * (1 - X['Discount Applied']) * 0.3 + rng.normal(0, noise, n)
    if noisy_segment is not None:
        mask = np.logical_and.reduce([X[c] == v for c, v in noisy_segment.items()])
        y = y + np.where(mask, rng.normal(0, segment_noise, n), 0)
    return X, pd.Series(y, name='profit')


def make_pipe(estimator):
    pre = ColumnTransformer([('cat', OneHotEncoder(handle_unknown='ignore', sparse_output=False), ['Sales Channel', 'Region'])],
                            remainder='passthrough', verbose_feature_names_out=False)
    return Pipeline([('pre', pre), ('model', estimator)])


def revenue_pipe(factor):
    "A pipeline predicting `factor` x revenue exactly (linear on the engineered revenue feature)."
    revenue = FunctionTransformer(lambda X: (X['Order Quantity'] * X['Unit Price'] * (1 - X['Discount Applied'])).to_frame('revenue'))
    X, _ = sales()
    target = factor * revenue.transform(X)['revenue']
    return Pipeline([('revenue', revenue), ('model', LinearRegression())]).fit(X, target)


@pytest.fixture(scope='module')
def toy():
    return sales()


@pytest.fixture(scope='module')
def lin(toy):
    X, y = toy
    return make_pipe(LinearRegression()).fit(X, y)


# --- SHAP additivity, every family -------------------------------------------------------------------------------
FAMILIES = [
    ('linear', LinearRegression(), 'regression', 'linear'),
    ('ridge', Ridge(1.0), 'regression', 'linear'),
    ('logistic', LogisticRegression(max_iter=2000), 'classification', 'linear'),
    ('tree', DecisionTreeRegressor(max_depth=6, random_state=0), 'regression', 'tree'),
    ('tree_clf', DecisionTreeClassifier(max_depth=6, random_state=0), 'classification', 'tree'),
    ('forest', RandomForestRegressor(30, min_samples_leaf=5, random_state=0), 'regression', 'tree'),
    ('forest_clf', RandomForestClassifier(30, min_samples_leaf=5, random_state=0), 'classification', 'tree'),
    ('xgboost', XGBRegressor(n_estimators=60, max_depth=4, random_state=0), 'regression', 'xgboost'),
    ('xgboost_clf', XGBClassifier(n_estimators=60, max_depth=4, random_state=0), 'classification', 'xgboost'),
    ('lightgbm', LGBMRegressor(n_estimators=60, random_state=0, verbose=-1), 'regression', 'lightgbm'),
    ('lightgbm_clf', LGBMClassifier(n_estimators=60, random_state=0, verbose=-1), 'classification', 'lightgbm'),
    ('knn_fallback', KNeighborsRegressor(10), 'regression', 'other'),
    ('svr_fallback', SVR(C=1000.0), 'regression', 'other'),
    ('knn_clf_fallback', KNeighborsClassifier(10), 'classification', 'other'),
    ('dummy', DummyRegressor(), 'regression', 'dummy'),
    ('dummy_clf', DummyClassifier(strategy='prior'), 'classification', 'dummy'),
]


@pytest.mark.parametrize('name,estimator,task,family', FAMILIES, ids=[f[0] for f in FAMILIES])
def test_shap_additivity_every_family(toy, name, estimator, task, family):
    X, y = toy
    target = (y > y.median()).astype(int) if task == 'classification' else y
    pipe = make_pipe(estimator).fit(X, target)
    size = 25 if family == 'other' else 200
    explained = qe.shap_values(pipe, X, task, sample_size=size, random_state=1)
    assert explained['family'] == family
    assert explained['sample_size'] == size and explained['values'].shape == (size, 12)
    result = qe.check_additivity(explained, tol=1e-6)
    assert result['passed'] and result['max_rel_error'] <= 1e-6, result
    # the explained output is the model's own output, not derived from the SHAP values
    if task == 'regression':
        np.testing.assert_allclose(explained['output'], pipe.predict(explained['raw']))
    elif explained['output_space'] == 'probability':
        np.testing.assert_allclose(explained['output'], pipe.predict_proba(explained['raw'])[:, 1])
    if family != 'dummy':
        assert explained['importance'].mean_abs_shap.sum() > 0


def test_fallback_with_kmeans_background_is_additive(toy):
    X, y = toy
    pipe = make_pipe(KNeighborsRegressor(10)).fit(X, y)
    explained = qe.shap_values(pipe, X, sample_size=15, background_size=20, background_method='kmeans')
    assert explained['family'] == 'other' and qe.check_additivity(explained)['passed']
    # the base value is the mean prediction over the 20 k-means centres, not over a row sample
    sampled = qe.shap_values(pipe, X, sample_size=15, background_size=20)
    assert not np.isclose(explained['base_values'][0], sampled['base_values'][0])
    with pytest.raises(BadInput, match='background_method'):
        qe.shap_values(pipe, X, background_method='median')


def test_additivity_check_can_fail(toy, lin):
    X, _ = toy
    explained = qe.shap_values(lin, X, sample_size=50)
    tampered = {**explained, 'values': explained['values'] * 1.001}
    assert not qe.check_additivity(tampered)['passed']


def test_shap_sample_is_seeded_and_reported(toy, lin):
    X, _ = toy
    a, b = qe.shap_values(lin, X, sample_size=100, random_state=3), qe.shap_values(lin, X, sample_size=100, random_state=3)
    assert a['sample_size'] == 100 and a['n_rows'] == len(X)
    assert a['raw'].index.equals(b['raw'].index)
    assert not a['raw'].index.equals(qe.shap_values(lin, X, sample_size=100, random_state=4)['raw'].index)


def test_shap_cache_hook_keys_on_model_version(toy, lin):
    X, _ = toy
    calls = []
    class Cache:
        def __init__(self): self.store = {}
        def get_or_compute(self, namespace, key, compute):
            calls.append((namespace, key))
            if key not in self.store: self.store[key] = compute()
            return self.store[key]
    cache = Cache()
    first = qe.shap_values(lin, X, sample_size=50, cache=cache, model_version='m1')
    second = qe.shap_values(lin, X, sample_size=50, cache=cache, model_version='m1')
    qe.shap_values(lin, X, sample_size=50, cache=cache, model_version='m2')
    qe.shap_values(lin, X, sample_size=60, cache=cache, model_version='m1')
    assert second['values'] is first['values']
    assert all(ns == 'shap' for ns, _ in calls) and len(cache.store) == 3
    # no model version: two fits with the same parameters but different data must not share an entry
    X2, y2 = sales(seed=9)
    other = make_pipe(LinearRegression()).fit(X2, y2)
    a, b = qe.shap_values(lin, X, sample_size=50, cache=cache), qe.shap_values(other, X, sample_size=50, cache=cache)
    assert len(cache.store) == 5 and not np.allclose(a['values'], b['values'])


def test_raw_feature_map_longest_prefix():
    mapping = qe.raw_feature_map(['cat__Sales Team_Ann', 'Sales Channel_Online', 'num__Unit Price', 'StateCode_CA', 'State_Ohio'])
    assert mapping == {'cat__Sales Team_Ann': 'Sales Team', 'Sales Channel_Online': 'Sales Channel',
                       'num__Unit Price': 'Unit Price', 'StateCode_CA': 'StateCode', 'State_Ohio': 'State'}


def test_describe_drivers_names_top_features_and_flags_identifiers(toy):
    X, y = toy
    explained = qe.shap_values(make_pipe(LinearRegression()).fit(X, y), X, sample_size=200)
    text = qe.describe_drivers(explained['importance'], 'profit')
    assert text.startswith('Profit is driven mostly by') and 'Warning' not in text
    assert explained['importance'].feature.iloc[0] in text
    id_target = X['_ProductID'] * 500.0
    id_pipe = make_pipe(RandomForestRegressor(20, random_state=0)).fit(X, id_target)
    id_text = qe.describe_drivers(qe.shap_values(id_pipe, X, sample_size=200)['importance'], 'profit')
    assert 'Warning: identifier columns (_ProductID' in id_text


# --- LIME --------------------------------------------------------------------------------------------------------
def test_lime_worst_and_best_are_seeded(toy, lin):
    X, y = toy
    a = qe.lime_explanations(lin, X, y, k=2, num_samples=300, random_state=0)
    b = qe.lime_explanations(lin, X, y, k=2, num_samples=300, random_state=0)
    pd.testing.assert_frame_equal(a['table'], b['table'])
    worst, best = a['table'][a['table'].kind == 'worst'], a['table'][a['table'].kind == 'best']
    assert worst.row.nunique() == 2 and best.row.nunique() == 2
    assert worst.abs_error.min() >= best.abs_error.max()
    errors = (y - lin.predict(X)).abs()
    assert set(worst.row) == set(errors.nlargest(2).index)
    # categoricals are declared as such: their conditions read `column=value`
    assert a['table'].condition.str.contains(r'^(?:Sales Channel|Region|_ProductID)=', regex=True).any()
    for f in a['figures'].values(): plt.close(f)


def test_lime_classifier(toy):
    X, y = toy
    target = (y > y.median()).astype(int)
    pipe = make_pipe(LogisticRegression(max_iter=2000)).fit(X, target)
    out = qe.lime_explanations(pipe, X, target, 'classification', k=1, num_samples=300)
    assert len(out['table']) > 0 and out['table'].prediction.between(0, 1).all()
    for f in out['figures'].values(): plt.close(f)


# --- partial dependence ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('estimator,task', [(RandomForestRegressor(30, min_samples_leaf=5, random_state=0), 'regression'),
                                            (LGBMRegressor(n_estimators=50, verbose=-1, random_state=0), 'regression'),
                                            (LogisticRegression(max_iter=2000), 'classification')])
def test_pdpbox_matches_sklearn(toy, estimator, task):
    X, y = toy
    target = (y > y.median()).astype(int) if task == 'classification' else y
    pipe = make_pipe(estimator).fit(X, target)
    before = X.copy()
    one = qe.partial_dependence_1d(pipe, X.head(200), 'Unit Price', task)
    two = qe.partial_dependence_2d(pipe, X.head(200), ('Order Quantity', 'Unit Price'), task, num_grid_points=5)
    assert one['max_abs_diff'] < 1e-8 and two['max_abs_diff'] < 1e-8
    assert one['ice'].shape == (200, len(one['grid'])) and two['pdp'].shape == (len(two['grids'][0]), len(two['grids'][1]))
    np.testing.assert_allclose(one['ice'].mean(axis=0), one['pdp'])
    pd.testing.assert_frame_equal(X, before)  # pdpbox never sees the caller's frame


def test_pdp_report_picks_top_numeric_features(toy, lin):
    X, _ = toy
    importance = qe.shap_values(lin, X, sample_size=100)['importance']
    report = qe.partial_dependence_report(lin, X, importance, top=3, sample_size=100, num_grid_points=5)
    assert report['features'] == [f for f in importance.feature if f in ('Unit Price', 'Order Quantity', 'Discount Applied')][:3]
    assert report['two_way'][0]['features'] == tuple(report['features'][:2])
    assert report['max_abs_diff'] < 1e-8
    plt.close(qe.plot_pdp(report))


# --- error analysis ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('seed', [1, 2])
def test_planted_weak_segment_is_named_first(seed):
    X, y = sales(3000, seed=seed, noisy_segment={'Sales Channel': 'Online', 'Region': 'West'})
    pipe = make_pipe(LinearRegression()).fit(X, y)
    found = qe.weak_segments(X, qe.row_errors(pipe, X, y).abs_error, min_segment_size=50)
    assert len(found) >= 1
    assert found.segment.iloc[0] == 'Sales Channel = Online & Region = West'
    assert (found.p_adjusted < 0.05).all() and (found.ratio_to_overall >= 1.25).all()


@pytest.mark.parametrize('seed', [1, 2, 3])
def test_no_weak_segment_on_clean_data(seed):
    X, y = sales(3000, seed=seed)
    pipe = make_pipe(LinearRegression()).fit(X, y)
    errors = qe.row_errors(pipe, X, y).abs_error
    assert len(qe.weak_segments(X, errors, min_segment_size=50)) == 0
    assert len(qe.weak_segments(X, errors, min_segment_size=50, test='welch')) == 0
    everything = qe.weak_segments(X, errors, min_segment_size=50, return_all=True)
    assert len(everything) > 10 and (everything.n >= 50).all()


def test_holm_matches_definition():
    np.testing.assert_allclose(qe.holm([0.01, 0.04, 0.03, 0.5]), [0.04, 0.09, 0.09, 0.5])


def test_error_by_segment_and_worst_rows(toy, lin):
    X, y = toy
    errors = qe.row_errors(lin, X, y)
    table = qe.error_by_segment(X, errors.abs_error)
    assert set(table.column) == {'Sales Channel', 'Region', '_ProductID'}
    online = table[(table.column == 'Sales Channel') & (table.value == 'Online')].iloc[0]
    assert np.isclose(online.mean_abs_error, errors.abs_error[X['Sales Channel'] == 'Online'].mean())
    worst = qe.worst_rows(X, errors, 5)
    assert list(worst.index) == list(errors.abs_error.nlargest(5).index) and 'Unit Price' in worst.columns
    with pytest.raises(BadInput, match='Store Type'):
        qe.error_by_segment(X, errors.abs_error, ['Store Type'])


# --- business-rule checks: each kind fails and passes --------------------------------------------------------------
def one(kind, context, **fields):
    "Run a single check of `kind` and return its record."
    records = qe.run_checks({'checks': [{'kind': kind, **fields}]}, context)
    assert len(records) == 1
    return records[0]


def test_beats_baseline(toy):
    ctx = {'task_type': 'regression', 'cv_scores': [-100., -110.], 'baseline_cv_scores': [-800., -790.]}
    assert one('beats_baseline', ctx, margin=0.10)['passed'] is True
    record = one('beats_baseline', {**ctx, 'baseline_cv_scores': [-108., -110.]}, margin=0.10)
    assert record['passed'] is False and 'required +10.0%' in record['detail']
    # losses where smaller is better
    assert one('beats_baseline', {**ctx, 'cv_scores': [100.], 'baseline_cv_scores': [800.], 'greater_is_better': False})['passed']
    assert not one('beats_baseline', {**ctx, 'cv_scores': [0.50], 'baseline_cv_scores': [0.48]}, margin=0.05, margin_type='absolute')['passed']


def test_stability():
    ctx = {'task_type': 'regression'}
    assert one('stability', {**ctx, 'cv_scores': [-100., -102., -98.]}, max_relative_std=0.1)['passed'] is True
    record = one('stability', {**ctx, 'cv_scores': [-100., -300., -50.]}, max_relative_std=0.1)
    assert record['passed'] is False and 'std' in record['detail']
    assert one('stability', {**ctx, 'cv_scores': [-100., -102., -98.]}, max_std=1.0)['passed'] is False


def test_monotonicity(toy, lin):
    X, y = toy
    ctx = {'task_type': 'regression', 'pipe': lin, 'X': X, 'y': y}
    record = one('monotonicity', ctx, feature='Order Quantity')
    assert record['passed'] is True and record['name'] == 'monotonicity:Order Quantity'
    falling = make_pipe(LinearRegression()).fit(X, -y)
    record = one('monotonicity', {**ctx, 'pipe': falling}, feature='Order Quantity')
    assert record['passed'] is False and '200 of 200 sampled rows' in record['detail']
    assert one('monotonicity', {**ctx, 'pipe': falling}, feature='Order Quantity', direction='decreasing')['passed']


def test_plausibility(toy):
    X, y = toy
    ctx = {'task_type': 'regression', 'X': X, 'y': y}
    assert one('plausibility', {**ctx, 'pipe': revenue_pipe(0.3)})['passed'] is True
    record = one('plausibility', {**ctx, 'pipe': revenue_pipe(1.5)})
    assert record['passed'] is False and '600 of 600 predictions' in record['detail']


def test_segment_parity():
    X, y = sales(2000, seed=5, noisy_segment={'Sales Channel': 'Online'}, segment_noise=3000.0)
    pipe = make_pipe(LinearRegression()).fit(X, y)
    ctx = {'task_type': 'regression', 'pipe': pipe, 'X': X, 'y': y}
    record = one('segment_parity', ctx, column='Sales Channel', max_ratio=1.5)
    assert record['passed'] is False and "'Online'" in record['detail'] and record['name'] == 'segment_parity:Sales Channel'
    Xc, yc = sales(2000, seed=5)
    clean = make_pipe(LinearRegression()).fit(Xc, yc)
    assert one('segment_parity', {**ctx, 'pipe': clean, 'X': Xc, 'y': yc}, column='Sales Channel', max_ratio=1.5)['passed']


def test_feature_plausibility(toy, lin):
    X, y = toy
    good = qe.shap_values(lin, X, sample_size=200)['importance']
    assert one('feature_plausibility', {'task_type': 'regression', 'importance': good}, max_share=0.3)['passed'] is True
    id_pipe = make_pipe(RandomForestRegressor(20, random_state=0)).fit(X, X['_ProductID'] * 500.0)
    bad = qe.shap_values(id_pipe, X, sample_size=200)['importance']
    record = one('feature_plausibility', {'task_type': 'regression', 'importance': bad}, max_share=0.3)
    assert record['passed'] is False and '_ProductID' in record['detail']


def test_perturbation(toy, lin):
    X, y = toy
    ctx = {'task_type': 'regression', 'pipe': lin, 'X': X, 'y': y}
    assert one('perturbation', ctx, max_relative_effect=0.05)['passed'] is True
    # a model whose output jumps at a price threshold: 1% moves push rows across it
    jumpy_target = np.where(X['Unit Price'] > 1500, 5000.0, 100.0)
    jumpy = make_pipe(DecisionTreeRegressor(max_depth=1)).fit(X, jumpy_target)
    record = one('perturbation', {**ctx, 'pipe': jumpy}, max_relative_effect=0.05, quantile=1.0, sample_size=600)
    assert record['passed'] is False and 'Unit Price' in record['detail']


def test_calibration(toy):
    X, _ = toy
    rng = np.random.default_rng(0)
    logit = (X['Unit Price'] - 1500) / 400
    labels = pd.Series((rng.uniform(size=len(X)) < 1 / (1 + np.exp(-logit))).astype(int))
    big = pd.concat([X] * 5, ignore_index=True)
    big_labels = pd.Series((rng.uniform(size=len(big)) < 1 / (1 + np.exp(-(big['Unit Price'] - 1500) / 400))).astype(int))
    calibrated = make_pipe(LogisticRegression(max_iter=5000)).fit(big, big_labels)
    ctx = {'task_type': 'classification', 'X': X, 'y': labels}
    assert one('calibration', {**ctx, 'pipe': calibrated}, max_ece=0.06)['passed'] is True
    overfit = make_pipe(DecisionTreeClassifier(random_state=0)).fit(big.sample(600, random_state=1), big_labels.sample(600, random_state=1))
    record = one('calibration', {**ctx, 'pipe': overfit}, max_ece=0.06)
    assert record['passed'] is False and 'expected calibration error' in record['detail']


def test_expected_calibration_error():
    assert qe.expected_calibration_error([0, 1, 0, 1], [0.0, 1.0, 0.0, 1.0]) == 0
    assert np.isclose(qe.expected_calibration_error([0, 0, 0, 0], [0.9, 0.9, 0.9, 0.9]), 0.9)


def test_runner_orders_failed_first_skips_other_task_and_reports_not_run(toy, lin):
    X, y = toy
    ctx = {'task_type': 'regression', 'pipe': lin, 'X': X, 'y': y}
    records = qe.run_checks({'checks': [
        {'kind': 'monotonicity', 'feature': 'Order Quantity'},
        {'kind': 'beats_baseline'},  # no CV scores in the context: not run
        {'kind': 'calibration', 'applies_to': ['classification']},
        {'kind': 'stability', 'max_std': 1.0},  # not run either
        {'kind': 'plausibility', 'quantity': 'Order Quantity', 'tolerance': 0.0, 'max_violation_share': 0.0},
    ]}, ctx)
    assert [r['passed'] for r in records] == [False, None, None, True]
    assert [r['name'] for r in records][0] == 'plausibility'
    assert all(set(r) == {'name', 'passed', 'detail', 'severity'} for r in records)
    assert records[1]['detail'].startswith('not run')


def test_qualitative_score_weights_by_severity():
    checks = [{'passed': True, 'severity': 'high'}, {'passed': False, 'severity': 'medium'},
              {'passed': True, 'severity': 'low'}, {'passed': None, 'severity': 'high'}]
    assert qe.qualitative_score(checks) == pytest.approx(4 / 6)
    assert np.isnan(qe.qualitative_score([]))


# --- rules file --------------------------------------------------------------------------------------------------
def test_default_rules_cover_every_kind():
    rules = qe.load_rules()
    assert qe.default_rules_path().name == 'default.yaml'
    assert {r['kind'] for r in rules} == set(qe.RULE_KINDS) and len(qe.RULE_KINDS) >= 8


@pytest.mark.parametrize('text,message', [
    ('checks: [kind: monotonicity\n', 'not valid YAML'),
    ('- kind: stability\n', "expected a mapping with a 'checks' list"),
    ('checks:\n  - kind: vibes\n', "unknown check kind 'vibes'"),
    ('checks:\n  - margin: 0.1\n', "missing field 'kind'"),
    ('checks:\n  - kind: monotonicity\n', "missing field 'feature'"),
    ('checks:\n  - kind: stability\n    max_std: small\n', "field 'max_std' must be float"),
    ('checks:\n  - kind: monotonicity\n    feature: Order Quantity\n    sample_size: 2.5\n', "field 'sample_size' must be int"),
    ('checks:\n  - kind: segment_parity\n    column: Region\n    max_ratoi: 2\n', "unknown field(s) ['max_ratoi']"),
    ('checks:\n  - kind: calibration\n    severity: critical\n', 'severity must be one of'),
    ('checks:\n  - kind: calibration\n    applies_to: classification\n', 'applies_to must be a list'),
    ('checks:\n  - kind: beats_baseline\n    margin_type: percent\n', "'margin_type' must be one of"),
    ('checks:\n  - kind: stability\n', "needs 'max_std' or 'max_relative_std'"),
    ('checks:\n  - stability\n', 'each check must be a mapping'),
])
def test_malformed_rules_name_file_and_problem(tmp_path, text, message):
    path = tmp_path / 'team_rules.yaml'
    path.write_text(text)
    with pytest.raises(BadInput) as info:
        qe.load_rules(path)
    assert str(path) in str(info.value) and message in str(info.value), str(info.value)


def test_missing_rules_file(tmp_path):
    with pytest.raises(BadInput, match='rules file not found'):
        qe.load_rules(tmp_path / 'nope.yaml')


# --- the entry point ---------------------------------------------------------------------------------------------
def test_explain_model_returns_everything(toy):
    X, y = toy
    pipe = make_pipe(XGBRegressor(n_estimators=60, max_depth=4, random_state=0)).fit(X, y)
    report = qe.explain_model(pipe, X, y, 'regression', target_name='profit', sample_size=200, pdp_sample_size=150,
                              lime_k=2, lime_samples=300, cv_scores=[-100., -105.], baseline_cv_scores=[-800., -790.])
    assert {'shap', 'importance', 'additivity', 'drivers', 'lime', 'pdp', 'pdp_max_abs_diff', 'errors', 'error_by_segment',
            'weak_segments', 'worst_rows', 'checks', 'qualitative_score', 'figures', 'timings', 'sample_sizes'} <= set(report)
    assert report['additivity']['passed'] and report['pdp_max_abs_diff'] < 1e-8
    assert report['sample_sizes'] == {'rows': 600, 'shap': 200, 'pdp': 150, 'lime': 4, 'lime_perturbations': 300}
    assert all(v >= 0 for v in report['timings'].values()) and report['timings']['total'] >= report['timings']['shap']
    assert 0 <= report['qualitative_score'] <= 1 and report['drivers'].startswith('Profit is driven mostly by')
    assert all(isinstance(f, matplotlib.figure.Figure) for f in report['figures'].values())
    for f in report['figures'].values(): plt.close(f)
    with pytest.raises(BadInput, match='task_type'):
        qe.explain_model(pipe, X, y, 'ranking')


@pytest.mark.skipif(not DATA.exists(), reason=f'real workbook not found at {DATA}')
def test_real_workbook_lightgbm():
    book = pd.read_excel(DATA, sheet_name=None, engine='calamine')
    stores = book['Store Locations Sheet'].rename(columns={'Type': 'Store Type'})
    df = (book['Sales Orders Sheet'].merge(book['Products Sheet'], on='_ProductID')
          .merge(stores[['_StoreID', 'StateCode', 'State', 'Store Type', 'Population']], on='_StoreID')
          .merge(book['Regions Sheet'][['StateCode', 'Region']], on='StateCode'))
    y = df['Order Quantity'] * (df['Unit Price'] * (1 - df['Discount Applied']) - df['Unit Cost'])
    X = df.drop(columns=['Unit Cost', 'CurrencyCode'])
    cats = ['Sales Channel', 'WarehouseCode', 'Region', 'Store Type']
    pre = ColumnTransformer([('cat', OneHotEncoder(handle_unknown='ignore', sparse_output=False), cats),
                             ('num', 'passthrough', ['Order Quantity', 'Discount Applied', 'Unit Price', 'Population', '_ProductID'])])
    pipe = Pipeline([('pre', pre), ('model', LGBMRegressor(n_estimators=100, verbose=-1, random_state=0))]).fit(X, y)
    report = qe.explain_model(pipe, X, y, 'regression', target_name='profit', lime_k=1, lime_samples=300, plots=False)
    assert report['sample_sizes']['shap'] == 500 and report['additivity']['passed']
    assert report['pdp_max_abs_diff'] < 1e-8
    assert report['importance'].feature.iloc[0] in ('Unit Price', 'Order Quantity', 'Discount Applied')
    assert qe.raw_feature_map(['cat__Sales Channel_Online'])['cat__Sales Channel_Online'] == 'Sales Channel'


def test_explain_model_classifier(toy):
    X, y = toy
    target = (y > y.median()).astype(int)
    pipe = make_pipe(LGBMClassifier(n_estimators=60, verbose=-1, random_state=0)).fit(X, target)
    report = qe.explain_model(pipe, X, target, 'classification', target_name='the chance of a high margin', sample_size=200,
                              pdp_sample_size=100, lime_k=1, lime_samples=300, plots=False)
    assert report['shap']['output_space'] == 'log-odds' and report['additivity']['passed']
    assert report['pdp_max_abs_diff'] < 1e-8 and report['figures'] == {}
    names = [c['name'] for c in report['checks']]
    assert 'calibration' in names and not any(n.startswith(('monotonicity', 'plausibility')) for n in names)
    assert report['errors'].prediction.between(0, 1).all()
