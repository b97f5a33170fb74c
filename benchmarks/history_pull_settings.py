"""Choose `MetaLearner`'s pull of the user's own tasks (`history_pull`, `history_kernel`) on the history curves' tasks.

As `meta_evaluation.history_curve` does, each source (the sales tasks; the 8 R-package sources of
`history_curve_unrelated`, 2 tasks each, 2 orders) is left out of the metabase and the learner fitted once on the rest;
each held-out task then gets 0, 1, 2, 4 of its source's other tasks (their whole grid measured) as history, in the
curve's seeded orders. Here the rankers are not refitted with the history (as `update` leaves them), so only the pull
acts, and it is scored for 9 settings: `history_pull` 0.5, 1, 2 x `history_kernel` 0.1, 0.25, 0.5. The R-package
sources are split by seed 2026 into a tune half (choose) and a confirm half (check); the sales tasks are checked too.
Command (about 10 CPU-minutes, most of it the 9 fits; they are cached in `--cache`):

    nice -n 19 .venv/bin/python benchmarks/history_pull_settings.py

Measured (regret@1 median / mean at 0, 1, 2, 4 history tasks), the chosen setting 1 / 0.25: tune 0.047 / 0.048,
0.012 / 0.040, 0.022 / 0.038, 0.0014 / 0.032; confirm 0.119 / 0.230, 0.119 / 0.237, 0.055 / 0.211, 0.070 / 0.214;
sales 0.0003 / 0.020 at every point.
"""
import argparse, pickle
from pathlib import Path
import numpy as np, pandas as pd


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--cache', default='/tmp/advpipe-history-pull', help='folder of the fitted learners (one per left-out source)')
    args = parser.parse_args(argv)
    from advpipe.metabase import Metabase
    from advpipe.meta_evaluation import _subset, curve_groups
    from advpipe.meta_learner import MetaLearner
    mb = Metabase.load()
    truth, meta, ids = mb.matrix(), dict(zip(mb.tasks['task_id'], mb.tasks['meta_features'])), [c['config_id'] for c in mb.grid]
    cg = curve_groups(mb); half = list(np.random.default_rng(2026).permutation(cg)); tune = set(half[:4])
    cache = Path(args.cache); cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for g, held_out, orders in [('sales', None, 3)] + [(g, 2, 2) for g in cg]:
        path = cache/f"{g.replace('/', '_')}.pkl"
        if not path.exists(): path.write_bytes(pickle.dumps(MetaLearner(random_state=0).fit(_subset(mb, mb.tasks.loc[mb.tasks['group'] != g, 'task_id']))))
        learner = pickle.loads(path.read_bytes())
        members = sorted(mb.tasks.loc[mb.tasks['group'] == g, 'task_id'])
        ranks = {t: learner.rank_scores(meta[t], mb.grid) for t in members}
        measured = {t: truth.loc[t].reindex(ids).fillna(truth.loc[t].min()).to_numpy(float) for t in members}
        held = list(np.random.default_rng([0, len(members), sum(map(ord, g))]).permutation(members))[:held_out]
        for t in held:
            others = [o for o in members if o != t]
            for o in range(orders):
                pool = list(np.random.default_rng([0, o, sum(map(ord, t))]).permutation(others))
                for size in (0, 1, 2, 4):
                    for pull in (0.5, 1, 2):
                        for kernel in (0.1, 0.25, 0.5):  # the pull as `MetaLearner.first_pick_scores` computes it
                            w = np.array([pull*np.exp(-(1 - np.corrcoef(ranks[t], ranks[h])[0, 1])/kernel) for h in pool[:size]])
                            score = (ranks[t] + sum(wh*measured[h] for wh, h in zip(w, pool[:size])))/(1 + w.sum())
                            rows.append({'sources': 'sales' if g == 'sales' else ('tune' if g in tune else 'confirm'), 'history_pull': pull,
                                         'history_kernel': kernel, 'history_tasks': size, 'regret_at_1': 1 - measured[t][int(np.argmax(score))]})
    frame = pd.DataFrame(rows)
    print('tune:', sorted(tune))
    print(frame.groupby(['sources', 'history_pull', 'history_kernel', 'history_tasks'])['regret_at_1'].agg(['median', 'mean']).unstack('history_tasks').round(4).to_string())


if __name__ == '__main__':
    main()
