"""Full-page screenshots of a run's index, evaluate and explain pages with headless Chromium, to look at before a release.

    .venv/bin/python benchmarks/screenshots.py reports/<run_id> [--out DIR] [--width 1280]

Writes `<page>.png` per page (and `<page>_<k>.png` slices of at most 1,800 px, which an image viewer shows at full size)
and prints their paths. Needs Debian's `chromium` (or `--chromium PATH`) and the `playwright` Python package (dev extra).
"""
import argparse, shutil, sys
from pathlib import Path

PAGES = ('index.html', '03_evaluate.html', '04_explain.html')


def screenshot(run_dir:Path, out:Path, width:int=1280, chromium:str|None=None, pages=PAGES)->list:
    "Screenshot `pages` of `run_dir` into `out`; returns the PNG paths (whole pages, then slices)."
    from playwright.sync_api import sync_playwright
    from PIL import Image
    chromium = chromium or shutil.which('chromium') or shutil.which('chromium-browser')
    if chromium is None: sys.exit('screenshots: no chromium found (apt-get install chromium, or pass --chromium PATH)')
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=['--no-sandbox', '--disable-gpu', '--disable-background-networking'])
        tab = browser.new_page(viewport={'width': width, 'height': 900})
        for page in pages:
            if not (run_dir/page).exists(): continue
            tab.goto((run_dir/page).resolve().as_uri(), wait_until='load')
            target = out/page.replace('.html', '.png')
            tab.screenshot(path=str(target), full_page=True)
            written.append(target)
            image = Image.open(target)
            for k, top in enumerate(range(0, image.height, 1800)):
                piece = out/f"{target.stem}_{k}.png"
                image.crop((0, top, image.width, min(image.height, top + 1800))).save(piece)
                written.append(piece)
        browser.close()
    return written


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('run_dir', type=Path, help='a run folder, reports/<run_id>')
    parser.add_argument('--out', type=Path, default=None, help='where to write the PNGs (default: <run_dir>/screenshots)')
    parser.add_argument('--width', type=int, default=1280, help='browser window width in pixels (default: 1280)')
    parser.add_argument('--chromium', help='path to a Chromium binary (default: chromium on PATH)')
    args = parser.parse_args()
    for path in screenshot(args.run_dir, args.out or args.run_dir/'screenshots', args.width, args.chromium): print(path)
