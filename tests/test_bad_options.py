"""Bad options and degenerate tasks (issue 13, kinds 4 and 11): every one exits 2 with one line, within 5 s, before any
kernel starts, and nothing of it reaches the registry or the history.

Most cases run `advpipe.cli.main` in this process (the command's own code path, without paying the interpreter start
47 times); a tripwire on `execute_stage` fails the test if any case gets as far as starting a stage kernel. A few run
the installed command for real, to time the whole thing. Data inputs are built at test time from `../shared/data`."""
import os, sys, time
from pathlib import Path
import pandas as pd
import pytest
from conftest import REPO, run_advpipe
from advpipe.metabase import shipped_metabase_path

sys.path.insert(0, str(REPO))
SHARED_DATA = Path(os.environ.get('ADVPIPE_SHARED_DATA') or REPO.parent/'shared'/'data')
ENV = {'PYTHONPATH': os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')]))}
LIMIT = 5.0  # CPU seconds


def real_orders():
    path = SHARED_DATA/'US_Regional_Sales_Data.csv'
    if not path.exists(): pytest.skip(f'real data absent: {path} (it lives beside the repository, in ../shared/data)')
    return pd.read_csv(path, dtype=str)


def with_delivery_days(days):
    "The real orders CSV with DeliveryDate = ShipDate + days(row): a delivery_days target of our choosing."
    def build(folder):
        from advpipe.data_loader import parse_dates
        orders = real_orders()
        ship = parse_dates(orders['ShipDate'], 'ShipDate', 'real csv')
        orders['DeliveryDate'] = (ship + pd.to_timedelta([days(i) for i in range(len(orders))], unit='D')).dt.strftime('%d/%m/%Y')
        orders.to_csv(folder/'orders.csv', index=False); return folder/'orders.csv'
    return build


def with_one_margin(folder):
    "Every order at the same price, discount and cost ratio: every net margin equal, so high_margin has one class."
    orders = real_orders()
    orders['Unit Price'], orders['Unit Cost'], orders['Discount Applied'] = '$1,000.00', '$600.00', '0.1'
    orders.to_csv(folder/'orders.csv', index=False); return folder/'orders.csv'


def a_file(folder): (folder/'taken').write_text('x'); return folder/'taken'
def a_file_child(folder): (folder/'taken').write_text('x'); return folder/'taken'/'reports'
def empty_csv(folder): (folder/'empty.csv').write_bytes(b''); return folder/'empty.csv'
def bad_yaml(folder): (folder/'rules.yaml').write_text('checks: [\n'); return folder/'rules.yaml'


RUN = ['run', '--twin-rows', '200']
CASES = {  # name -> (arguments; a callable builds a path in the test's folder, expected words in the one line)
    'unknown task': (RUN + ['--task', 'revenue'], "--task 'revenue'"),
    'task without a value': (RUN + ['--task'], 'expected one argument'),
    'unknown model': (RUN + ['--models', 'linear,forest'], "unknown model 'forest'"),
    'empty model list': (RUN + ['--models', ','], 'give at least one model'),
    'model parameter without =': (RUN + ['--model-param', 'random_forest.n_estimators'], 'MODEL.PARAM=VALUE'),
    'model parameter without a model': (RUN + ['--model-param', 'n_estimators=5'], 'MODEL.PARAM=VALUE'),
    'model parameter with an empty name': (RUN + ['--model-param', '=5'], 'MODEL.PARAM=VALUE'),
    'model parameter with only a dot': (RUN + ['--model-param', '.x=1'], 'MODEL.PARAM=VALUE'),
    'unknown parameter name': (RUN + ['--models', 'random_forest', '--model-param', 'random_forest.n_estimatorz=5'],
                               "RandomForestRegressor has no parameter 'n_estimatorz'; did you mean n_estimators?"),
    'text value for a number': (RUN + ['--models', 'random_forest', '--model-param', 'random_forest.n_estimators=many'], "Got 'many' instead"),
    'negative tree count': (RUN + ['--models', 'random_forest', '--model-param', 'random_forest.n_estimators=-5'], 'Got -5 instead'),
    'fractional tree count': (RUN + ['--models', 'random_forest', '--model-param', 'random_forest.n_estimators=2.5'], 'Got 2.5 instead'),
    'depth zero': (RUN + ['--models', 'decision_tree', '--model-param', 'decision_tree.max_depth=0'], "'max_depth' parameter of DecisionTreeRegressor"),
    'negative regularisation (classification)': (RUN + ['--task', 'high_margin', '--models', 'linear', '--model-param', 'linear.C=-1'],
                                                 "'C' parameter of LogisticRegression"),
    'unknown xgboost parameter': (RUN + ['--models', 'xgboost', '--model-param', 'xgboost.colour=1'], "XGBRegressor has no parameter 'colour'"),
    'bad xgboost value': (RUN + ['--models', 'xgboost', '--model-param', 'xgboost.max_depth=-2'], 'max_depth should be greater equal to 0'),
    'unknown xgboost objective': (RUN + ['--models', 'xgboost', '--model-param', 'xgboost.objective=count:poison'], 'Unknown objective function'),
    'text xgboost learning rate': (RUN + ['--models', 'xgboost', '--model-param', 'xgboost.learning_rate=fast'], 'xgboost.learning_rate'),
    'unknown lightgbm parameter': (RUN + ['--models', 'lightgbm', '--model-param', 'lightgbm.leaves=3'], "LGBMRegressor has no parameter 'leaves'"),
    'bad lightgbm value': (RUN + ['--models', 'lightgbm', '--model-param', 'lightgbm.num_leaves=1'], 'Check failed: (num_leaves) > (1)'),
    'unknown lightgbm objective': (RUN + ['--models', 'lightgbm', '--model-param', 'lightgbm.objective=poison'], 'Unknown objective type name: poison'),
    'parameter for a model not in the run': (RUN + ['--models', 'linear', '--model-param', 'xgboost.max_depth=2'], "'xgboost' is not among"),
    'parameter for an unknown model': (RUN + ['--model-param', 'catboost.depth=2'], "'catboost' is not among"),
    'one fold': (RUN + ['--folds', '1'], '--folds 1'),
    'zero folds': (RUN + ['--folds', '0'], '--folds 0'),
    'negative folds': (RUN + ['--folds', '-3'], '--folds -3'),
    'text folds': (RUN + ['--folds', 'five'], "invalid int value: 'five'"),
    'more folds than rows': (RUN + ['--folds', '500', '--models', 'linear'], '--folds 500: more folds than the 200 usable rows'),
    'negative seed': (RUN + ['--seed', '-1'], '--seed -1: must be a whole number from 0 to 4294967295'),
    'seed too large': (RUN + ['--seed', str(2**32)], '--seed 4294967296'),
    'text seed': (RUN + ['--seed', 'abc'], "invalid int value: 'abc'"),
    'tiny twin': (['run', '--twin-rows', '10'], '--twin-rows 10'),
    'negative twin': (['run', '--twin-rows', '-1'], '--twin-rows -1'),
    'text twin size': (['run', '--twin-rows', 'lots'], "invalid int value: 'lots'"),
    '--out names a file': (RUN + ['--out', a_file], 'is a file, not a folder'),
    '--out under a file': (RUN + ['--out', a_file_child], 'is a file, so no folder can be made under it'),
    '--out where no folder can be made': (RUN + ['--out', '/proc/advpipe-reports'], 'no folder can be made there'),
    'data twin --out where no folder can be made': (['data', 'twin', '--rows', '10', '--out', '/proc/advpipe-twin'], 'no folder can be made there'),
    'meta build --out a folder': (['meta', 'build', '--tasks', '1', '--out', '.'], 'is a folder; give the metabase file'),
    'meta build --extend a missing file': (['meta', 'build', '--tasks', '1', '--extend', 'nowhere.json.gz'], '--extend nowhere.json.gz: no such metabase file'),
    'meta build --extend a metabase of other rows': (['meta', 'build', '--tasks', '1', '--max-rows', '300', '--extend', str(shipped_metabase_path())],
                                                     'that metabase was built with max-rows 2000, this build uses 300'),
    'run id escaping the folder': (RUN + ['--run-id', '../escape'], "--run-id '../escape'"),
    'run id with a space': (RUN + ['--run-id', 'my run'], "--run-id 'my run'"),
    'missing data file': (RUN + ['--data', 'nowhere.xlsx'], 'nowhere.xlsx: no such file'),
    'empty data file': (RUN + ['--data', empty_csv], 'the file is empty'),
    'missing rules file': (RUN + ['--rules', 'nowhere.yaml'], '--rules nowhere.yaml: no such file'),
    'malformed rules file': (RUN + ['--rules', bad_yaml], 'rules.yaml'),
    'unknown option': (RUN + ['--colour', 'blue'], 'unrecognized arguments: --colour'),
    'unknown subcommand': (['deploy'], "invalid choice: 'deploy'"),
    'constant target (every delivery takes 4 days)': (['run', '--task', 'delivery_days', '--data', with_delivery_days(lambda i: 4)],
                                                      '--task delivery_days: the target is constant (all 7,991 orders have delivery_days = 4)'),
    'nearly constant target': (['run', '--task', 'delivery_days', '--data', with_delivery_days(lambda i: 4 + (i % 500 == 0))],
                               '--task delivery_days: the target is nearly constant (99.8% of 7,991 orders have delivery_days = 4)'),
    'single-class target': (['run', '--task', 'high_margin', '--data', with_one_margin], '--task high_margin: the target is constant'),
}


@pytest.fixture
def no_kernels(monkeypatch, tmp_path):
    "A fresh home per case, and a tripwire: reaching a stage kernel means the option was not caught early."
    import advpipe.main_pipeline as main_pipeline, advpipe.model_pipeline, xgboost, lightgbm  # imports are not what is timed
    def tripwire(*args, **kwargs): raise AssertionError('a stage kernel was started: the bad option was not caught before it')
    monkeypatch.setattr(main_pipeline, 'execute_stage', tripwire)
    monkeypatch.setenv('ADVPIPE_HOME', str(tmp_path/'home')); monkeypatch.setenv('ADVPIPE_REDIS_URL', '')
    monkeypatch.setenv('ADVPIPE_STORE', 'sqlite')  # the store is not the subject here; kind 5-10 tests use Redis
    monkeypatch.chdir(tmp_path)
    import signal
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}  # `advpipe run` installs its own
    yield tmp_path
    for signum, handler in handlers.items(): signal.signal(signum, handler)


@pytest.mark.parametrize('case', list(CASES))
def test_bad_option_exits_2_in_one_line_within_5_s_before_any_kernel(case, no_kernels, capsys):
    from advpipe.cli import main
    from advpipe.redis_cache import open_store
    args, expected = CASES[case]
    args = [str(a(no_kernels)) if callable(a) else a for a in args]
    store = open_store(no_kernels/'home')  # a history and registry that must come out unchanged
    store.register('data', 'earlier', {'version': 'earlier', 'registered_at': '2026-01-01'}); store.append_history({'run_id': 'earlier'})
    before = (store.registry('data'), store.registry('model'), store.history()); store.close()
    capsys.readouterr()
    start = time.process_time()  # CPU seconds: refused before any kernel or fit, whoever else uses the cores
    code = main(args)
    seconds = time.process_time() - start
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count('\n') == 1 and expected in err and 'Traceback' not in err, err
    assert seconds < LIMIT, f'{seconds:.1f}s'
    store = open_store(no_kernels/'home')
    assert (store.registry('data'), store.registry('model'), store.history()) == before, 'nothing of a refused run is recorded'
    assert not (no_kernels/'reports').exists() or not any((no_kernels/'reports').iterdir()), 'a refused run leaves no report folder'


@pytest.mark.parametrize('args,expected', [
    (['run', '--seed', '-1'], '--seed -1'),
    (['run', '--models', 'random_forest', '--model-param', 'random_forest.n_estimatorz=5'], "no parameter 'n_estimatorz'"),
    (['run', '--models', 'lightgbm', '--model-param', 'lightgbm.num_leaves=1'], 'Check failed'),
])
def test_the_installed_command_refuses_in_one_line(args, expected, tmp_path):
    "The real command, end to end (its wall time, about 2 s on an idle machine, is measured by hand: the CI box is shared)."
    result = run_advpipe(args, cwd=tmp_path, home=tmp_path/'home', env=ENV, check=2)
    assert result.stderr.count('\n') == 1 and expected in result.stderr, result.stderr
    assert not (tmp_path/'reports').exists()


@pytest.mark.parametrize('value,expected', [('{"curve": 100}', "unknown limit 'curve'"), ('{"explain": -5}', 'explain must be a whole number'),
                                            ('50000', 'need a JSON object')])
def test_a_malformed_sample_limit_is_one_line_before_any_kernel(value, expected, no_kernels, monkeypatch, capsys):
    "The declared large-data samples can be changed through `$ADVPIPE_SAMPLE_LIMITS`; a bad value names the variable."
    from advpipe.cli import main
    monkeypatch.setenv('ADVPIPE_SAMPLE_LIMITS', value)
    capsys.readouterr()
    assert main(['run']) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'ADVPIPE_SAMPLE_LIMITS' in err and expected in err and 'Traceback' not in err, err
