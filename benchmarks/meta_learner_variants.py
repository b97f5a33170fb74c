"""Variants of the meta-learner's first pick, scored leave-one-source-out on the shipped metabase (learner only).

`advpipe meta evaluate` takes about 6 minutes because it runs every baseline; this script fits, per held-out source,
the shipped `MetaLearner` (its selector, greedy portfolio and surrogate) plus the variants' extra models once, keeps
their predictions for the held-out tasks, and scores every way of picking the first configuration from them
(`meta_evaluation.order_metrics`, the same HPO-B metrics). The variants:

- `base`: the shipped learner (selector and surrogate averaged over the greedy portfolio's shortlist of 5), per seed;
- `bagN`: the same with the surrogate averaged over N seeds (variance reduction);
- `<model> full grid`: the first pick is the argmax over the whole grid of another model, then the greedy
  continuation from it: `surrogate` (the shipped score model), `pctrank` (LightGBM regression of the configuration's
  per-task percentile rank), `logregret` (regression of -log(regret + 0.01)), `lambdarank` / `xendcg` (LGBMRanker
  grouped by task, relevance 5/4/3/2/1/0 for regret 0 / <=0.01 / <=0.02 / <=0.05 / <=0.1 / more);
- `knnfeatK + selector`: the surrogate refitted with one more feature, the configuration's mean normalized score on
  the K nearest training tasks (standardized meta-features; for a training row, neighbours from other sources only,
  as at test time), averaged with the selector over the shortlist; `knnK vote`: that mean itself over the shortlist;
- `pctrank bag5 first, then base order`: the argmax of the 5-seed `pctrank` bag over the whole grid first, then the
  shipped learner's order without it.

The tasks' sources are split in two seeded halves (`tune`, `confirm`) so that a setting chosen on one half can be
checked on the other. Command (1,214 s at nice 19 on two busy cores on the 400-row metabase, 2,942 s on the 2,000-row
one beside two full-CPU jobs; `--groups 2` for a 30 s check):

    nice -n 19 .venv/bin/python benchmarks/meta_learner_variants.py --json > /tmp/variants.json
"""
from __future__ import annotations
import argparse, json, time
import numpy as np, pandas as pd

LEVELS = ((0.1, 1), (0.05, 2), (0.02, 3), (0.01, 4), (0.0, 5))  # regret at most .. -> relevance


def regret_levels(normalized)->np.ndarray:
    "Ranking relevance from the normalized score: 5 for the task's best, down to 0 for regret above 0.1."
    regret, out = 1 - np.asarray(normalized, float), np.zeros(len(normalized), int)
    for cut, level in LEVELS: out[regret <= cut + 1e-12] = level
    return out


def knn_means(Z:np.ndarray, groups:np.ndarray, table:np.ndarray, queries:np.ndarray, query_groups, k:int)->np.ndarray:
    "Per query: every configuration's mean normalized score on the k nearest training tasks outside the query's own source."
    out = []
    for z, g in zip(queries, query_groups):
        d = ((Z - z)**2).sum(axis=1); d[groups == g] = np.inf
        out.append(np.nanmean(table[np.argsort(d)[:k]], axis=0))
    return np.array(out)


def fold_predictions(train, test, seeds=(0, 1, 2, 3, 4))->dict:
    "The shipped learner's pieces and every variant model's predictions for the held-out tasks of one fold."
    import lightgbm
    from advpipe.meta_learner import MetaLearner
    L = MetaLearner(random_state=0).fit(train)
    grid = train.grid; ids = [c['config_id'] for c in grid]
    X, target, _, weight = L._training_set(train, L.history_)
    res = train.results.merge(train.tasks[['task_id', 'meta_features', 'group']], on='task_id')  # the rows of X, in order
    fit = lambda y, seed, extra=None: L._model(L.n_estimators).set_params(random_state=seed).fit(X if extra is None else X.assign(knn=extra), y, sample_weight=weight)
    models = {f'surrogate{s}': (L.score_model_ if s == 0 else fit(target, s)) for s in seeds}
    pct = res.groupby('task_id')['normalized'].rank(pct=True).to_numpy(float)
    models.update({f'pctrank{s}': fit(pct, s) for s in seeds})
    models['logregret0'] = fit(-np.log(1 - target + 0.01), 0)
    by_task = np.argsort(res['task_id'].to_numpy(), kind='stable')
    sizes = res['task_id'].iloc[by_task].value_counts(sort=False).reindex(pd.unique(res['task_id'].iloc[by_task])).to_numpy()
    levels = regret_levels(res['normalized'].to_numpy(float)[by_task])
    ranker = dict(n_estimators=200, learning_rate=0.05, num_leaves=31, min_child_samples=10, subsample=0.8, subsample_freq=1,
                  colsample_bytree=0.8, n_jobs=1, verbose=-1, random_state=0)
    for name, objective in (('lambdarank0', 'lambdarank'), ('xendcg0', 'rank_xendcg')):
        models[name] = lightgbm.LGBMRanker(objective=objective, **ranker).fit(X.iloc[by_task].reset_index(drop=True), levels, group=sizes)
    table = train.matrix().reindex(index=list(L.meta_matrix_.index), columns=ids).to_numpy(float)
    Z, zgroups = L.meta_matrix_.to_numpy(float), train.tasks.set_index('task_id').loc[list(L.meta_matrix_.index), 'group'].to_numpy()
    Ztrain = L._standardize(pd.DataFrame(list(res['meta_features'])))
    Ztest = L._standardize(pd.DataFrame(list(test.tasks['meta_features'])))
    column = {c: i for i, c in enumerate(ids)}
    knn_test = {}
    for k in (10, 20):
        own = knn_means(Z, zgroups, table, Ztrain, res['group'].to_numpy(), k)
        models[f'knnfeat{k}'] = fit(target, 0, own[np.arange(len(res)), [column[c] for c in res['config_id']]])
        knn_test[k] = knn_means(Z, zgroups, table, Ztest, [None]*len(Ztest), k)
    tasks = {}
    for i, task in enumerate(test.tasks.itertuples()):
        rows = L._rows([task.meta_features]*len(grid), [c['family'] for c in grid], [c['params'] for c in grid])
        preds = {'selector': pd.Series(L.selector_.predict(L._standardize(pd.DataFrame([task.meta_features])))[0], index=L.shortlist_)}
        for name, model in models.items():
            preds[name] = pd.Series(model.predict(rows.assign(knn=knn_test[int(name[7:])][i]) if name.startswith('knnfeat') else rows), index=ids)
        preds.update({f'knn{k}': pd.Series(v[i], index=ids) for k, v in knn_test.items()})
        tasks[task.task_id] = preds
    return {'shortlist': list(L.shortlist_), 'greedy': {c: L._greedy([c]) for c in ids}, 'tasks': tasks, 'truth': test.matrix()}


def _rank01(s:pd.Series)->pd.Series: return (s.rank() - 1)/max(len(s) - 1, 1)


def variants(seeds)->dict:
    "name -> (seed, first-pick function of (predictions, shortlist), how the order continues: 'greedy' from the pick or 'prepend' to the seed's base order)."
    short = lambda parts: lambda p, sl: sum(w*p[k].reindex(sl) for k, w in parts).idxmax()
    full = lambda f: lambda p, sl: f(p).idxmax()
    out = {}
    for s in seeds:
        out[f'base seed {s}'] = (s, short([('selector', .5), (f'surrogate{s}', .5)]), 'greedy')
        out[f'pctrank bag5 first, then base order, seed {s}'] = (s, full(lambda p: sum(p[f'pctrank{k}'] for k in seeds)), 'prepend')
    bag = lambda n: lambda p, sl: (.5*p['selector'] + .5*sum(p[f'surrogate{k}'] for k in seeds[:n]).reindex(sl)/n).idxmax()
    out.update({'bag3': (0, bag(3), 'greedy'), 'bag5': (0, bag(5), 'greedy'),
                'selector only': (0, short([('selector', 1)]), 'greedy'), 'surrogate only (shortlist)': (0, short([('surrogate0', 1)]), 'greedy'),
                'oracle of the shortlist': (0, None, 'greedy')})
    for name in ('surrogate0', 'pctrank0', 'logregret0', 'lambdarank0', 'xendcg0'):
        out[f'{name[:-1]} full grid'] = (0, full(lambda p, name=name: p[name]), 'greedy')
    for k in (10, 20):
        out[f'knnfeat{k} + selector'] = (0, short([('selector', .5), (f'knnfeat{k}', .5)]), 'greedy')
        out[f'knn{k} vote'] = (0, short([(f'knn{k}', 1)]), 'greedy')
    return out


def score(folds:dict, seeds)->pd.DataFrame:
    "Per (variant, task) metrics."
    from advpipe.meta_evaluation import order_metrics
    rows = []
    for name, (seed, pick, mode) in variants(seeds).items():
        for group, fold in folds.items():
            base = lambda p: (.5*p['selector'] + .5*p[f'surrogate{seed}'].reindex(fold['shortlist'])).idxmax()
            for task_id, p in fold['tasks'].items():
                if task_id not in fold['truth'].index: continue
                truth = fold['truth'].loc[task_id]
                first = truth.reindex(fold['shortlist']).idxmax() if pick is None else pick(p, fold['shortlist'])
                order = fold['greedy'][first] if mode == 'greedy' else [first] + [c for c in fold['greedy'][base(p)] if c != first]
                rows.append({'variant': name, 'seed': seed, 'task_id': task_id, 'group': group, 'method': name, **order_metrics(order, truth)})
    return pd.DataFrame(rows)


def table(per_task:pd.DataFrame, tune:set)->pd.DataFrame:
    "Per variant: medians and means on all tasks, and regret@1 on the tune and confirm halves of the sources."
    rows = []
    for name, f in per_task.groupby('variant', sort=False):
        half = f['group'].isin(tune)
        rows.append({'variant': name, 'tasks': len(f), 'regret_at_1_median': f['regret_at_1'].median(), 'regret_at_1_mean': f['regret_at_1'].mean(),
                     'top1_hit_rate': f['top1_hit'].mean(), 'evals_to_1pct_median': f['evals_to_1pct'].median(), 'evals_to_1pct_mean': f['evals_to_1pct'].mean(),
                     'tune_median': f.loc[half, 'regret_at_1'].median(), 'tune_mean': f.loc[half, 'regret_at_1'].mean(),
                     'confirm_median': f.loc[~half, 'regret_at_1'].median(), 'confirm_mean': f.loc[~half, 'regret_at_1'].mean()})
    return pd.DataFrame(rows).set_index('variant').round(4)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--groups', type=int, default=0, help='only the first N held-out sources (0: all)')
    parser.add_argument('--split-seed', type=int, default=2026, help='seed of the tune/confirm split of the sources')
    parser.add_argument('--metabase', default=None, help='metabase file (default: the shipped one)')
    parser.add_argument('--json', action='store_true', help='print JSON')
    args = parser.parse_args(argv)
    from advpipe.meta_evaluation import _subset
    from advpipe.metabase import Metabase
    started, seeds = time.perf_counter(), (0, 1, 2, 3, 4)
    mb = Metabase.load(args.metabase)
    groups = sorted(mb.tasks['group'].unique())
    tune = set(list(np.random.default_rng(args.split_seed).permutation(groups))[::2])
    folds = {}
    for g in groups[:args.groups or None]:
        held = mb.tasks['group'] == g
        folds[g] = fold_predictions(_subset(mb, mb.tasks.loc[~held, 'task_id']), _subset(mb, mb.tasks.loc[held, 'task_id']), seeds)
    result = table(score(folds, seeds), tune)
    seconds = round(time.perf_counter() - started, 1)
    if args.json: print(json.dumps({'tasks': int(sum(len(f['truth']) for f in folds.values())), 'groups': len(folds), 'seconds': seconds,
                                    'variants': result.to_dict(orient='index')}, indent=1))
    else:
        with pd.option_context('display.width', 250, 'display.max_columns', 20): print(result.to_string())
        print(f'{len(folds)} held-out sources, {seconds} s')


if __name__ == '__main__':
    main()
