"""Does the `lambdarank` first pick (the best variant of `meta_learner_variants.py` on the 2,000-row metabase) gain from
the user's own tasks? A sketch of `meta_evaluation.history_curve`'s protocol for that pick alone, before building it into
`MetaLearner`.

Every sales-derived task is held out in turn (the sales source stays out of the training tasks); the other sales tasks
enter in the same three seeded orders as `history_curve`'s, here as ordinary ranked training tasks (no history weight,
no incremental update: the ranker is refitted each time). The pick is the argmax over the whole grid of an
`LGBMRanker` (`lambdarank`, the variant script's settings and relevance levels); the script reports regret@1 per
history size. Command (147-356 s at nice 19 beside other jobs):

    nice -n 19 .venv/bin/python benchmarks/lambdarank_history_curve.py --json
"""
from __future__ import annotations
import argparse, json, sys
from pathlib import Path
import numpy as np, pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from meta_learner_variants import regret_levels  # noqa: E402

RANKER = dict(objective='lambdarank', n_estimators=200, learning_rate=0.05, num_leaves=31, min_child_samples=10, subsample=0.8,
              subsample_freq=1, colsample_bytree=0.8, n_jobs=1, verbose=-1, random_state=0)


def ranker_picks(mb, train_ids, query_ids)->dict:
    "Fit the ranker on `train_ids` (groups: tasks) and return each query task's first pick over the whole grid."
    import lightgbm
    from advpipe.meta_evaluation import _subset
    from advpipe.meta_learner import MetaLearner
    train = _subset(mb, train_ids)
    rows_of = MetaLearner(random_state=0)
    rows_of.meta_columns_ = list(train.meta_feature_frame().columns)
    rows_of.prior_ = train.results.groupby('config_id')['normalized'].mean().to_dict()
    res = train.results.merge(train.tasks[['task_id', 'meta_features']], on='task_id').sort_values('task_id', kind='stable').reset_index(drop=True)
    X = rows_of._rows(list(res['meta_features']), [mb.configs[c]['family'] for c in res['config_id']], [mb.configs[c]['params'] for c in res['config_id']])
    model = lightgbm.LGBMRanker(**RANKER).fit(X, regret_levels(res['normalized'].to_numpy(float)), group=res.groupby('task_id', sort=False).size().to_numpy())
    ids, meta = [c['config_id'] for c in mb.grid], dict(zip(mb.tasks['task_id'], mb.tasks['meta_features']))
    grid_rows = lambda q: rows_of._rows([meta[q]]*len(ids), [c['family'] for c in mb.grid], [c['params'] for c in mb.grid])
    return {q: ids[int(np.argmax(model.predict(grid_rows(q))))] for q in query_ids}


def curve(mb, group:str='sales', sizes=(0, 1, 2, 4), orders:int=3, seed:int=0)->list[dict]:
    "Regret@1 of the ranker's pick on each held-out task of `group` against how many of the group's other tasks it was trained on."
    from advpipe.meta_evaluation import order_metrics
    truth = mb.matrix()
    members = sorted(mb.tasks.loc[mb.tasks['group'] == group, 'task_id'])
    outside = list(mb.tasks.loc[mb.tasks['group'] != group, 'task_id'])
    alone = ranker_picks(mb, outside, members)
    rows = []
    for task_id in members:
        others = [t for t in members if t != task_id]
        for o in range(orders):
            pool = list(np.random.default_rng([seed, o, sum(map(ord, task_id))]).permutation(others))
            for size in sizes:
                pick = alone[task_id] if size == 0 else ranker_picks(mb, outside + pool[:size], [task_id])[task_id]
                rows.append({'task_id': task_id, 'order': o, 'history_tasks': size, 'regret_at_1': order_metrics([pick] + [c for c in truth.columns if c != pick], truth.loc[task_id])['regret_at_1']})
    frame = pd.DataFrame(rows)
    return [{'history_tasks': int(s), 'regret_at_1_median': float(g['regret_at_1'].median()), 'regret_at_1_mean': float(g['regret_at_1'].mean()),
             'evaluations': int(len(g))} for s, g in frame.groupby('history_tasks')]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--metabase', default=None, help='metabase file (default: the shipped one)')
    parser.add_argument('--json', action='store_true', help='print JSON')
    args = parser.parse_args(argv)
    from advpipe.metabase import Metabase
    points = curve(Metabase.load(args.metabase))
    if args.json: print(json.dumps(points, indent=1)); return
    for p in points: print(f"history of {p['history_tasks']} tasks: regret@1 median {p['regret_at_1_median']:.4f}, mean {p['regret_at_1_mean']:.4f} ({p['evaluations']} evaluations)")


if __name__ == '__main__':
    main()
