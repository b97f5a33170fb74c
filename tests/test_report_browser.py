"The run's index.html, as a reviewer's browser sees it: headless Chromium, offline, no errors, every image drawn."
import shutil
from pathlib import Path
import pytest

CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')


@pytest.mark.skipif(CHROMIUM is None, reason='Debian chromium is not installed (.ci/run installs it: apt-get install chromium)')
@pytest.mark.parametrize('page', ['index.html', '02_train.html', '03_evaluate.html'])
def test_report_page_loads_cleanly_offline(default_run, page):
    from playwright.sync_api import sync_playwright
    run_dir, _ = default_run
    console_errors, failed_requests, external_requests = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                                                                     '--disable-component-update', '--disable-sync', '--no-first-run'])
        tab = browser.new_page()
        tab.on('console', lambda m: console_errors.append(m.text) if m.type == 'error' else None)
        tab.on('pageerror', lambda e: console_errors.append(str(e)))
        tab.on('requestfailed', lambda r: failed_requests.append(r.url))
        tab.on('request', lambda r: external_requests.append(r.url) if not r.url.startswith(('file:', 'data:')) else None)
        tab.goto((run_dir/page).as_uri(), wait_until='load')
        sizes = tab.eval_on_selector_all('img', 'imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])')
        text = tab.inner_text('body')
        browser.close()
    assert console_errors == [] and failed_requests == [] and external_requests == [], (console_errors, failed_requests, external_requests)
    assert sizes, f'{page} shows no figure'
    assert all(done and w > 0 and h > 0 for done, w, h in sizes), sizes
    if page == 'index.html':
        assert 'Model leaderboard' in text and 'Synthetic data' in text and '01_load.html' in text
