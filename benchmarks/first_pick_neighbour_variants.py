"""First-pick rules over `MetaLearner`'s rankers that use the nearest *metabase* tasks, leave-one-source-out on the
shipped metabase, to see whether the history pull's idea also helps without history (it does not).

Per held-out source the script fits `MetaLearner(random_state=0)` on the other sources (as `meta evaluate` does) and
caches its rank scores over the grid on the held-out tasks and on every training task (`--cache`). Rules, each followed
by the greedy coverage order: `rankers` (what ships: argmax of the mean within-task rank); `pull l=.. t=..`: the
history pull (`MetaLearner.first_pick_scores`) with the 10 training tasks the rankers see most alike as history
(weight `l`, kernel `t`); `prior b=..`: the rank plus `b` times the rank of the configuration's mean normalized score
over the training tasks; `shortK knnN`: among the rankers' top K, the best mean measured score on the N nearest
training tasks. Sources are split by seed 2026 into the same tune and confirm halves as `lambdarank_variants.py`.
Command (51 fits, about 10 CPU-minutes; scoring takes seconds once cached):

    nice -n 19 .venv/bin/python benchmarks/first_pick_neighbour_variants.py

Measured: `rankers` 0.0238 / 0.0810 (tune median 0.0189, confirm 0.0254); the best pull 0.0245-0.0261 (tune 0.0225-
0.0227); `prior` 0.026-0.044 (tune 0.020-0.042); `shortK knnN` 0.023-0.034 (tune 0.024-0.035): none beats the rankers
on the tune half, so none is used.
"""
import argparse, pickle
from pathlib import Path
import numpy as np, pandas as pd


def _greedy(values, weights, first):
    order, best = [first], values[:, first].copy(); remaining = [i for i in range(values.shape[1]) if i != first]
    while remaining:
        gains = weights @ np.maximum(best[:, None], values[:, remaining]) + 1e-9*(weights @ values[:, remaining])
        pick = remaining.pop(int(np.argmax(gains))); order.append(pick); best = np.maximum(best, values[:, pick])
    return order


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--cache', default='/tmp/advpipe-first-pick-neighbours', help='folder of the per-source rank scores')
    args = parser.parse_args(argv)
    from advpipe.metabase import Metabase
    from advpipe.meta_evaluation import _subset, order_metrics
    from advpipe.meta_learner import MetaLearner
    mb = Metabase.load(); truth = mb.matrix(); ids = [c['config_id'] for c in mb.grid]
    groups = sorted(mb.tasks['group'].unique())
    tune = set(list(np.random.default_rng(2026).permutation(groups))[::2])
    cache = Path(args.cache); cache.mkdir(parents=True, exist_ok=True)
    settings = ([('rankers', None, 0, 0)] + [(f'pull l={l} t={t}', 'pull', l, t) for l in (0.05, 0.1, 0.25, 0.5) for t in (0.1, 0.25)]
                + [(f'prior b={b}', 'prior', b, 0) for b in (0.1, 0.25, 0.5)] + [(f'short{k} knn{n}', 'short', k, n) for k in (2, 3, 5) for n in (5, 10, 20)])
    rows = []
    for g in groups:
        path = cache/f"{g.replace('/', '_')}.pkl"
        if not path.exists():
            held = mb.tasks['group'] == g
            train = _subset(mb, mb.tasks.loc[~held, 'task_id'])
            learner = MetaLearner(random_state=0).fit(train)
            path.write_bytes(pickle.dumps({'S_test': {t.task_id: learner.rank_scores(t.meta_features, mb.grid) for t in mb.tasks[held].itertuples()},
                                           'S_train': {t.task_id: learner.rank_scores(t.meta_features, mb.grid) for t in train.tasks.itertuples()},
                                           'table': learner.table_, 'weights': learner.task_weights_}))
        f = pickle.loads(path.read_bytes())
        table = f['table'].reindex(columns=ids); values = table.to_numpy(float)
        S_train = np.array([f['S_train'][t] for t in table.index])
        orders = {}
        for t, s in f['S_test'].items():
            if t not in truth.index: continue
            rho = np.array([np.corrcoef(s, o)[0, 1] for o in S_train])
            for name, kind, a, b in settings:
                if kind is None: score = s
                elif kind == 'pull':
                    w = np.zeros(len(rho)); near = np.argsort(-rho)[:10]; w[near] = a*np.exp(-(1 - rho[near])/b)
                    score = (s + w @ values)/(1 + w.sum())
                elif kind == 'prior':
                    prior = np.nanmean(values, axis=0); score = s + a*(pd.Series(prior).rank().to_numpy()/len(prior))
                else:
                    short, near = np.argsort(-s)[:a], np.argsort(-rho)[:b]
                    score = np.full(len(s), -np.inf); score[short] = values[near][:, short].mean(axis=0)
                first = int(np.argmax(score))
                if first not in orders: orders[first] = [ids[i] for i in _greedy(values, f['weights'], first)]
                rows.append({'rule': name, 'tune': g in tune, **order_metrics(orders[first], truth.loc[t])})
    r = pd.DataFrame(rows)
    out = r.groupby('rule').agg(median=('regret_at_1', 'median'), mean=('regret_at_1', 'mean'), top1=('top1_hit', 'mean'), evals_to_1pct=('evals_to_1pct', 'median'))
    for half, mask in (('tune', r['tune']), ('confirm', ~r['tune'])):
        out[f'{half}_median'] = r[mask].groupby('rule')['regret_at_1'].median(); out[f'{half}_mean'] = r[mask].groupby('rule')['regret_at_1'].mean()
    print(out.round(4).sort_values('tune_median').to_string())


if __name__ == '__main__':
    main()
