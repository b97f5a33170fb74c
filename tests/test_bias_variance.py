"Tests for advpipe.bias_variance: the decomposition identities, the noise estimate, mlxtend compatibility, determinism and bad input."
from pathlib import Path
import numpy as np, pandas as pd, pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from advpipe.config import BadInput
from advpipe.bias_variance import (BiasVarianceResult, bias_variance_decomp, complexity_sweep, estimate_noise,
                                   plot_bias_variance_bars, plot_complexity_sweep)

REAL_DATA = Path('/work/shared/data/US_Regional_Sales_Data.xlsx')


def regression_data(n, noise_sd=0.5, seed=0):
    "y = f(x) + N(0, noise_sd^2) on two uniform features."
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + rng.normal(0, noise_sd, size=n)


def classification_data(n_classes, labels=None, n=700, seed=0):
    "A split classification problem; `labels` renames the classes (e.g. to strings)."
    X, y = make_classification(n_samples=n, n_features=6, n_informative=4, n_redundant=0, n_classes=n_classes, random_state=seed)
    if labels is not None: y = np.asarray(labels)[y]
    return X[:500], y[:500], X[500:], y[500:]


@pytest.fixture(scope='module')
def regression_split():
    X_train, y_train = regression_data(800, seed=1)
    X_test, y_test = regression_data(300, seed=2)
    return X_train, y_train, X_test, y_test


def relative_error(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.maximum(np.abs(np.asarray(a)), 1e-300)))


# --- squared loss: loss = bias^2 + variance -------------------------------------------------------------

@pytest.mark.parametrize('sampling', ['bootstrap', 'subsample', 'repeated_cv'])
def test_squared_identity_per_point_and_average(regression_split, sampling):
    result = bias_variance_decomp(DecisionTreeRegressor(max_depth=5), *regression_split, n_rounds=20, sampling=sampling)
    assert result.loss_type == 'squared' and result.variance > 0 and result.bias > 0
    assert relative_error(result.loss, result.bias + result.variance) < 1e-9
    assert relative_error(result.sample_loss, result.sample_bias + result.sample_variance) < 1e-9
    # the averages are the means of the per-point arrays (nothing else folded in)
    assert result.loss == pytest.approx(result.sample_loss.mean(), rel=1e-12)
    assert result.sample_loss.shape == (len(regression_split[3]),)


def test_squared_loss_matches_a_direct_computation(regression_split):
    "The loss is the mean squared error of the individual fits, recomputed here by hand for bootstrap rounds."
    X_train, y_train, X_test, y_test = regression_split
    result = bias_variance_decomp(LinearRegression(), X_train, y_train, X_test, y_test, n_rounds=5, random_state=11)
    seeds = np.random.default_rng(11).integers(0, 2**31 - 1, size=5)
    errors = []
    for seed in seeds:
        rows = np.random.default_rng(seed).integers(0, len(y_train), size=len(y_train))
        errors.append((LinearRegression().fit(X_train[rows], y_train[rows]).predict(X_test) - y_test) ** 2)
    assert result.loss == pytest.approx(np.mean(errors), rel=1e-12)


# --- noise estimate ------------------------------------------------------------------------------------

@pytest.mark.parametrize('noise_sd', [0.3, 0.5, 1.0])
def test_noise_estimate_within_ten_percent(noise_sd):
    X_train, y_train = regression_data(3000, noise_sd=noise_sd, seed=3)
    X_test, y_test = regression_data(1000, noise_sd=noise_sd, seed=4)
    result = bias_variance_decomp(DecisionTreeRegressor(max_depth=6), X_train, y_train, X_test, y_test, n_rounds=5)
    assert abs(result.noise / noise_sd**2 - 1) < 0.10, (result.noise, noise_sd**2)
    assert result.bias_net_of_noise == pytest.approx(result.bias - result.noise)


def test_noise_estimate_beats_plain_nearest_neighbour_differences():
    "Where f is steep, the 1-NN estimate is inflated; the Gamma-test intercept is not."
    rng = np.random.default_rng(5)
    X = rng.uniform(-2, 2, size=(2000, 2))
    y = 3 * np.sin(3 * X[:, 0]) + 2 * X[:, 1] + rng.normal(0, 0.3, size=2000)
    assert abs(estimate_noise(X, y) / 0.09 - 1) < 0.10


def test_noise_with_repeated_x():
    "Repeated x's are neighbours at distance 0: their spread is the noise."
    rng = np.random.default_rng(6)
    X = np.repeat(rng.uniform(0, 1, size=(300, 1)), 10, axis=0)
    y = 5 * X[:, 0] + rng.normal(0, 0.4, size=len(X))
    assert abs(estimate_noise(X, y) / 0.16 - 1) < 0.10


def test_noise_not_estimated_for_non_numeric_features_or_0_1_loss():
    assert estimate_noise(np.array([['a'], ['b'], ['c'], ['d']], dtype=object), [1., 2., 3., 4.]) is None
    result = bias_variance_decomp(DecisionTreeClassifier(max_depth=2), *classification_data(2), loss='0-1', n_rounds=3)
    assert result.noise is None and result.bias_net_of_noise is None


# --- 0-1 loss: Domingos ------------------------------------------------------------------------------

@pytest.mark.parametrize('n_classes,labels', [(2, None), (2, ['no', 'yes']), (3, None), (3, ['north', 'south', 'west']),
                                              (4, ['a', 'bb', 'c', 'dd'])])
def test_domingos_identity(n_classes, labels):
    result = bias_variance_decomp(DecisionTreeClassifier(max_depth=3), *classification_data(n_classes, labels), loss='0-1', n_rounds=25)
    assert result.biased_variance > 0 and result.unbiased_variance > 0  # both regimes present, so the test has teeth
    assert abs(result.loss - (result.bias + result.net_variance)) < 1e-12
    assert abs(result.net_variance - (result.unbiased_variance - result.biased_variance)) < 1e-12
    assert np.max(np.abs(result.sample_loss - (result.sample_bias + result.sample_net_variance))) < 1e-12
    if labels is not None: assert set(result.main_prediction) <= set(labels)


def test_domingos_binary_net_variance_is_variance_with_sign():
    "With two classes c(x) = 1: net variance is +V on unbiased points and -V on biased ones."
    result = bias_variance_decomp(DecisionTreeClassifier(max_depth=3), *classification_data(2), loss='0-1', n_rounds=25)
    sign = np.where(result.sample_bias == 1, -1.0, 1.0)
    np.testing.assert_allclose(result.sample_net_variance, sign * result.sample_variance, rtol=0, atol=1e-15)


def test_zero_one_main_prediction_is_the_mode_with_smallest_label_on_ties():
    from advpipe.bias_variance import _zero_one_terms
    terms = _zero_one_terms(np.array([['b', 'c'], ['a', 'c'], ['b', 'a'], ['a', 'a']]), np.array(['a', 'c']))
    assert terms['main_prediction'].tolist() == ['a', 'a']  # both points tie 2-2; 'a' sorts first
    assert terms['sample_bias'].tolist() == [0.0, 1.0]


# --- mlxtend compatibility -------------------------------------------------------------------------

@pytest.mark.parametrize('random_seed', [0, 123])
def test_mlxtend_compat_squared_decision_tree(regression_split, random_seed):
    from mlxtend.evaluate import bias_variance_decomp as mlxtend_decomp
    X_train, y_train, X_test, y_test = regression_split
    theirs = mlxtend_decomp(DecisionTreeRegressor(max_depth=6, random_state=0), X_train, y_train, X_test, y_test, loss='mse', num_rounds=30, random_seed=random_seed)
    ours = bias_variance_decomp(DecisionTreeRegressor(max_depth=6, random_state=0), X_train, y_train, X_test, y_test, loss='mse', n_rounds=30, random_state=random_seed, compat='mlxtend')
    assert np.max(np.abs(np.array([ours.loss, ours.bias, ours.variance]) - np.array(theirs, dtype=float))) < 1e-9


@pytest.mark.parametrize('n_classes', [2, 3])
def test_mlxtend_compat_zero_one_decision_tree(n_classes):
    from mlxtend.evaluate import bias_variance_decomp as mlxtend_decomp
    data = classification_data(n_classes)
    theirs = mlxtend_decomp(DecisionTreeClassifier(random_state=0), *data, loss='0-1_loss', num_rounds=30, random_seed=7)
    ours = bias_variance_decomp(DecisionTreeClassifier(random_state=0), *data, loss='0-1', n_rounds=30, random_state=7, compat='mlxtend')
    assert np.max(np.abs(np.array([ours.loss, ours.bias, ours.variance]) - np.array(theirs, dtype=float))) < 1e-9


def test_mlxtend_compat_reuses_one_estimator_like_mlxtend():
    "An unseeded randomised tree draws from the global RNG round after round; compat mode consumes it the same way."
    from mlxtend.evaluate import bias_variance_decomp as mlxtend_decomp
    data = classification_data(3)
    np.random.seed(5)
    theirs = mlxtend_decomp(DecisionTreeClassifier(max_features=2), *data, loss='0-1_loss', num_rounds=20, random_seed=2)
    np.random.seed(5)
    ours = bias_variance_decomp(DecisionTreeClassifier(max_features=2), *data, loss='0-1', n_rounds=20, random_state=2, compat='mlxtend')
    assert np.max(np.abs(np.array([ours.loss, ours.bias, ours.variance]) - np.array(theirs, dtype=float))) < 1e-9


def test_mlxtend_compat_random_state_instance_advances_across_rounds():
    "A RandomState-seeded tree refitted by mlxtend advances that RNG each round; cloning per round would replay it."
    from mlxtend.evaluate import bias_variance_decomp as mlxtend_decomp
    data = classification_data(3)
    theirs = mlxtend_decomp(DecisionTreeClassifier(max_features=2, random_state=np.random.RandomState(3)), *data, loss='0-1_loss', num_rounds=20, random_seed=2)
    ours = bias_variance_decomp(DecisionTreeClassifier(max_features=2, random_state=np.random.RandomState(3)), *data, loss='0-1', n_rounds=20, random_state=2, compat='mlxtend')
    assert np.max(np.abs(np.array([ours.loss, ours.bias, ours.variance]) - np.array(theirs, dtype=float))) < 1e-9


def test_mlxtend_compat_leaves_the_callers_estimator_unfitted(regression_split):
    tree = DecisionTreeRegressor(max_depth=2)
    bias_variance_decomp(tree, *regression_split, n_rounds=3, compat='mlxtend')
    assert not hasattr(tree, 'tree_')


# --- determinism and parallelism -------------------------------------------------------------------

@pytest.mark.parametrize('sampling', ['bootstrap', 'subsample', 'repeated_cv'])
def test_identical_numbers_at_any_n_jobs(regression_split, sampling):
    X_train, y_train, X_test, y_test = regression_split
    forest = RandomForestRegressor(n_estimators=5, max_features=1)  # unseeded: the round seed must reach it
    one = bias_variance_decomp(forest, X_train, y_train, X_test, y_test, n_rounds=9, sampling=sampling, n_jobs=1, random_state=4)
    two = bias_variance_decomp(forest, X_train, y_train, X_test, y_test, n_rounds=9, sampling=sampling, n_jobs=2, random_state=4)
    assert np.array_equal(one.sample_loss, two.sample_loss) and np.array_equal(one.main_prediction, two.main_prediction)
    assert (one.loss, one.bias, one.variance) == (two.loss, two.bias, two.variance)
    other_seed = bias_variance_decomp(forest, X_train, y_train, X_test, y_test, n_rounds=9, sampling=sampling, random_state=5)
    assert other_seed.loss != one.loss  # the seed matters, so the equality above is not vacuous


# --- pandas input ------------------------------------------------------------------------------------

def test_pandas_input_indexed_by_position(regression_split):
    X_train, y_train, X_test, y_test = regression_split
    index = np.random.default_rng(0).permutation(len(y_train)) * 3 + 100  # shuffled, non-default index
    frame = pd.DataFrame(X_train, columns=['x1', 'x2'], index=index)
    from_pandas = bias_variance_decomp(DecisionTreeRegressor(max_depth=4, random_state=0), frame, pd.Series(y_train, index=index),
                                       pd.DataFrame(X_test, columns=['x1', 'x2']), pd.Series(y_test), n_rounds=6)
    from_numpy = bias_variance_decomp(DecisionTreeRegressor(max_depth=4, random_state=0), X_train, y_train, X_test, y_test, n_rounds=6)
    assert np.array_equal(from_pandas.sample_loss, from_numpy.sample_loss)
    assert from_pandas.noise == from_numpy.noise


def test_pandas_pipeline_with_named_columns_and_string_target():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({'channel': rng.choice(['Online', 'In-Store', 'Wholesale'], 400), 'discount': rng.uniform(0, .4, 400)})
    target = pd.Series(np.where((frame['channel'] == 'Online') ^ (frame['discount'] > .2), 'high', 'low'))
    model = make_pipeline(ColumnTransformer([('channel', OneHotEncoder(), ['channel'])], remainder='passthrough'), LogisticRegression())
    result = bias_variance_decomp(model, frame.iloc[:300], target.iloc[:300], frame.iloc[300:], target.iloc[300:], loss='0-1', n_rounds=5)
    assert abs(result.loss - (result.bias + result.net_variance)) < 1e-12
    assert set(result.main_prediction) <= {'high', 'low'}


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('change,parameter', [
    (dict(loss='hinge'), 'loss'),
    (dict(n_rounds=1), 'n_rounds'),
    (dict(n_rounds=2.5), 'n_rounds'),
    (dict(sampling='jackknife'), 'sampling'),
    (dict(compat='sklearn'), 'compat'),
    (dict(compat='mlxtend', n_jobs=2), 'n_jobs'),
    (dict(compat='mlxtend', sampling='subsample'), 'sampling'),
    (dict(n_jobs=0), 'n_jobs'),
    (dict(random_state='seed'), 'random_state'),
    (dict(sampling='subsample', train_size=5.0), 'train_size'),
    (dict(sampling='repeated_cv', n_splits=1), 'n_splits'),
    (dict(sampling='repeated_cv', train_size=0.5), 'train_size'),
    (dict(y_train=np.zeros(10)), 'y_train'),
    (dict(y_test=np.zeros(3)), 'y_test'),
    (dict(X_test=np.zeros((50, 3))), 'X_test'),
    (dict(loss='0-1'), 'y_train'),  # continuous target with a classification loss
    (dict(y_train=np.array(['a', 'b'] * 400), loss='squared'), 'y_train'),
    (dict(estimator=object()), 'estimator'),
])
def test_bad_input_names_the_parameter(regression_split, change, parameter):
    X_train, y_train, X_test, y_test = regression_split
    args = dict(estimator=DecisionTreeRegressor(max_depth=2), X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test, n_rounds=3) | change
    with pytest.raises(BadInput, match=parameter):
        bias_variance_decomp(**args)


def test_complexity_sweep_bad_parameter(regression_split):
    with pytest.raises(BadInput, match='param_name'):
        complexity_sweep(DecisionTreeRegressor(), 'depth', [1, 2], *regression_split, n_rounds=3)


# --- result, cache, sweep, plots ---------------------------------------------------------------------

def test_result_to_dict_is_json_ready(regression_split):
    import json
    result = bias_variance_decomp(DecisionTreeRegressor(max_depth=2), *regression_split, n_rounds=3)
    assert isinstance(result, BiasVarianceResult)
    plain = json.loads(json.dumps(result.to_dict(per_sample=True)))
    assert plain['loss'] == result.loss and len(plain['sample_bias']) == len(regression_split[3])
    assert set(result.to_dict()) >= {'loss', 'bias', 'variance', 'noise', 'net_variance', 'biased_variance', 'unbiased_variance'}


class CountingCache:
    "The orchestrator's cache contract, backed by a dict."
    def __init__(self): self.store, self.computed = {}, 0
    def get_or_compute(self, namespace, key, compute):
        if (namespace, key) not in self.store:
            self.store[namespace, key] = compute(); self.computed += 1
        return self.store[namespace, key]


def test_cache_second_call_computes_nothing(regression_split):
    cache = CountingCache()
    X_train, y_train, X_test, y_test = regression_split
    first = bias_variance_decomp(DecisionTreeRegressor(max_depth=3), X_train, y_train, X_test, y_test, n_rounds=4, cache=cache)
    again = bias_variance_decomp(DecisionTreeRegressor(max_depth=3), X_train.copy(), y_train.copy(), X_test, y_test, n_rounds=4, cache=cache)
    assert cache.computed == 1 and again is first
    for change in [dict(random_state=1), dict(n_rounds=5), dict(sampling='subsample'), dict(y_test=y_test + 1)]:
        args = dict(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test, n_rounds=4) | change
        bias_variance_decomp(DecisionTreeRegressor(max_depth=3), cache=cache, **args)
    bias_variance_decomp(DecisionTreeRegressor(max_depth=4), X_train, y_train, X_test, y_test, n_rounds=4, cache=cache)
    assert cache.computed == 6  # every change above is a new key
    assert len({key for _, key in cache.store}) == 6


def test_sweep_and_plots(regression_split):
    import matplotlib; matplotlib.use('Agg')
    sweep = complexity_sweep(DecisionTreeRegressor(), 'max_depth', [1, 3, None], *regression_split, n_rounds=6)
    assert list(sweep.columns) == ['max_depth', 'loss', 'bias', 'variance', 'noise']
    assert sweep['max_depth'].tolist() == [1, 3, None]
    assert sweep['variance'].iloc[-1] > sweep['variance'].iloc[0] and sweep['bias'].iloc[-1] < sweep['bias'].iloc[0]
    ax = plot_complexity_sweep(sweep)
    assert [t.get_text() for t in ax.get_xticklabels()] == ['1', '3', 'None']
    results = {'shallow': bias_variance_decomp(DecisionTreeRegressor(max_depth=1), *regression_split, n_rounds=4),
               'deep': bias_variance_decomp(DecisionTreeRegressor(), *regression_split, n_rounds=4)}
    ax = plot_bias_variance_bars(results)
    assert [t.get_text() for t in ax.get_xticklabels()] == ['shallow', 'deep']


# --- real data -------------------------------------------------------------------------------------

@pytest.mark.skipif(not REAL_DATA.exists(), reason=f'real data not found at {REAL_DATA}')
def test_real_sales_data_unit_price():
    orders = pd.read_excel(REAL_DATA, sheet_name='Sales Orders Sheet', engine='calamine')
    features = orders[['Unit Cost', 'Order Quantity', 'Discount Applied', '_ProductID', '_StoreID']]
    target = orders['Unit Price']
    train, test = slice(0, 3000), slice(3000, 4000)
    result = bias_variance_decomp(DecisionTreeRegressor(min_samples_leaf=5), features.iloc[train], target.iloc[train],
                                  features.iloc[test], target.iloc[test], n_rounds=10, n_jobs=2)
    assert relative_error(result.loss, result.bias + result.variance) < 1e-9
    assert 0 < result.noise < result.loss


# --- benchmark entry point ---------------------------------------------------------------------------

def test_benchmark_run_quick_returns_identical_numbers():
    "`advpipe bench` will import benchmarks/bench_bias_variance.py and call run(quick)."
    import importlib.util
    path = Path(__file__).parents[1] / 'benchmarks' / 'bench_bias_variance.py'
    spec = importlib.util.spec_from_file_location('bench_bias_variance', path)
    bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
    result = bench.run(quick=True)
    assert result['identical'] is True and result['quick'] is True
    assert result['seconds_n_jobs_1'] > 0 and result['seconds_n_jobs_2'] > 0
    assert result['loss'] == pytest.approx(result['bias'] + result['variance'], rel=1e-9)


def test_noise_bias_variance_add_up_on_the_real_workbook(real_workbook):
    "Profit on the real orders: noise + bias² + variance is the loss within 1%, and most of it is noise (unit cost is withheld)."
    from advpipe.data_loader import load_sales
    from advpipe.model_pipeline import get_task, make_pipeline_for, model_config
    from advpipe.bias_variance import bias_variance_advice, pipeline_noise, with_noise
    frame, task = load_sales(real_workbook).frame.sample(frac=1.0, random_state=0), get_task('profit')
    train, test = frame.iloc[:1200], frame.iloc[-600:]
    results = {name: bias_variance_decomp(make_pipeline_for(model_config(name, task, params)), train, task.target(train), test,
                                          task.target(test), n_rounds=6, n_jobs=1, noise=False)
               for name, params in [('linear', {}), ('decision_tree', {'max_depth': 4})]}
    both = pd.concat([train, test])
    noisy = with_noise(results, pipeline_noise(make_pipeline_for(model_config('linear', task)), both, task.target(both)))
    for name, r in noisy.items():
        assert r.noise is not None and r.bias_net_of_noise >= 0
        assert abs(r.noise + r.bias_net_of_noise + r.variance - r.loss) <= 0.01 * r.loss, (name, r)
    assert noisy['linear'].noise > 0.5 * noisy['linear'].loss, noisy['linear']  # the finding the old advice hid
    # the Gamma estimate overshoots linear's bias² + noise here and is capped at it: linear's bias² is then not measured, so the
    # advice must say "not separable", not "bias² 0%" and "irreducible noise" (a conclusion that followed from the cap alone)
    assert noisy['linear'].noise_clipped and noisy['linear'].noise_estimate > noisy['linear'].bias, noisy['linear']
    assert not noisy['linear'].bias_separable and noisy['decision_tree'].bias_separable
    advice = bias_variance_advice(noisy, units='$', train_rows=len(train))
    assert 'not separable' in advice and 'bias² 0%' not in advice and 'irreducible' not in advice and '1,200 rows' in advice, advice


def test_clipped_noise_is_an_upper_bound_not_a_zero_bias(regression_split):
    "A noise estimate above every model's bias² + noise is capped: the capping model's bias² is 'not separable', the others' are lower bounds."
    from advpipe.bias_variance import bias_variance_advice, with_noise
    results = {'shallow': bias_variance_decomp(DecisionTreeRegressor(max_depth=2), *regression_split, n_rounds=4),
               'deep': bias_variance_decomp(DecisionTreeRegressor(max_depth=5), *regression_split, n_rounds=4)}
    capper = min(results, key=lambda n: results[n].bias)
    capped = with_noise(results, 100 * max(r.bias for r in results.values()))
    assert all(r.noise_clipped and r.noise == results[capper].bias for r in capped.values())
    assert [n for n, r in capped.items() if not r.bias_separable] == [capper]
    assert capped[capper].to_dict()['noise_clipped'] is True and capped[capper].to_dict()['bias_separable'] is False
    honest = with_noise(results, 0.5 * min(r.bias for r in results.values()))  # below every bias: measured, not capped
    assert not any(r.noise_clipped for r in honest.values()) and all(r.bias_separable for r in honest.values())
    one = {capper: capped[capper]}
    advice = bias_variance_advice(one, units='$', train_rows=800, model_rows=4000)
    assert 'not separable' in advice and 'bias² 0%' not in advice and 'irreducible' not in advice, advice
    assert '800 rows' in advice and '4,000' in advice, advice
    ax = plot_bias_variance_bars(capped, units='$')
    assert 'noise + bias² (not separable)' in ax.get_legend_handles_labels()[1] and '$²' in ax.get_ylabel()


def test_sweep_summary_says_where_bias_is_traded_for_variance():
    "The sentence follows the numbers: bias² falls while variance rises below the best depth; beyond it only variance grows."
    from advpipe.bias_variance import complexity_sweep_summary
    sweep = pd.DataFrame({'model__max_depth': [2, 3, 4, 6, 8, 12], 'loss': [6.1e6, 5.4e6, 5.05e6, 5.5e6, 6.3e6, 7.5e6],
                          'bias': [5.7e6, 4.7e6, 4.15e6, 4.2e6, 4.3e6, 4.4e6], 'variance': [0.4e6, 0.7e6, 0.9e6, 1.3e6, 2.0e6, 3.1e6],
                          'noise': [None] * 6})
    text = complexity_sweep_summary(sweep, units='$', name='depth')
    assert 'is at depth 4' in text and 'trade bias² for variance beyond' not in text, text
    below, beyond = text.split('Beyond it')
    assert 'From depth 2 to 4, bias² (incl. noise) falls' in below and 'variance rises' in below and 'trades bias for variance there' in below
    assert 'to depth 12, bias² (incl. noise) rises from 4,150,000 to 4,400,000' in beyond and 'no gain in bias²' in beyond, beyond
    still_falling = sweep.assign(bias=[5.7e6, 4.7e6, 4.15e6, 3.9e6, 3.7e6, 3.5e6])
    assert 'bias still falls, but variance rises more' in complexity_sweep_summary(still_falling, name='depth')
    assert 'most complex depth tried' in complexity_sweep_summary(sweep.iloc[:3], name='depth')
