"Bad input gets exit code 2 and one line naming the problem: never a traceback."
import pytest
from conftest import run_advpipe

CASES = {
    'unknown task': (['run', '--task', 'revenue'], "--task 'revenue'"),
    'unknown model': (['run', '--models', 'linear,forest'], "unknown model 'forest'"),
    'missing data file': (['run', '--data', 'nowhere.xlsx'], 'nowhere.xlsx: no such file'),
    'malformed model parameter': (['run', '--model-param', 'n_estimators=5'], 'MODEL.PARAM=VALUE'),
    'parameter for a model not in the run': (['run', '--models', 'linear', '--model-param', 'xgboost.max_depth=2'], "'xgboost' is not among"),
    'too few folds': (['run', '--folds', '1'], '--folds 1'),
    'unknown option': (['run', '--colour', 'blue'], 'unrecognized arguments: --colour'),
    'unknown subcommand': (['deploy'], "invalid choice: 'deploy'"),
    'bad run id': (['run', '--run-id', '../escape'], "--run-id '../escape'"),
}


@pytest.mark.parametrize('case', list(CASES))
def test_bad_option_exits_2_with_one_line(case, tmp_path):
    args, expected = CASES[case]
    result = run_advpipe(args, cwd=tmp_path, home=tmp_path/'home')
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert 'Traceback' not in result.stderr


@pytest.mark.parametrize('content,expected', [
    (b'', 'the file is empty'),
    (b'\x89PNG\r\n\x1a\n\x00\x00binary', 'not a readable workbook'),
])
def test_unreadable_workbook_exits_2(content, expected, tmp_path):
    path = tmp_path/'orders.xlsx'; path.write_bytes(content)
    result = run_advpipe(['run', '--data', path, '--folds', '2', '--models', 'linear'], cwd=tmp_path, home=tmp_path/'home')
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and 'orders.xlsx' in result.stderr and 'Traceback' not in result.stderr


@pytest.mark.parametrize('rules_text,expected', [
    ('checks:\n  - kind: telepathy\n', "unknown check kind 'telepathy'"),
    ('checks: [\n', 'rules.yaml'),
    ('checks:\n  - kind: monotonicity\n    severity: high\n', "missing field 'feature'"),
])
def test_malformed_rules_file_exits_2_before_any_stage(rules_text, expected, tmp_path):
    rules = tmp_path/'rules.yaml'; rules.write_text(rules_text)
    result = run_advpipe(['run', '--rules', rules, '--models', 'linear'], cwd=tmp_path, home=tmp_path/'home')
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and 'rules.yaml' in lines[0] and expected in lines[0] and 'Traceback' not in result.stderr, result.stderr
    assert not (tmp_path/'reports').exists(), 'nothing ran'
