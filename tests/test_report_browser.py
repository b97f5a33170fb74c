"The explain and evaluate pages as a reviewer's browser shows them (headless Debian Chromium, offline), on the shared default run."
import re
import pytest
from conftest import browse_offline, needs_chromium


def _read_page(path):
    "Headings and images of a page in document order, its text, and console errors."
    seen = browse_offline(path)
    return seen['items'], seen['text'], seen['console_errors']


def _images_under(items, heading):
    "The images between the heading that starts with `heading` and the next heading."
    starts = [i for i, item in enumerate(items) if item[0] == 'h' and item[1].startswith(heading)]
    assert len(starts) == 1, f'{heading!r} appears {len(starts)} times'
    following = items[starts[0] + 1:]
    end = next((i for i, item in enumerate(following) if item[0] == 'h'), len(following))
    return [item for item in following[:end] if item[0] == 'img']


@needs_chromium
def test_explain_page_has_one_beeswarm_one_waterfall_and_readable_numbers(default_run):
    run_dir, _ = default_run
    items, text, errors = _read_page(run_dir/'04_explain.html')
    assert errors == []
    assert len(_images_under(items, 'SHAP beeswarm')) == 1 and len(_images_under(items, 'SHAP waterfall')) == 1
    images = [item[1] for item in items if item[0] == 'img']
    assert len(images) == len(set(images)), 'an image appears twice'
    assert all(w > 0 and h > 0 for _, _, w, h in (item for item in items if item[0] == 'img'))
    assert not re.search(r'\d{13,}', text), re.search(r'.{40}\d{13,}.{10}', text)  # nanoseconds since 1970 (LIME on dates)
    assert 'Synthetic data' in text and not re.search(r'\bnan\b', text)
    assert '**' not in text, 'markdown that did not render (a broken bold drivers sentence)'


@needs_chromium
def test_evaluate_page_reads_noise_bias_variance_in_target_units(default_run):
    run_dir, _ = default_run
    items, text, errors = _read_page(run_dir/'03_evaluate.html')
    assert errors == [] and 'Synthetic data' in text and '✅' not in text
    assert 'noise ($²)' in text and 'bias² ($²)' in text and 'model__max_depth' not in text
    assert not re.search(r'\bnan\b', text)


def test_default_run_summary_splits_the_loss(default_run):
    "summary.json: noise + bias² + variance is each model's loss (within 1%), and additivity is a check."
    import json
    summary = json.loads((default_run[0]/'summary.json').read_text())
    for entry in summary['bias_variance']:
        assert entry['bias_plus_noise'] == entry['bias'] and entry['train_rows'] > 0  # the clearer name beside the contract's key
        if entry['bias_squared'] is None:  # the model whose bias capped a clipped noise estimate: noise + bias² only together
            assert entry['noise_clipped'] and entry['noise_estimate'] > entry['noise'] == pytest.approx(entry['bias']), entry
        bias_squared = entry['bias_squared'] or 0.0
        assert abs(entry['noise'] + bias_squared + entry['variance'] - entry['loss']) <= 0.01 * entry['loss'], entry
        assert entry['units'] == '$²' and entry['target_units'] == '$' and entry['bias'] == pytest.approx(entry['noise'] + bias_squared)
    assert any(c['name'] == 'shap_additivity' and c['passed'] for c in summary['checks'])
