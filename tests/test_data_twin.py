"""The synthetic twin: seeded, the real six-table schema, and marginals and relationships close to the real workbook's.

The comparisons with the real data skip when `../shared/data` is absent; the 1,000,000-order speed check lives in
`benchmarks/bench_twin.py` (run here at its quick size)."""
import os, sys
from pathlib import Path
import numpy as np, pandas as pd
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO))  # this checkout's advpipe (a git worktree's own code, the installed one once merged)
SHARED_DATA = Path(os.environ.get('ADVPIPE_SHARED_DATA') or REPO.parent/'shared'/'data')  # a worktree elsewhere sets the variable
TWIN_ROWS = 20_000  # enough for shares to settle within ±0.01 of the twin's parameters


@pytest.fixture(scope='module')
def real():
    path = SHARED_DATA/'US_Regional_Sales_Data.xlsx'
    if not path.exists(): pytest.skip(f'real data absent: {path} (it lives beside the repository, in ../shared/data)')
    from advpipe.data_loader import load_sales, read_tables
    return load_sales(path).frame, read_tables(path)[0]


@pytest.fixture(scope='module')
def twin():
    from advpipe.data_loader import load_sales
    from advpipe.synthetic_twin import make_twin_tables
    sales = load_sales(None, twin_rows=TWIN_ROWS, twin_seed=0)
    return sales, make_twin_tables(TWIN_ROWS, seed=0)


def shares(values:pd.Series)->pd.Series: return values.value_counts(normalize=True).sort_index()


def days(later, earlier)->pd.Series: return (later - earlier).dt.days


def profit(frame): return frame['Order Quantity']*(frame['Unit Price']*(1 - frame['Discount Applied']) - frame['Unit Cost'])


def test_twin_is_seeded_synthetic_and_shaped_like_the_workbook(twin):
    from advpipe.synthetic_twin import make_twin_tables
    sales, tables = twin
    assert sales.synthetic and sales.kind == 'synthetic' and 'synthetic twin' in sales.source
    assert sales.rows == TWIN_ROWS and len(sales.quarantine) == 0
    assert make_twin_tables(300, seed=5)['orders'].equals(make_twin_tables(300, seed=5)['orders'])
    assert not make_twin_tables(300, seed=5)['orders'].equals(make_twin_tables(300, seed=6)['orders'])
    assert {name: len(t) for name, t in tables.items() if name != 'orders'} == {'customers': 50, 'products': 47, 'sales_team': 28, 'stores': 367, 'regions': 48}


def test_schema_matches_the_real_workbook(real, twin):
    frame, tables = real
    assert list(twin[0].frame.columns) == list(frame.columns)
    assert dict(twin[0].frame.dtypes.astype(str)) == dict(frame.dtypes.astype(str))
    for name, table in tables.items(): assert list(twin[1][name].columns) == list(table.columns), name


def test_categorical_marginals_match(real, twin):
    frame, sales = real[0], twin[0].frame
    for column in ['Sales Channel', 'WarehouseCode', 'Order Quantity', 'Discount Applied']:
        real_shares, twin_shares = shares(frame[column]), shares(sales[column])
        assert list(real_shares.index) == list(twin_shares.index), column
        assert (real_shares - twin_shares).abs().max() <= 0.02, (column, (real_shares - twin_shares).round(3).to_dict())


def test_cost_ratio_price_and_lead_times_match(real, twin):
    frame, sales = real[0], twin[0].frame
    for data in (frame, sales):
        ratio = data['Unit Cost']/data['Unit Price']
        assert 0.399 <= ratio.min() and ratio.max() <= 0.851
    assert abs((frame['Unit Cost']/frame['Unit Price']).mean() - (sales['Unit Cost']/sales['Unit Price']).mean()) < 0.01
    for later, earlier in [('ShipDate', 'OrderDate'), ('DeliveryDate', 'ShipDate'), ('OrderDate', 'ProcuredDate')]:
        real_days, twin_days = days(frame[later], frame[earlier]), days(sales[later], sales[earlier])
        assert (real_days.min(), real_days.max()) == (twin_days.min(), twin_days.max()), (later, earlier)
        assert np.abs(np.quantile(real_days, [.1, .25, .5, .75, .9]) - np.quantile(twin_days, [.1, .25, .5, .75, .9])).max() <= 6, (later, earlier)
    assert (frame['OrderDate'].min(), frame['OrderDate'].max()) == (sales['OrderDate'].min(), sales['OrderDate'].max())
    quantiles = [.05, .25, .5, .75, .95]
    for values in (lambda f: f['Unit Price'], profit):
        real_q, twin_q = np.quantile(values(frame), quantiles), np.quantile(values(sales), quantiles)
        assert np.all(np.abs(twin_q - real_q) <= 0.12*np.abs(real_q) + 50), (real_q.round(), twin_q.round())


def test_joint_structure_that_profit_depends_on(real, twin):
    "In the real data price, quantity, discount and cost ratio are independent; the twin keeps them so."
    for frame in (real[0], twin[0].frame):
        drivers = pd.DataFrame({'ratio': frame['Unit Cost']/frame['Unit Price'], 'price': frame['Unit Price'],
                                'quantity': frame['Order Quantity'].astype(float), 'discount': frame['Discount Applied'],
                                'ship_days': days(frame['ShipDate'], frame['OrderDate'])})
        correlations = drivers.corr().to_numpy()[np.triu_indices(5, 1)]
        assert np.abs(correlations).max() < 0.05, drivers.corr().round(3)
        # each store ships from one warehouse (362 of 367 real stores use exactly one)
        assert frame.groupby('_StoreID')['WarehouseCode'].agg(lambda w: w.value_counts(normalize=True).iloc[0]).mean() > 0.98


def test_store_demographics_roughly_match(real, twin):
    real_stores, twin_stores = real[1]['stores'], twin[1]['stores']
    for column in ['Population', 'Household Income', 'Median Income', 'Land Area', 'Water Area']:
        real_q, twin_q = (np.quantile(s[column].astype(float), [.25, .5, .75]) for s in (real_stores, twin_stores))
        assert np.all(np.abs(np.log(twin_q/real_q)) < 0.35), (column, real_q.round(), twin_q.round())
    for stores in (real_stores, twin_stores):
        assert stores['Population'].corr(stores['Household Income'], method='spearman') > 0.8
        assert stores['Population'].corr(stores['Land Area'], method='spearman') > 0.4
    assert shares(real_stores['StateCode']).equals(shares(twin_stores['StateCode'])), 'stores per state: the real counts'
    assert set(real[1]['regions']['StateCode']) == set(twin[1]['regions']['StateCode'])
    real_types, twin_types = shares(real_stores['Type'].str.strip()), shares(twin_stores['Type'])
    assert (real_types - twin_types).abs().max() < 0.06


def test_twin_benchmark_quick():
    "The benchmark's small size runs here; the full 1,000,000-order run and its 30 s budget: `python benchmarks/bench_twin.py`."
    sys.path.insert(0, str(REPO/'benchmarks'))
    from bench_twin import run
    result = run(quick=True)
    assert result['ok'], result
    assert result['generate_seconds'] < 5, result
