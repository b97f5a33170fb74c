"""Does a larger row cap lower the noise floor of regret@1, and the meta-learner's regret? A subset check.

It was written when the shipped metabase capped every task at 400 rows (the package ships the 2,000-row one since;
pass the 400-row file with `--metabase`: `git show 8afc59e:advpipe/metabase_data/metabase.json.gz > /tmp/mb400.json.gz`).
On the seeded, source-spread subset of real tasks that `regret_noise_floor.py` uses, this script evaluates the grid
(through `metabase.build_metabase`, each cell cached in the store) on two row samples (seeds 0 and 1: other rows where
a dataset has more than the cap, other folds always) at 400 rows (seed 0 is that metabase itself) and at `--max-rows`,
and reports per cap:

- `oracle`: regret@1 of the configuration best on sample 0, scored on sample 1 (and the reverse), top-1 agreement;
- `learner` / `portfolio`: the leave-one-source-out learner (fitted on the 400-row metabase without the task's
  source, as `advpipe meta evaluate` does) and the greedy portfolio, scored against each sample's truth.

Command (32 tasks at 2,000 rows: about 25 minutes at nice 19 on two busy cores; cached cells are reused on a rerun):

    nice -n 19 .venv/bin/python benchmarks/row_cap_floor.py --tasks 32 --max-rows 2000 --metabase /tmp/mb400.json.gz \\
        --sales-data ../shared/data/US_Regional_Sales_Data.xlsx --home /tmp/capcheck --json
"""
from __future__ import annotations
import argparse, json, sys, time
from pathlib import Path
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from regret_noise_floor import pick_tasks, split_noise


def main(argv=None)->dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--tasks', type=int, default=32, help='real tasks in the subset (default: 32)')
    parser.add_argument('--max-rows', type=int, default=2000, help='the larger row cap (default: 2000)')
    parser.add_argument('--jobs', type=int, default=1, help='parallel workers (default: 1)')
    parser.add_argument('--home', default=None, help='advpipe home whose store caches the cells (default: the usual one)')
    parser.add_argument('--sales-data', default='', help='the real sales workbook (without it: no sales task)')
    parser.add_argument('--metabase', default=None, help='the 400-row, seed-0 metabase (default: the shipped one)')
    parser.add_argument('--json', action='store_true', help='print JSON')
    args = parser.parse_args(argv)
    from advpipe.meta_evaluation import _subset, order_metrics, portfolio_order
    from advpipe.meta_learner import MetaLearner
    from advpipe.metabase import Metabase, build_metabase, candidate_tasks
    shipped = Metabase.load(args.metabase)
    if shipped.info.get('max_rows') != 400 or shipped.info.get('random_state') != 0:
        sys.exit('row_cap_floor: expects a 400-row, seed-0 metabase: pass it with --metabase (the shipped one has 2,000 rows; see the docstring)')
    ids = pick_tasks(shipped, args.tasks, 0, sales=bool(args.sales_data))
    refs = {r['task_id']: r for r in candidate_tasks(args.sales_data, seed=0)}
    missing = [t for t in ids if t not in refs]
    if missing: sys.exit(f'row_cap_floor: no task reference for {missing[0]} (is the `meta` extra installed?)')
    builds, seconds = {(400, 0): Metabase(shipped.tasks[shipped.tasks['task_id'].isin(ids)], shipped.results, shipped.grid)}, {}
    for cap, seed in [(400, 1), (args.max_rows, 0), (args.max_rows, 1)]:
        started = time.perf_counter()
        built = build_metabase([refs[t] for t in ids], shipped.grid, home=args.home, max_rows=cap, folds=3, time_per_task=1e9,
                               random_state=seed, n_jobs=args.jobs, progress=not args.json)
        builds[(cap, seed)], seconds[f'{cap}/{seed}'] = Metabase.from_build(built), round(time.perf_counter() - started, 1)
    result = {'tasks': len(ids), 'build_seconds': seconds, 'caps': {}}
    tasks = shipped.tasks.set_index('task_id')
    rows = []
    for group in sorted(tasks.loc[ids, 'group'].unique()):
        train = _subset(shipped, shipped.tasks.loc[shipped.tasks['group'] != group, 'task_id'])
        learner, portfolio = MetaLearner(random_state=0).fit(train), portfolio_order(train.matrix())
        for t in [t for t in ids if tasks.at[t, 'group'] == group]:
            order = learner.evaluation_order(tasks.at[t, 'meta_features'])
            for (cap, seed), mb in builds.items():
                truth = mb.matrix()
                if t in truth.index:
                    rows.append({'task_id': t, 'cap': cap, 'seed': seed, 'learner': order_metrics(order, truth.loc[t])['regret_at_1'],
                                 'portfolio': order_metrics(portfolio, truth.loc[t])['regret_at_1']})
    per = pd.DataFrame(rows)
    for cap in (400, args.max_rows):
        noise = split_noise(builds[(cap, 0)], builds[(cap, 1)])
        at = per[per['cap'] == cap]
        result['caps'][str(cap)] = {
            'oracle': {'regret_at_1_median': float(noise['a_best_under_b'].median()), 'regret_at_1_mean': float(noise['a_best_under_b'].mean()),
                       'reverse_median': float(noise['b_best_under_a'].median()), 'reverse_mean': float(noise['b_best_under_a'].mean()),
                       'top1_agreement': float(noise['same_best'].mean()), 'tasks': int(len(noise))},
            **{m: {f'seed{s}': {'regret_at_1_median': float(f[m].median()), 'regret_at_1_mean': float(f[m].mean())} for s, f in at.groupby('seed')}
               for m in ('learner', 'portfolio')}}
    if args.json: print(json.dumps(result, indent=1)); return result
    for cap, r in result['caps'].items():
        o = r['oracle']
        print(f"cap {cap}: oracle regret@1 median {o['regret_at_1_median']:.4f} (mean {o['regret_at_1_mean']:.4f}; reverse {o['reverse_median']:.4f} / "
              f"{o['reverse_mean']:.4f}), top-1 agreement {o['top1_agreement']:.2f}")
        for m in ('learner', 'portfolio'):
            print(f"  {m:9} " + ', '.join(f"{s}: median {v['regret_at_1_median']:.4f} mean {v['regret_at_1_mean']:.4f}" for s, v in r[m].items()))
    print(f"build seconds {seconds}")
    return result


if __name__ == '__main__':
    main()
