"On the real orders: the default business rules hold where they should and catch a planted violation; link-scale models explain their margin."
import numpy as np, pytest
from advpipe.data_loader import IDENTIFIER_COLUMNS, load_sales
from advpipe.model_pipeline import get_task, make_pipeline_for, model_config
from advpipe.qualitative_evaluator import explain_model, run_checks


@pytest.fixture(scope='module')
def real_profit(real_workbook):
    frame = load_sales(real_workbook).frame
    task = get_task('profit')
    X = frame.drop(columns=[c for c in [*IDENTIFIER_COLUMNS, *task.exclude] if c in frame.columns])
    return frame, X, task.target(frame)


def _checks(frame, X, y, target):
    pipe = make_pipeline_for(model_config('linear', get_task('profit'))).fit(X, target)
    context = {'task_type': 'regression', 'task': 'profit', 'pipe': pipe, 'X': X, 'y': y, 'data': frame,
               'cv_scores': [0.69, 0.68, 0.70], 'baseline_cv_scores': [0.0, -0.002, -0.003]}
    return {c['name']: c for c in run_checks(None, context)}


def test_default_rules_pass_on_the_real_workbook(real_profit):
    frame, X, y = real_profit
    checks = _checks(frame, X, y, y)
    failed = {n: c['detail'] for n, c in checks.items() if c['passed'] is False}
    assert failed == {}, failed
    monotonicity = checks['monotonicity:Order Quantity']
    assert monotonicity['passed'] and 'orders where Unit Price * (1 - Discount Applied) > Unit Cost' in monotonicity['detail']
    assert all('nan' not in c['detail'] for c in checks.values())


def test_default_rules_catch_a_planted_violation(real_profit):
    frame, X, y = real_profit
    # a model taught that profit falls with every unit sold, on orders sold above cost
    checks = _checks(frame, X, y, y - 2.0 * frame['Order Quantity'] * frame['Unit Price'])
    assert checks['monotonicity:Order Quantity']['passed'] is False, checks['monotonicity:Order Quantity']


@pytest.mark.parametrize('model, objective', [('xgboost', 'count:poisson'), ('lightgbm', 'poisson')])
def test_a_poisson_model_is_explained_on_its_margin(real_profit, model, objective):
    "SHAP of a log-link booster adds up on the margin; the output says so, and additivity is a check in the record."
    frame, X, _ = real_profit
    task = get_task('delivery_days')
    X = frame.drop(columns=[c for c in [*IDENTIFIER_COLUMNS, *task.exclude] if c in frame.columns])
    y = task.target(frame)
    params = {'objective': objective, 'n_estimators': 40, 'n_jobs': 1}
    pipe = make_pipeline_for(model_config(model, task, params)).fit(X, y)
    report = explain_model(pipe, X, y, 'regression', target_name='Delivery time', sample_size=200, lime_k=0, top_features=0,
                           plots=False, task='delivery_days', data=frame)
    assert report['additivity']['passed'], report['additivity']
    assert report['shap']['output_space'] == 'margin: log of the prediction'
    additivity = next(c for c in report['checks'] if c['name'] == 'shap_additivity')
    assert additivity['passed'] and 'margin' in additivity['detail'] and 'margin' in report['drivers']
    assert all('nan' not in c['detail'] for c in report['checks'])


class _TrueProfit:
    "The profit formula itself, as a fitted model (it reads the withheld Unit Cost from the rows it is given)."
    def predict(self, X):
        return (X['Order Quantity'] * (X['Unit Price'] * (1 - X['Discount Applied']) - X['Unit Cost'])).to_numpy(dtype=float)


def test_perturbation_rule_does_not_flag_profits_own_leverage(real_profit):
    "A 1% price rise really moves profit by ~15% of its mean: the formula itself must pass the default perturbation rule."
    frame, _, y = real_profit
    context = {'task_type': 'regression', 'task': 'profit', 'pipe': _TrueProfit(), 'X': frame.drop(columns=list(IDENTIFIER_COLUMNS)),
               'y': y, 'data': frame}
    checks = {c['name']: c for c in run_checks(None, context)}
    perturbation = checks['perturbation']
    assert perturbation['passed'], perturbation['detail']
    assert "In profit's own formula the same change moves the target by" in perturbation['detail']
    old_rule = run_checks({'checks': [{'kind': 'perturbation', 'against_target': False}]}, context)[0]
    assert old_rule['passed'] is False and 'Unit Price' in old_rule['detail'], old_rule['detail']
