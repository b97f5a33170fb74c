"""Warm against cold per family, from `advpipe simulate --json` outputs: versions within noise, median scores and seconds.

    for f in random_forest xgboost lightgbm; do
      .venv/bin/advpipe simulate --data ../shared/data/US_Regional_Sales_Data.xlsx --model $f --no-report --json > /tmp/sim-$f.json
    done
    .venv/bin/python benchmarks/warm_vs_cold.py /tmp/sim-*.json [-v]

Prints a Markdown table (one row per file, i.e. per family; seconds are wall, CPU in brackets;
the last column is the median over versions of warm seconds / cold seconds within the same run); `-v` adds one line per version.
"""
import json, statistics, sys


def summary(replay:dict)->dict:
    "Medians over the versions that have a warm start compared with a cold retrain."
    versions = [v for v in replay['versions'] if v.get('warm_vs_cold')]
    median = lambda key: statistics.median(v[key] for v in versions) if versions else None
    return {'family': versions[0]['family'] if versions else replay['versions'][-1].get('family'), 'compared': len(versions),
            'within_noise': sum(v['within_noise'] for v in versions), 'warm_lower': sum(v['warm_vs_cold']['gain'] < 0 for v in versions),
            'warm_score': median('warm_score'), 'cold_score': median('cold_score'),
            'gain': statistics.median(v['warm_vs_cold']['gain'] for v in versions) if versions else None,
            'warm_seconds': median('warm_seconds'), 'cold_seconds': median('cold_seconds'),
            'warm_faster': sum(v['warm_seconds'] < v['cold_seconds'] for v in versions),
            'warm_cpu_faster': sum(v['warm_cpu_seconds'] < v['cold_cpu_seconds'] for v in versions),
            'ratio': statistics.median(v['warm_seconds']/v['cold_seconds'] for v in versions) if versions else None,
            'cpu_ratio': statistics.median(v['warm_cpu_seconds']/v['cold_cpu_seconds'] for v in versions) if versions else None,
            'warm_cpu_seconds': median('warm_cpu_seconds'), 'cold_cpu_seconds': median('cold_cpu_seconds')}


if __name__ == '__main__':
    paths = [a for a in sys.argv[1:] if a != '-v']
    if not paths: sys.exit(__doc__)
    print('| family | within noise | median warm | median cold | median warm - cold (warm lower in) | median warm s (CPU s) | median cold s (CPU s) | warm faster in (CPU) | median warm/cold (CPU) |')
    print('|---|---|---|---|---|---|---|---|---|')
    for path in paths:
        replay = json.load(open(path))
        s = summary(replay)
        if not s['compared']: print(f"| {s['family']} | no warm start compared with a cold retrain | | | | | | | |"); continue
        print(f"| {s['family']} | {s['within_noise']}/{s['compared']} | {s['warm_score']:.4f} | {s['cold_score']:.4f} | {s['gain']:+.4f} ({s['warm_lower']}/{s['compared']}) "
              f"| {s['warm_seconds']:.2f} ({s['warm_cpu_seconds']:.2f}) | {s['cold_seconds']:.2f} ({s['cold_cpu_seconds']:.2f}) | {s['warm_faster']}/{s['compared']} ({s['warm_cpu_faster']}/{s['compared']}) | {s['ratio']:.2f} ({s['cpu_ratio']:.2f}) |")
        if '-v' in sys.argv:
            for v in replay['versions']:
                if not v.get('warm_vs_cold'): continue
                w, c = v['warm_vs_cold'], v['challenger']
                print(f"    {v['period']} {v['rows']:>5} {v['decision']:<8} added {c.get('added')} dropped {c.get('dropped')} size {c.get('size')} ({c.get('stopped_by')}) "
                      f"warm {w['warm_score']:.4f} cold {w['cold_score']:.4f} diff {w['gain']:+.4f} 95% [{w['ci'][0]:+.4f}, {w['ci'][1]:+.4f}] "
                      f"{'within' if w['within_noise'] else 'BEYOND'} noise, {v['warm_seconds']} s vs {v['cold_seconds']} s")
