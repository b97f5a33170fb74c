"""Bad data through the real `advpipe` command: a file-level problem is exit 2 and one line naming it; a row-level
problem puts the rows in quarantine, counted by rule; never a traceback, and nothing already in the store is lost.

Every bad file is built in `tmp_path` from the synthetic twin (written, then one thing corrupted), never from the real data."""
import hashlib, json, os
from pathlib import Path
import numpy as np, pandas as pd
import pytest
from conftest import REPO, run_advpipe, summary_of

# the `advpipe` script imports the package it was installed from; PYTHONPATH makes it this checkout's (the same
# package once this checkout is the installed one, a git worktree's own code before that)
ENV = {'PYTHONPATH': os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')]))}
ROWS = 120


def advpipe(args, cwd, home=None, **kwargs): return run_advpipe(args, cwd, home=home, env=ENV, **kwargs)


@pytest.fixture(scope='module')
def twin(tmp_path_factory):
    "The twin's tables, its orders as the CSV a user would download (text, day-first dates) and the six-sheet workbook."
    import sys; sys.path.insert(0, str(REPO))
    from advpipe.synthetic_twin import make_twin_tables, write_twin
    folder = tmp_path_factory.mktemp('twin')
    tables = make_twin_tables(ROWS, seed=11)
    csv = write_twin(tables, folder, 'csv')
    return {'tables': tables, 'csv_text': pd.read_csv(csv, dtype=str), 'xlsx': write_twin(tables, folder, 'xlsx')}


def write_csv(frame, path): frame.to_csv(path, index=False); return path


def write_workbook(sheets:dict, path):
    with pd.ExcelWriter(path) as writer:
        for name, sheet in sheets.items(): sheet.to_excel(writer, sheet_name=name, index=False)
    return path


def workbook_sheets(twin):
    from advpipe.synthetic_twin import SHEET_NAMES
    return {SHEET_NAMES[name]: table.copy() for name, table in twin['tables'].items()}


def corrupt_csv(change):
    "A case that writes the twin's orders CSV after `change(frame)` (which edits a copy of the text frame in place)."
    def build(twin, path):
        frame = twin['csv_text'].copy(); result = change(frame)
        return write_csv(frame if result is None else result, path/'orders.csv')
    return build


def set_cell(column, value, row=3):
    def change(frame): frame.loc[row, column] = value
    return change


def day_and_month_first(frame):
    "Half the column month-first, half day-first: its values contradict each other (a wholly month-first column loads)."
    dates = pd.to_datetime(frame['OrderDate'], format='%d/%m/%Y')
    frame['OrderDate'] = dates.dt.strftime('%m/%d/%Y').where(frame.index % 2 == 0, dates.dt.strftime('%d/%m/%Y'))


def repeated_header(frame):
    return pd.concat([frame, frame[['Unit Price']]], axis=1)  # pandas reads the second one back as `Unit Price.1`


def two_spellings(frame):
    frame['order_quantity'] = frame['Order Quantity']


def every_price_negative(frame): frame['Unit Price'] = '-' + frame['Unit Price']


def workbook_case(change):
    def build(twin, path):
        sheets = workbook_sheets(twin); change(sheets)
        return write_workbook(sheets, path/'book.xlsx')
    return build


def two_orders_sheets(sheets): sheets['orders'] = sheets['Sales Orders Sheet'].head(5)
def no_orders_sheet(sheets): del sheets['Sales Orders Sheet']
def store_key_text(sheets):
    stores = sheets['Store Locations Sheet']; stores['_StoreID'] = stores['_StoreID'].astype(object); stores.loc[4, '_StoreID'] = 'store five'
def stores_without_county(sheets): del sheets['Store Locations Sheet']['County']


def raw_file(name, content):
    def build(twin, path): (path/name).write_bytes(content); return path/name
    return build


def header_only(twin, path): return write_csv(twin['csv_text'].head(0), path/'orders.csv')


# kind of bad input -> (how to build it, what the one line must say)
FATAL = {
    'missing column': (corrupt_csv(lambda f: f.drop(columns=['Unit Cost'])), "missing column 'Unit Cost'"),
    'wrong type (text in a number column)': (corrupt_csv(set_cell('Order Quantity', 'three')), "'Order Quantity' has non-numeric values, e.g. ['three']"),
    'fraction in a whole-number column': (corrupt_csv(set_cell('Order Quantity', '2.5')), "'Order Quantity' should hold whole numbers"),
    'money that is not an amount': (corrupt_csv(set_cell('Unit Price', '$1,0x1.00')), "'Unit Price' has values that are not amounts"),
    'contradicting dates (day-first and month-first)': (corrupt_csv(day_and_month_first), "'OrderDate' mixes day-first and month-first dates"),
    'unreadable date': (corrupt_csv(set_cell('ShipDate', 'next Tuesday')), "'ShipDate' has dates that cannot be read"),
    'impossible date': (corrupt_csv(set_cell('DeliveryDate', '31/13/2019')), "'DeliveryDate' has dates that cannot be read"),
    'repeated header': (corrupt_csv(repeated_header), "column 'Unit Price' appears more than once"),
    'two headers for one column': (corrupt_csv(two_spellings), "both mean 'Order Quantity'"),
    'header only': (header_only, 'has a header but no rows'),
    'every row breaks a rule': (corrupt_csv(every_price_negative), 'no usable rows: all 120 break a rule (most often: Unit Price is above 0)'),
    'empty file': (raw_file('orders.csv', b''), 'the file is empty'),
    'not a spreadsheet at all (PNG named .xlsx)': (raw_file('orders.xlsx', b'\x89PNG\r\n\x1a\n' + bytes(range(256)) * 4), 'not a readable workbook'),
    'not a table at all (prose named .csv)': (raw_file('orders.csv', b'Dear team,\nplease find the numbers attached.\n'), 'no sales-order columns found'),
    'not text (binary named .csv)': (raw_file('orders.csv', bytes(range(128, 256)) * 8), 'not a readable CSV file'),
    'broken parquet': (raw_file('orders.parquet', b'PAR1 this is not really parquet'), 'not a readable parquet file'),
    'unsupported file type': (raw_file('orders.json', b'{"orders": []}'), "unsupported file type '.json'"),
    'two sheets for one table': (workbook_case(two_orders_sheets), "both 'Sales Orders Sheet' and 'orders' look like the orders table"),
    'workbook without an orders sheet': (workbook_case(no_orders_sheet), 'no orders table found'),
    'lookup table with a text key': (workbook_case(store_key_text), "column '_StoreID' has values that are not whole numbers, e.g. ['store five']"),
    'lookup table missing a column': (workbook_case(stores_without_county), "table 'stores' is missing column(s) 'County'"),
}


def assert_one_line_exit_2(result, expected, path):
    assert result.returncode == 2, f'exit {result.returncode}\n{result.stdout}\n{result.stderr}'
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert 'Traceback' not in result.stderr and expected in lines[0], lines[0]
    assert path.name in lines[0], f'the line names the file: {lines[0]}'


@pytest.mark.parametrize('case', list(FATAL))
def test_file_level_problem_exits_2_with_one_line(case, twin, tmp_path):
    build, expected = FATAL[case]
    path = build(twin, tmp_path)
    assert_one_line_exit_2(advpipe(['data', 'validate', path], cwd=tmp_path, home=tmp_path/'home'), expected, path)


def test_missing_path_exits_2(tmp_path):
    result = advpipe(['data', 'validate', tmp_path/'nowhere.xlsx'], cwd=tmp_path, home=tmp_path/'home')
    assert_one_line_exit_2(result, 'no such file or folder', tmp_path/'nowhere.xlsx')


def duplicate_order_number(frame): frame.loc[5, 'OrderNumber'] = frame.loc[4, 'OrderNumber']
def ship_before_order(frame):
    order = pd.to_datetime(frame.loc[3, 'OrderDate'], format='%d/%m/%Y')
    frame.loc[3, 'ShipDate'] = (order - pd.Timedelta(days=2)).strftime('%d/%m/%Y')
def delivery_before_ship(frame):
    ship = pd.to_datetime(frame.loc[3, 'ShipDate'], format='%d/%m/%Y')
    frame.loc[3, 'DeliveryDate'] = (ship - pd.Timedelta(days=1)).strftime('%d/%m/%Y')
def unknown_store(sheets): sheets['Sales Orders Sheet'].loc[3, '_StoreID'] = 9999
def unknown_product(sheets): sheets['Sales Orders Sheet'].loc[3, '_ProductID'] = 480
def unknown_state(sheets):
    regions = sheets['Regions Sheet']; stores = sheets['Store Locations Sheet']
    state = stores.loc[stores['_StoreID'] == sheets['Sales Orders Sheet'].loc[3, '_StoreID'], 'StateCode'].iloc[0]
    sheets['Regions Sheet'] = regions[regions['StateCode'] != state]


# kind of row-level problem -> (how to build it, {rule: rows in quarantine})
QUARANTINED = {
    'negative price': (corrupt_csv(set_cell('Unit Price', '-12.50')), {'price_positive': 1}),
    'negative cost': (corrupt_csv(set_cell('Unit Cost', '-1')), {'cost_not_negative': 1}),
    'quantity zero': (corrupt_csv(set_cell('Order Quantity', '0')), {'quantity_at_least_1': 1}),
    'discount of 1 or more': (corrupt_csv(set_cell('Discount Applied', '1.5')), {'discount_in_0_1': 1}),
    'ship before order': (corrupt_csv(ship_before_order), {'ship_after_order': 1}),
    'delivery before ship': (corrupt_csv(delivery_before_ship), {'delivery_after_ship': 1}),
    'duplicate order numbers': (corrupt_csv(duplicate_order_number), {'unique_order_number': 2}),
    'empty cell': (corrupt_csv(set_cell('Unit Price', np.nan)), {'no_missing_values': 1}),
    'unknown store (foreign key)': (workbook_case(unknown_store), {'known_store': 1}),
    'unknown product (foreign key)': (workbook_case(unknown_product), {'known_product': 1}),
    'store state missing from the regions table': (workbook_case(unknown_state), {'known_state': None}),
}


@pytest.mark.parametrize('case', list(QUARANTINED))
def test_row_level_problem_is_quarantined_and_counted(case, twin, tmp_path):
    build, expected = QUARANTINED[case]
    path = build(twin, tmp_path)
    result = advpipe(['data', 'validate', path, '--json'], cwd=tmp_path, home=tmp_path/'home', check=0)
    report = json.loads(result.stdout)
    assert set(report['quarantine']) == set(expected), report['quarantine']
    for rule, rows in expected.items():
        if rows is not None: assert report['quarantine'][rule] == rows
    assert report['rows'] + report['quarantined_rows'] == ROWS, 'no row is dropped silently: usable + quarantined = all'
    assert 'Traceback' not in result.stderr


def test_valid_twin_in_every_format(twin, tmp_path):
    "The control: the uncorrupted twin validates with exit 0 and no quarantine, whatever the format."
    versions = {}
    for fmt in ['xlsx', 'folder', 'parquet']:
        path = advpipe(['data', 'twin', '--rows', ROWS, '--seed', 11, '--format', fmt, '--out', tmp_path/fmt], cwd=tmp_path, check=0).stdout.strip()
        report = json.loads(advpipe(['data', 'validate', path, '--json'], cwd=tmp_path, home=tmp_path/'home', check=0).stdout)
        assert report['rows'] == ROWS and report['quarantined_rows'] == 0
        versions[fmt] = report['data_version']
    assert len(set(versions.values())) == 1, versions


def _digests(folder:Path)->dict: return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _store_contents(home:Path)->dict:
    "Registry and experiment history of the store in `home`, read by a separate process as a user would."
    import subprocess, sys
    code = ('import json; from advpipe.redis_cache import open_store; s = open_store(); '
            'print(json.dumps({"data": s.registry("data"), "model": s.registry("model"), "history": s.history()}, default=str)); s.close()')
    result = subprocess.run([sys.executable, '-c', code], env={**os.environ, **ENV, 'ADVPIPE_HOME': str(home)}, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_bad_run_loses_nothing_in_the_store(twin, tmp_path):
    "A good run (with quarantined rows), then bad runs with the same home and run id: the first run's report, registry and history stay."
    home = tmp_path/'home'
    frame = twin['csv_text'].copy()
    set_cell('Unit Price', '-3', row=7)(frame); duplicate_order_number(frame)
    good = write_csv(frame, tmp_path/'orders_with_bad_rows.csv')
    fast = ['--models', 'linear', '--folds', '2', '--seed', '3']
    advpipe(['run', '--data', good, '--run-id', 'first', *fast], cwd=tmp_path, home=home, check=0)
    run_dir = tmp_path/'reports'/'first'
    summary = summary_of(run_dir)
    assert summary['data']['quarantine'] == {'unique_order_number': 2, 'price_positive': 1} and summary['data']['rows'] == ROWS - 3
    load_html = (run_dir/'01_load.html').read_text()
    assert 'Unit Price is above 0' in load_html and 'OrderNumber appears once' in load_html
    assert frame.loc[7, 'OrderNumber'].replace('SO - ', '') in load_html, 'a sample of the offending rows is shown'
    before_files = _digests(run_dir)
    before_versions = json.loads(advpipe(['versions', '--json'], cwd=tmp_path, home=home, check=0).stdout)
    assert len(before_versions['data']) == 1 and before_versions['data'][0]['rows'] == ROWS - 3
    before_store = _store_contents(home)
    assert before_store['model'] and before_store['history'], 'the good run recorded models and its experiment'

    bad = write_csv(twin['csv_text'].drop(columns=['OrderDate']), tmp_path/'no_dates.csv')
    result = advpipe(['run', '--data', bad, '--run-id', 'first', *fast], cwd=tmp_path, home=home)
    assert_one_line_exit_2(result, "missing column 'OrderDate'", bad)
    empty = tmp_path/'empty.xlsx'; empty.write_bytes(b'')
    assert_one_line_exit_2(advpipe(['run', '--data', empty, '--run-id', 'second', *fast], cwd=tmp_path, home=home), 'the file is empty', empty)

    assert _digests(run_dir) == before_files, 'the earlier report is untouched'
    after_versions = json.loads(advpipe(['versions', '--json'], cwd=tmp_path, home=home, check=0).stdout)
    assert after_versions == before_versions, 'the registry is untouched'
    assert _store_contents(home) == before_store, 'registry and history are untouched'
    assert summary_of(run_dir) == summary
