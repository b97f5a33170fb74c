"""Loading the real files: workbook and CSV agree, every supported format of the same values has one data version,
and real exports' variations (header spelling, column order, extra columns, money as text, separators) are accepted.

Reads the real data from `../shared/data` (skips when absent); the files derived from it live in `tmp_path` only."""
import json, os, sys
from pathlib import Path
import numpy as np, pandas as pd
import pytest
from conftest import REPO, run_advpipe

sys.path.insert(0, str(REPO))  # this checkout's advpipe (a git worktree's own code, the installed one once merged)
SHARED_DATA = Path(os.environ.get('ADVPIPE_SHARED_DATA') or REPO.parent/'shared'/'data')  # a worktree elsewhere sets the variable
ENV = {'PYTHONPATH': os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')]))}


def shared(name):
    path = SHARED_DATA/name
    if not path.exists(): pytest.skip(f'real data absent: {path} (it lives beside the repository, in ../shared/data)')
    return path


@pytest.fixture(scope='module')
def workbook():
    from advpipe.data_loader import load_sales
    return load_sales(shared('US_Regional_Sales_Data.xlsx'))


@pytest.fixture(scope='module')
def csv():
    from advpipe.data_loader import load_sales
    return load_sales(shared('US_Regional_Sales_Data.csv'))


def test_workbook_and_csv_load_to_the_same_orders(workbook, csv):
    from advpipe.data_loader import ORDER_COLUMNS
    assert workbook.rows == csv.rows == 7991 and len(workbook.quarantine) == len(csv.quarantine) == 0
    assert (workbook.kind, csv.kind) == ('workbook', 'csv') and not workbook.synthetic
    for loaded in (workbook, csv):
        assert [str(loaded.frame['OrderDate'].min().date()), str(loaded.frame['OrderDate'].max().date())] == ['2018-05-31', '2020-12-30']
    for column in ORDER_COLUMNS:
        if column != 'Discount Applied': assert workbook.frame[column].equals(csv.frame[column]), column
    # the one documented difference: the CSV rounds the discount to two decimals, 0.075 -> 0.08
    differs = (workbook.frame['Discount Applied'] - csv.frame['Discount Applied']).abs() > 1e-9
    assert set(workbook.frame.loc[differs, 'Discount Applied']) == {0.075} and set(csv.frame.loc[differs, 'Discount Applied']) == {0.08}
    # money is rounded half up to cents: the CSV export rounds Unit Cost to cents, the workbook carries sub-cent costs
    assert (workbook.frame['Unit Cost']*100 - (workbook.frame['Unit Cost']*100).round()).abs().max() < 1e-6


def test_workbook_joins_keep_the_team_region_apart(workbook):
    frame = workbook.frame
    assert {'Customer Names', 'Product Name', 'Sales Team', 'Team Region', 'City Name', 'Store Type', 'Household Income', 'Region'} <= set(frame.columns)
    assert (frame['Team Region'] != frame['Region']).mean() > 0.5, "the team's region is not the store's"
    assert frame[['Customer Names', 'Product Name', 'Sales Team', 'City Name', 'Region']].notna().all().all()


@pytest.mark.parametrize('name', ['US_Regional_Sales_Data.xlsx', 'US_Regional_Sales_Data.csv'])
def test_cli_validate_prints_what_the_issue_asks(name, tmp_path):
    from advpipe.data_loader import load_sales
    from advpipe.version_control import data_version
    path = shared(name)
    result = run_advpipe(['data', 'validate', path, '--json'], cwd=tmp_path, home=tmp_path/'home', env=ENV, check=0)
    report = json.loads(result.stdout)
    assert report['rows'] == 7991 and report['quarantined_rows'] == 0 and report['quarantine'] == {}
    assert report['date_range'] == ['2018-05-31', '2020-12-30'] and report['columns'] == (35 if name.endswith('xlsx') else 16)
    assert report['data_version'] == data_version(load_sales(path).frame)
    text = run_advpipe(['data', 'validate', path], cwd=tmp_path, home=tmp_path/'home', env=ENV, check=0).stdout
    assert '7,991 usable rows' in text and report['data_version'] in text and '2018-05-31 to 2020-12-30' in text


def _messy_csv(frame:pd.DataFrame, path:Path)->Path:
    "The frame as a hand-made export would have it: other header spellings, reversed columns, an extra column, text money, mixed day-first dates."
    messy = frame.copy()
    for column in ['Unit Price', 'Unit Cost']: messy[column] = messy[column].map(lambda v: f'${v:,.2f}')
    for column, fmt in [('OrderDate', '%d/%m/%Y'), ('ShipDate', '%d/%m/%y'), ('DeliveryDate', '%d.%m.%Y'), ('ProcuredDate', '%Y-%m-%d')]:
        messy[column] = messy[column].dt.strftime(fmt)
    messy['Discount Applied'] = messy['Discount Applied'].map(lambda v: f'{v*100:g}%')
    messy = messy.rename(columns=lambda c: c.lower().replace(' ', '_'))[messy.columns[::-1].str.lower().str.replace(' ', '_')]
    messy.insert(3, 'exported_by', 'finance team')
    messy.to_csv(path, index=False, sep=';')
    return path


def test_same_values_in_every_format_have_one_data_version(workbook, tmp_path):
    from advpipe.data_loader import load_sales, read_tables
    from advpipe.version_control import data_version
    from advpipe.synthetic_twin import SHEET_NAMES
    version = data_version(workbook.frame)
    folder = tmp_path/'tables'; folder.mkdir()
    for name, table in read_tables(shared('US_Regional_Sales_Data.xlsx'))[0].items():
        table.to_csv(folder/f'{SHEET_NAMES[name]}.csv', index=False, date_format='%d/%m/%Y')
    joined_parquet = tmp_path/'joined.parquet'; workbook.frame.to_parquet(joined_parquet)
    joined_xlsx = tmp_path/'joined.xlsx'; workbook.frame.to_excel(joined_xlsx, sheet_name='Sales Orders', index=False)
    versions = {'workbook': version,
                'folder of CSVs': data_version(load_sales(folder).frame),
                'joined parquet': data_version(load_sales(joined_parquet).frame),
                'joined one-sheet xlsx': data_version(load_sales(joined_xlsx).frame),
                'messy ;-separated CSV': data_version(load_sales(_messy_csv(workbook.frame, tmp_path/'messy.csv')).frame)}
    assert set(versions.values()) == {version}, versions
    changed = workbook.frame.copy(); changed.loc[1234, 'Order Quantity'] += 1
    changed.to_parquet(tmp_path/'changed.parquet')
    assert data_version(load_sales(tmp_path/'changed.parquet').frame) != version, 'one changed cell, a new version'
    reordered = workbook.frame.sample(frac=1, random_state=0)[workbook.frame.columns[::-1]]
    reordered.to_parquet(tmp_path/'reordered.parquet')
    assert data_version(load_sales(tmp_path/'reordered.parquet').frame) == version, 'row and column order are not values'


def test_csv_and_workbook_versions_differ_for_a_reason(workbook, csv):
    "Different values, different versions: the CSV has no lookup columns and rounds the discount."
    from advpipe.version_control import data_version
    assert data_version(csv.frame) != data_version(workbook.frame[csv.frame.columns])
    fixed = csv.frame.assign(**{'Discount Applied': workbook.frame['Discount Applied']})
    assert data_version(fixed) == data_version(workbook.frame[csv.frame.columns])


def test_loading_the_workbook_stays_fast(workbook):
    import time
    from advpipe.data_loader import load_sales
    start = time.process_time(); load_sales(shared('US_Regional_Sales_Data.xlsx'))
    assert time.process_time() - start < 5, 'CPU seconds (wall seconds depend on who else uses the cores): about 1 s here'
