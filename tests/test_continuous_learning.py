"Continuous learning on the real orders: drift on a shifted batch, promotion and rollback that survive a killed Redis, refused exports, and a replay with its timeline page."
import json, os, signal
from pathlib import Path
import numpy as np, pandas as pd
import pytest
from conftest import CHROMIUM, browse_offline, run_advpipe

PRICE_FEATURES = {'Unit Price', 'Net Price', 'Gross Value', 'Revenue'}  # Unit Price and what the features derive from it


@pytest.fixture(scope='module')
def real_sales(real_workbook):
    from advpipe.data_loader import load_sales
    return load_sales(real_workbook)


def _export(sales, until, source):
    from advpipe.data_loader import SalesData
    frame = sales.frame[sales.frame['OrderDate'] <= pd.Timestamp(until)].reset_index(drop=True)
    return SalesData(frame, source, 'parquet')


def test_shifted_batch_drifts_on_the_shifted_features_only(real_sales, tmp_path):
    from advpipe.continuous_learning import retrain
    from advpipe.redis_cache import open_store
    store = open_store(tmp_path/'home')
    try:
        first = _export(real_sales, '2019-12-31', 'orders.parquet')
        later = _export(real_sales, '2020-03-31', 'orders.parquet')
        in_store = (later.frame['OrderDate'] > '2019-12-31') & (later.frame['Sales Channel'] == 'In-Store')
        shifted = _export(real_sales, '2020-03-31', 'orders-shifted.parquet')
        shifted.frame.loc[in_store, 'Unit Price'] *= 1.5  # the new quarter's In-Store prices, x1.5
        records = {}
        for lineage, batch in (('calm', later), ('shifted', shifted)):
            retrain(store, first, lineage=lineage, model='linear', cold=False)
            records[lineage] = retrain(store, batch, lineage=lineage, model='linear', cold=False)
    finally: store.close()
    calm, moved = records['calm']['drift'], records['shifted']['drift']
    assert not calm['dataset_drift'] and not records['calm']['drifted'], calm['drifted_features']
    # what drifts without the shift (calendar, lead times) is the quarter itself; the shift adds the price features and nothing else
    added = set(moved['drifted_features']) - set(calm['drifted_features'])
    assert 'Unit Price' in added and added <= PRICE_FEATURES, moved['drifted_features']
    assert set(calm['drifted_features']) <= set(moved['drifted_features'])
    assert all(not moved['features'][f]['drifted'] for f in ('Sales Channel', 'Order Quantity', 'Discount Applied', 'Ship Days'))
    assert moved['features']['Unit Price']['psi_band'] != 'none' and calm['features']['Unit Price']['psi_band'] == 'none'


@pytest.fixture(scope='module')
def exports(real_sales, tmp_path_factory):
    "Two successive real exports as parquet files, an older one, and the orders-only CSV (another schema)."
    folder = tmp_path_factory.mktemp('exports')
    paths = {}
    for name, until in (('2019H1', '2019-06-30'), ('2019Q3', '2019-09-30'), ('2019Q1', '2019-03-31')):
        paths[name] = folder/f'orders-{name}.parquet'
        _export(real_sales, until, '').frame.to_parquet(paths[name])
    paths['csv'] = folder/'orders-2019Q3.csv'
    frame = _export(real_sales, '2019-12-31', '').frame
    frame[[c for c in frame.columns if c in ('OrderNumber', 'Sales Channel', 'WarehouseCode', 'ProcuredDate', 'OrderDate', 'ShipDate',
          'DeliveryDate', 'CurrencyCode', '_SalesTeamID', '_CustomerID', '_StoreID', '_ProductID', 'Order Quantity', 'Discount Applied',
          'Unit Price', 'Unit Cost')]].to_csv(paths['csv'], index=False, date_format='%Y-%m-%d')
    return paths


def _embedded_redis_pid(home):
    settings = json.loads((home/'redis'/'advpipe.rdb.settings').read_text())
    return int(Path(settings['pidfile']).read_text())


def test_promotion_then_rollback_restores_the_champion_exactly_and_survives_sigkill(exports, real_sales, tmp_path, monkeypatch):
    from advpipe.continuous_learning import champion_history, current_champion, kept
    from advpipe.redis_cache import open_store
    home, env = tmp_path/'home', {'ADVPIPE_REDIS_URL': ''}
    monkeypatch.setenv('ADVPIPE_REDIS_URL', '')
    first = json.loads(run_advpipe(['retrain', '--data', exports['2019H1'], '--model', 'xgboost', '--no-report', '--json'], tmp_path, home, env, check=0).stdout)
    assert first['decision'] == 'promote' and first['drift'] is None
    # a declared margin of -1 accepts any challenger: the test needs a promotion, not a better model
    second = json.loads(run_advpipe(['retrain', '--data', exports['2019Q3'], '--model', 'xgboost', '--margin', '-1', '--no-report', '--json'],
                                    tmp_path, home, env, check=0).stdout)
    assert second['decision'] == 'promote' and second['challenger']['warm'] and second['champion'] != first['champion']
    probe = real_sales.frame.sample(300, random_state=0)
    store = open_store(home)  # keeps the embedded server up across the CLI call below
    try:
        before = kept(store, f"model:{first['champion']}").predict(probe)
        back = json.loads(run_advpipe(['champion', 'rollback', '--json'], tmp_path, home, env, check=0).stdout)
        assert back['action'] == 'rollback' and back['model_version'] == first['champion'] and back['previous'] == second['champion']
        os.kill(_embedded_redis_pid(home), signal.SIGKILL)  # right after the rollback
    finally: store.close()
    store = open_store(home)
    try:
        champion = current_champion(store, 'profit')
        assert champion['model_version'] == first['champion'] and champion['data_version'] == first['data_version']
        assert [e['action'] for e in champion_history(store, 'profit')] == ['promote', 'promote', 'rollback']
        assert np.array_equal(kept(store, f"model:{champion['model_version']}").predict(probe), before)
        assert kept(store, f"model:{second['champion']}") is not None  # the rolled-back champion stays restorable
    finally: store.close()
    shown = run_advpipe(['champion', 'history'], tmp_path, home, env, check=0).stdout.splitlines()
    assert len(shown) == 3 and 'rollback' in shown[-1] and first['champion'] in shown[-1]


def test_retrain_refuses_an_export_that_is_not_newer_and_changes_nothing(exports, tmp_path, monkeypatch):
    from advpipe.redis_cache import open_store
    home, env = tmp_path/'home', {'ADVPIPE_REDIS_URL': ''}
    monkeypatch.setenv('ADVPIPE_REDIS_URL', '')
    run_advpipe(['retrain', '--data', exports['2019H1'], '--model', 'linear', '--no-report'], tmp_path, home, env, check=0)
    def state():
        store = open_store(home)
        try: return {kind: store.registry(kind) for kind in ('data', 'model', 'champion', 'monitor')}
        finally: store.close()
    before = state()
    assert [len(before[kind]) for kind in ('data', 'model', 'champion', 'monitor')] == [1, 1, 1, 1]
    for path, expected in ((exports['2019H1'], 'already processed'), (exports['2019Q1'], 'not after 2019-06-30'), (exports['csv'], 'columns differ')):
        result = run_advpipe(['retrain', '--data', path, '--model', 'linear'], tmp_path, home, env, check=2)
        line = result.stderr.strip()
        assert line.count('\n') == 0 and 'not a newer export' in line and expected in line and 'Traceback' not in line, line
    assert state() == before
    assert not (tmp_path/'reports').exists()


def test_simulate_replays_the_real_orders_and_the_timeline_renders_cleanly(real_workbook, tmp_path):
    home, env = tmp_path/'home', {'ADVPIPE_REDIS_URL': ''}
    result = run_advpipe(['simulate', '--data', real_workbook, '--model', 'linear', '--no-cold', '--json'], tmp_path, home, env, check=0)
    replay = json.loads(result.stdout)
    versions = replay['versions']
    assert len(versions) >= 8 and len({v['data_version'] for v in versions}) == len(versions)
    for v in versions:
        assert v['decision'] in ('promote', 'keep', 'rollback') and len(v['evidence']) > 40 and isinstance(v['drifted'], bool)
        assert {'period', 'rows', 'drift', 'champion_score', 'challenger_score', 'family', 'warm_score', 'cold_score', 'warm_seconds', 'cold_seconds', 'within_noise'} <= set(v)
    assert versions[0]['decision'] == 'promote' and all(v['drift']['features'] for v in versions[1:])
    page = tmp_path/'reports'/'monitor'/'index.html'
    assert replay['report'] == str(page) and page.exists()
    if CHROMIUM is None: pytest.skip('Debian chromium is not installed (.ci/run installs it): the page was written but not opened in a browser')
    seen = browse_offline(page)
    console_errors, failed_requests, external_requests, sizes, text = (seen[k] for k in ('console_errors', 'failed_requests', 'external_requests', 'images', 'text'))
    assert console_errors == [] and failed_requests == [] and external_requests == [], (console_errors, failed_requests, external_requests)
    assert len(sizes) == 3 and all(done and w > 0 and h > 0 for done, w, h in sizes), sizes
    assert replay['lineage'] in text and 'Drift per feature' in text and versions[-1]['data_version'] in text


def test_warm_lightgbm_keeps_its_size_and_continues_the_champion_on_all_orders(real_sales):
    "A LightGBM champion continued on the next quarter: its first rounds kept (same leaves reached, values refreshed), its last ones dropped, the new share's rounds boosted on all orders as LightGBM's own continuation would; then compared with a cold retrain."
    import math, lightgbm
    from advpipe.continuous_learning import _holdout, _refreshed_lightgbm, fit_cold, fit_warm, warm_vs_cold
    from advpipe.model_pipeline import family_config, get_task
    task = get_task('profit')
    config = family_config('lightgbm', {'n_estimators': 40, 'num_leaves': 7, 'learning_rate': 0.1}, task)
    old, now = _export(real_sales, '2019-06-30', 'o').frame, _export(real_sales, '2019-09-30', 'o').frame
    is_new = ~now['OrderNumber'].isin(old['OrderNumber'])
    held = _holdout(now[is_new], 0.3, 30); train = now.index.difference(held)
    y = task.target(now)
    champion, _ = fit_cold(config, old, task.target(old))
    warm, warm_seconds, how = fit_warm(champion, config, now.loc[train], y.loc[train], is_new.mean())
    cold, cold_seconds = fit_cold(config, now.loc[train], y.loc[train])
    added = math.ceil(40*is_new.mean()); kept = 40 - added
    booster, before = warm.steps[-1][1].booster_, champion.steps[-1][1].booster_
    assert how['stopped_by'] == 'new share' and how['added'] == added == how['dropped'] and how['size'] == 40 == booster.current_iteration(), how
    # the kept rounds are the champion's first ones: every order reaches the same leaves
    Xt, X_held = champion[:-1].transform(now.loc[train]), now.loc[held]
    assert np.array_equal(booster.predict(Xt, pred_leaf=True, num_iteration=kept), before.predict(Xt, pred_leaf=True, num_iteration=kept))
    # the new rounds are LightGBM's own continuation (`init_model`) of the refreshed kept rounds on the same orders
    refreshed, _ = _refreshed_lightgbm(lightgbm.Booster(model_str=before.model_to_string(num_iteration=kept)), Xt, y.loc[train])
    params = {k: v for k, v in before.params.items() if k not in ('num_iterations', 'n_estimators')}
    theirs = lightgbm.train(params, lightgbm.Dataset(Xt, y.loc[train].to_numpy(), params=params, free_raw_data=False), added, init_model=refreshed)
    Xh = champion[:-1].transform(X_held)
    assert theirs.current_iteration() == 40 and np.allclose(booster.predict(Xh), theirs.predict(Xh), rtol=0, atol=1e-6*np.abs(theirs.predict(Xh)).max())
    versus = warm_vs_cold(task, y.loc[held], cold.predict(X_held), warm.predict(X_held))
    assert versus['level'] == 0.95 and versus['ci'][0] <= versus['gain'] <= versus['ci'][1]
    assert versus['within_noise'] == (versus['ci'][0] <= 0 <= versus['ci'][1]), versus
    assert warm_seconds > 0 and cold_seconds > 0


def test_warm_xgboost_continues_the_champions_trees_with_refreshed_leaves(real_sales):
    "An XGBoost champion continued on the next quarter: its first rounds kept (same leaves reached), their values as XGBoost's refresh computes them, its last ones dropped, then the new share's rounds."
    import math, xgboost
    from advpipe.continuous_learning import _xgboost_refresh, fit_cold, fit_warm
    from advpipe.model_pipeline import family_config, get_task
    task = get_task('profit')
    config = family_config('xgboost', {'n_estimators': 20, 'max_depth': 3, 'learning_rate': 0.2}, task)
    old, now = _export(real_sales, '2019-06-30', 'o').frame, _export(real_sales, '2019-09-30', 'o').frame
    share = (~now['OrderNumber'].isin(old['OrderNumber'])).mean()
    y = task.target(now)
    champion, _ = fit_cold(config, old, task.target(old))
    warm, seconds, how = fit_warm(champion, config, now, y, share)
    added = math.ceil(20*share); kept = 20 - added
    assert how['stopped_by'] == 'new share' and how['added'] == added == how['dropped'] and how['size'] == 20 == warm.steps[-1][1].get_booster().num_boosted_rounds()
    model = champion.steps[-1][1]
    dtrain = xgboost.DMatrix(champion[:-1].transform(now), np.asarray(y))
    booster, first = warm.steps[-1][1].get_booster(), (0, kept)
    # the same trees: every order reaches the same leaf in the warm booster's first rounds as in the champion's
    assert np.array_equal(booster.predict(dtrain, pred_leaf=True, iteration_range=first), model.get_booster().predict(dtrain, pred_leaf=True, iteration_range=first))
    # their leaf values: what XGBoost's own refresh of those rounds computes on the same orders (float32 sums aside)
    refreshed = _xgboost_refresh(model.get_booster()[:kept], {k: v for k, v in model.get_xgb_params().items() if v is not None}, dtrain)
    ours, theirs = booster.predict(dtrain, output_margin=True, iteration_range=first), refreshed.predict(dtrain, output_margin=True)
    assert np.abs(ours - theirs).max() <= 1e-5*np.abs(theirs).max() and seconds > 0
