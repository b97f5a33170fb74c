"""Real-world exports of the US Regional Sales data (issue 13, kinds 1-3): the shapes people publish their copies in.

Every input is built at test time from the real workbook in `../shared/data` (skips when absent): a folder of
per-table CSVs with other date shapes, other table names, decimal commas, other separators. Each holds exactly the
workbook's values, so each must load to its 7,991 orders with 35 columns and the workbook's data version."""
import json, os, sys
from pathlib import Path
import numpy as np, pandas as pd
import pytest
from conftest import REPO, run_advpipe

sys.path.insert(0, str(REPO))
SHARED_DATA = Path(os.environ.get('ADVPIPE_SHARED_DATA') or REPO.parent/'shared'/'data')
ENV = {'PYTHONPATH': os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')]))}
DATES = ['ProcuredDate', 'OrderDate', 'ShipDate', 'DeliveryDate']
NAMES = {'orders': 'Sales Orders', 'customers': 'Customers', 'products': 'Products', 'sales_team': 'Sales Team',
         'stores': 'Store Locations', 'regions': 'Regions'}


@pytest.fixture(scope='module')
def book():
    "The workbook's six raw tables and its loaded data version."
    path = SHARED_DATA/'US_Regional_Sales_Data.xlsx'
    if not path.exists(): pytest.skip(f'real data absent: {path} (it lives beside the repository, in ../shared/data)')
    from advpipe.data_loader import load_sales, read_tables
    from advpipe.version_control import data_version
    return {'tables': read_tables(path)[0], 'version': data_version(load_sales(path).frame)}


def export(book, folder:Path, dates=None, names=None, sep=',', numbers=None, suffix='.csv', extra=None)->Path:
    "Write the workbook's tables as a folder of CSVs: `dates(series)` formats dates, `numbers(series, column)` numbers, `names` renames files."
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in book['tables'].items():
        frame = frame.copy()
        for column in frame.columns:
            if column in DATES and dates: frame[column] = dates(frame[column])
            elif numbers and pd.api.types.is_numeric_dtype(frame[column]) and not column.startswith('_'): frame[column] = numbers(frame[column], column)
        frame.to_csv(folder/f"{(names or NAMES)[table]}{suffix}", index=False, sep=sep, date_format='%d/%m/%Y')
    for name, text in (extra or {}).items(): (folder/name).write_text(text)
    return folder


def assert_workbook(book, path):
    from advpipe.data_loader import load_sales
    from advpipe.version_control import data_version
    sales = load_sales(path)
    assert (sales.rows, sales.frame.shape[1], len(sales.quarantine)) == (7991, 35, 0)
    assert data_version(sales.frame) == book['version']
    return sales


# --- kind 1: date shapes -------------------------------------------------------------------------------------------
def no_pad(fmt): return lambda s: s.dt.strftime(fmt).str.replace(r'(?<![0-9])0(?=[0-9])', '', regex=True)

DATE_SHAPES = {  # the two, then the rest of the kind: separators, 2- and 4-digit years, Excel's time parts
    'US month-first 12/31/2017 and 5/31/2018': (no_pad('%m/%d/%Y'), 'month-first'),
    'day-month-2-digit-year with dashes 31-12-17': (lambda s: s.dt.strftime('%d-%m-%y'), 'day-first'),
    'month-first dashes 12-31-17': (lambda s: s.dt.strftime('%m-%d-%y'), 'month-first'),
    'dotted 31.12.2017': (lambda s: s.dt.strftime('%d.%m.%Y'), 'day-first'),
    'month-first dotted 2-digit 12.31.17': (lambda s: s.dt.strftime('%m.%d.%y'), 'month-first'),
    'spaces 31 12 2017': (lambda s: s.dt.strftime('%d %m %Y'), 'day-first'),
    'Excel US with time 12/31/2017 0:00': (lambda s: no_pad('%m/%d/%Y')(s) + ' 0:00', 'month-first'),
    'Excel with AM/PM 12/31/2017 12:00:00 AM': (lambda s: s.dt.strftime('%m/%d/%Y %I:%M:%S %p'), 'month-first'),
    'ISO with time 2017-12-31 00:00:00': (lambda s: s.dt.strftime('%Y-%m-%d %H:%M:%S'), None),
    'year first slashes 2017/12/31': (lambda s: s.dt.strftime('%Y/%m/%d'), None),
    'month names 31-Dec-2017': (lambda s: s.dt.strftime('%d-%b-%Y'), None),
    'month names first Dec 31, 2017': (lambda s: s.dt.strftime('%b %d, %Y'), None),
    'Excel serial numbers 43100': (lambda s: ((s - pd.Timestamp('1899-12-30')).dt.days).astype(str), None),
}


@pytest.mark.parametrize('shape', list(DATE_SHAPES))
def test_a_folder_with_dates_in_any_usual_shape_loads_to_the_workbook(shape, book, tmp_path):
    fmt, order = DATE_SHAPES[shape]
    sales = assert_workbook(book, export(book, tmp_path/'export', dates=fmt))
    if order: assert set(sales.date_orders.values()) == {order}, sales.date_orders


def test_the_load_report_says_how_dates_were_read_and_contradictions_are_one_line(book, tmp_path):
    folder = export(book, tmp_path/'us', dates=no_pad('%m/%d/%Y'))
    report = json.loads(run_advpipe(['data', 'validate', folder, '--json'], cwd=tmp_path, home=tmp_path/'h', env=ENV, check=0).stdout)
    assert report['date_orders'] == {c: 'month-first' for c in DATES} and report['columns'] == 35
    text = run_advpipe(['data', 'validate', folder], cwd=tmp_path, home=tmp_path/'h', env=ENV, check=0).stdout
    assert 'dates read month-first' in text
    orders = pd.read_csv(folder/'Sales Orders.csv', dtype=str)
    orders.loc[0, 'OrderDate'], orders.loc[1, 'OrderDate'] = '13/05/2018', '05/14/2018'  # one day-first, one month-first
    orders.to_csv(folder/'Sales Orders.csv', index=False)
    result = run_advpipe(['data', 'validate', folder], cwd=tmp_path, home=tmp_path/'h', env=ENV, check=2)
    assert result.stderr.count('\n') == 1 and "'OrderDate' mixes day-first and month-first dates" in result.stderr


# --- kind 2: table names -------------------------------------------------------------------------------------------
TABLE_NAMES = {
    'singular (the issue: StoreLocation.csv)': {**NAMES, 'stores': 'StoreLocation'},
    'snake case': {'orders': 'sales_orders', 'customers': 'customers', 'products': 'products', 'sales_team': 'sales_team',
                   'stores': 'store_locations', 'regions': 'regions'},
    'singular CamelCase': {'orders': 'SalesOrder', 'customers': 'Customer', 'products': 'Product', 'sales_team': 'SalesTeam',
                           'stores': 'Store', 'regions': 'Region'},
    'upper case with Sheet/Table suffixes': {'orders': 'SALES ORDERS SHEET', 'customers': 'Customers Table', 'products': 'PRODUCTS_SHEET',
                                             'sales_team': 'sales-teams', 'stores': 'Stores Table', 'regions': 'Region Sheet'},
}


@pytest.mark.parametrize('names', list(TABLE_NAMES))
def test_a_folder_names_its_tables_by_meaning(names, book, tmp_path):
    assert_workbook(book, export(book, tmp_path/'export', names=TABLE_NAMES[names]))


def test_unused_files_are_named_and_a_regions_table_needs_the_stores(book, tmp_path):
    folder = export(book, tmp_path/'export', names=TABLE_NAMES['singular (the issue: StoreLocation.csv)'], extra={'notes.csv': 'a,b\n1,2\n'})
    result = run_advpipe(['data', 'validate', folder, '--json'], cwd=tmp_path, home=tmp_path/'h', env=ENV, check=0)
    assert json.loads(result.stdout)['columns'] == 35
    assert result.stderr.count('\n') == 1 and "left unused" in result.stderr and "'notes.csv'" in result.stderr
    (folder/'StoreLocation.csv').rename(folder/'shops_backup_old.csv')
    result = run_advpipe(['data', 'validate', folder], cwd=tmp_path, home=tmp_path/'h', env=ENV, check=2)
    assert 'a regions table but no store table' in result.stderr and result.stderr.count('\n') <= 2, result.stderr


# --- kind 3: locale numbers and separators ---------------------------------------------------------------------------
def european(series, column):
    "Numbers as a European spreadsheet writes them: decimal comma, thousands dot on amounts and counts."
    if column in ('Unit Price', 'Population', 'Household Income', 'Land Area', 'Water Area'):
        return series.map(lambda v: f'{v:,.2f}'.replace(',', '_').replace('.', ',').replace('_', '.').removesuffix(',00'))
    return series.map(lambda v: repr(float(v)).replace('.', ',').removesuffix(',0'))


LOCALES = {
    'semicolons with decimal commas (the issue)': dict(sep=';', numbers=european, dates=lambda s: s.dt.strftime('%d.%m.%Y')),
    'tab-separated': dict(sep='\t', suffix='.tsv'),
    'tab-separated with decimal commas': dict(sep='\t', numbers=european),
    'pipe-separated': dict(sep='|', suffix='.txt'),
}


@pytest.mark.parametrize('locale', list(LOCALES))
def test_locale_numbers_and_separators_load_to_the_workbook(locale, book, tmp_path):
    sales = assert_workbook(book, export(book, tmp_path/'export', **LOCALES[locale]))
    assert sales.decimal_mark == (',' if 'numbers' in LOCALES[locale] else '.')


def test_parse_money_never_rescales_silently():
    from advpipe.config import BadInput
    from advpipe.data_loader import parse_money
    amounts = lambda *v, **kw: parse_money(pd.Series(list(v)), 'Unit Price', 'f.csv', **kw).tolist()
    assert amounts('1963,1', '1.963,10', '0,075', '€ 1.963,10') == [1963.1, 1963.1, 0.08, 1963.1]
    assert amounts('$1,963.10', '1963.1', '1,963,100') == [1963.1, 1963.1, 1963100.0]
    with pytest.raises(BadInput, match="read two ways, e.g. '1,963'"): amounts('1,963', '2,500')
    with pytest.raises(BadInput, match='mixes decimal points and decimal commas'): amounts('1,963.10', '1.963,10')
    assert amounts('1,963', decimal=',') == [1.96] and amounts('1,963', decimal='.') == [1963.0]


def test_a_single_line_with_a_huge_number_of_fields_is_refused_before_parsing(tmp_path):
    import resource
    cases = {'wide.csv': (','.join(f'c{i}' for i in range(100_000)) + '\n' + ','*99_999 + '\n', 'the header has 100,000 fields'),
             'endless.csv': ('x'*3_000_000, 'the first line is longer than 1 MB'),
             'wide_body.csv': ('OrderNumber,b\n' + ','*500_000 + '\n', 'line 2 has 500,001 fields'), 'long_body.csv': ('OrderNumber,b\n' + 'x'*2_000_000, 'line 2 is longer than 1 MB')}
    for name, (text, expected) in cases.items():
        path = tmp_path/name; path.write_text(text)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = run_advpipe(['data', 'validate', path], cwd=tmp_path, home=tmp_path/'h', env=ENV, check=2)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds of the command (start-up and imports included), not wall seconds: those depend on who else uses the cores
        cpu_seconds = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        assert cpu_seconds < 5 and expected in result.stderr and result.stderr.count('\n') == 1, (cpu_seconds, result.stderr)
