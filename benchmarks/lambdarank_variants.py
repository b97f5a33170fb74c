"""Variants of the LambdaMART first pick (LightGBM `lambdarank`, the best variant of `meta_learner_variants.py`), scored
leave-one-source-out on the shipped metabase, to choose `MetaLearner`'s settings on one half of the sources.

Per held-out source the script fits each named model once on the other sources (rows: (task, configuration), one
query group per task; the same features as `MetaLearner`), keeps its scores over the grid for the held-out tasks in a
cache folder (one pickle per source, so a second call adds models without refitting the others), then scores every
first-pick rule (`meta_evaluation.order_metrics`; after the first pick, the greedy coverage order of
`MetaLearner._greedy`). Models (name: `<kind>_s<seed>`):

- `lr`: `LGBMRanker(objective='lambdarank')`, relevance 5/4/3/2/1/0 for regret 0 / <=0.01 / <=0.02 / <=0.05 / <=0.1 /
  more (`meta_learner.relevance_levels`), 200 trees, learning rate 0.05, 31 leaves;
- `logreg`: LightGBM regression of -log(regret + 0.01);
- `xendcg`: `rank_xendcg`; `lrfine`: 11 relevance levels (regret cuts 0.25 .. 0); `lrfinelin`: the same with a linear
  `label_gain`; `lrdense`: 31 levels linear in regret up to 0.15; `lrslow`: 600 trees at 0.02; `lrtrunc5` /
  `lrtrunc54`: `lambdarank_truncation_level`; `lrsmall`: 15 leaves, 20 rows a leaf; `lrcol5`: half the columns a tree;
  `lrsig2`: `sigmoid` 2; `lrbal`: query weights 1/sqrt(tasks of the task's source); `lrmin`: 100 rows a leaf (a leaf
  spans about two tasks' grids; not fitted yet); `lrrel`: the features plus the configuration's capacity relative to
  the task's rows (`relative_features`); `lrlm`: without the 36 pymfe columns (sizes, target statistics, landmarkers).

Rules: one model's argmax; `bagN` the summed scores of seeds 0..N-1; `rankavg` the mean of the models' within-task
ranks (what `MetaLearner.rank_scores` does); `A+B rank` the mean of the two bags' ranks. The sources are split into
seeded halves (`--split-seed`, as in `meta_learner_variants.py`): choose on `tune`, check on `confirm`.
Figures (2026-11-30, cache refitted from scratch; median / mean regret@1 on the 194 tasks, tune / confirm medians,
top-1, median evaluations to 1%): `lr bag5 rankavg` (shipped until then) 0.0238 / 0.0810, 0.0189 / 0.0254, 0.211, 3;
`lr bag10 rankavg` 0.0244 / 0.0815, 0.0189 / 0.0254 (seeds 5-9 alone 0.023-0.028: more seeds do not move the median);
`lrrel bag5 rankavg` 0.0254 / 0.0786, 0.0225 / 0.0255; `lr bag5 + lrrel bag5` ranks 0.0254 / 0.0781, 0.0225 / 0.0255;
`lrcol5 bag3 rankavg` 0.0246 / 0.0862, 0.0236 / 0.0252; `lrlm bag3 rankavg` 0.0251 / 0.0850, 0.0225 / 0.0254 (summed
0.0225, tune 0.0199); `lrbal bag3 rankavg` 0.0238 / 0.0847, 0.0226 / 0.0240 (seed 0 alone 0.0179, tune 0.0183, but
seeds 1-2 0.028 and 0.025: seed luck, as `lr_s7`'s tune 0.0180); `lrsmall bag3 rankavg` 0.0253 / 0.0843, 0.0387 /
0.0232; `lrsig2 bag3 rankavg` 0.0209 / 0.0805, 0.0225 / 0.0195 (bag5 0.0222 / 0.0783, 0.0199 / 0.0228);
**`lrtrunc54 bag3 rankavg` 0.0222 / 0.0798, 0.0183 / 0.0232, 0.222, 3**: the lowest tune median of the bags (tied
with its summed scores, 0.0183, whose confirm median 0.0255 is not lower), lower on the confirm half and on all
tasks, so `MetaLearner` took it (`rankers=3`, `truncation_level=54`). Compare against `lr bag3 rankavg` 0.0229 /
0.0824, 0.0199 / 0.0236: a gain of the size of the seed noise; no rule reaches 0.02 on all tasks.

Command (about 6 s a model a source on one idle core; three runs added up to about 40 minutes at nice 19 beside
benchmarks on both cores):

    nice -n 19 .venv/bin/python benchmarks/lambdarank_variants.py --fit lr_s0,lr_s1,lr_s2,lr_s3,lr_s4,logreg_s0,logreg_s1,logreg_s2
    nice -n 19 .venv/bin/python benchmarks/lambdarank_variants.py            # score what the cache holds
"""
from __future__ import annotations
import argparse, json, pickle, time
from pathlib import Path
import numpy as np, pandas as pd

BASE = dict(n_estimators=200, learning_rate=0.05, num_leaves=31, min_child_samples=10, subsample=0.8, subsample_freq=1, colsample_bytree=0.8, n_jobs=1, verbose=-1)
FINE = (0.25, 0.15, 0.1, 0.075, 0.05, 0.03, 0.02, 0.01, 0.005, 0.0025, 0.0)


def fine_levels(normalized)->np.ndarray:
    regret, out = 1 - np.asarray(normalized, float), np.zeros(len(normalized), int)
    for level, cut in enumerate(FINE, start=1): out[regret <= cut + 1e-12] = level
    return out


def dense_levels(normalized)->np.ndarray:
    return np.clip(np.round(30*(1 - (1 - np.asarray(normalized, float))/0.15)), 0, 30).astype(int)


def relative_features(X:pd.DataFrame)->pd.DataFrame:
    "X plus the configuration's capacity relative to the task's size (log10): leaf size, leaves, ridge alpha and boosting steps per row, features a split."
    rows, out = X['log_rows'], X.copy()
    leaf = X['param.min_samples_leaf'].where(X['param.min_samples_leaf'].notna(), np.where(X['family=lightgbm'] == 1, 20.0, np.where(X['family=xgboost'] == 1, 1.0, np.nan)))
    leaves = np.where(X['param.num_leaves'].notna(), np.log10(X['param.num_leaves']), X['param.max_depth']*np.log10(2))
    leaves = np.where((X['family=random_forest'] == 1) & np.isnan(leaves), rows, leaves)  # a forest's trees are unbounded
    out['rel.leaf_per_row'] = np.log10(leaf) - rows
    out['rel.leaves_per_row'] = np.minimum(leaves, rows) - rows
    out['rel.alpha_per_row'] = np.log10(X['param.alpha']) - rows
    out['rel.steps_per_row'] = np.log10(X['param.n_estimators']*X['param.learning_rate']) - rows
    out['rel.split_features'] = np.log10(X['param.max_features']) + X['log_columns']
    return out


def specs()->dict:
    "name -> (kind, labels, LightGBM settings over BASE[, features: 'base', 'rel' (`relative_features`) or 'nomfe' (no pymfe columns)])."
    s = {}
    for seed in range(10): s[f'lr_s{seed}'] = ('rank', 'std', dict(random_state=seed))
    for seed in range(3):
        s[f'logreg_s{seed}'] = ('logreg', None, dict(random_state=seed))
        s[f'lrfine_s{seed}'] = ('rank', 'fine', dict(random_state=seed))
        s[f'lrslow_s{seed}'] = ('rank', 'std', dict(random_state=seed, n_estimators=600, learning_rate=0.02))
    for seed in range(5):
        s[f'lrbal_s{seed}'] = ('rankbal', 'std', dict(random_state=seed))
        s[f'lrrel_s{seed}'] = ('rank', 'std', dict(random_state=seed), 'rel')
        s[f'lrlm_s{seed}'] = ('rank', 'std', dict(random_state=seed), 'nomfe')
        s[f'lrtrunc54_s{seed}'] = ('rank', 'std', dict(random_state=seed, lambdarank_truncation_level=54))
        s[f'lrsmall_s{seed}'] = ('rank', 'std', dict(random_state=seed, num_leaves=15, min_child_samples=20))
        s[f'lrcol5_s{seed}'] = ('rank', 'std', dict(random_state=seed, colsample_bytree=0.5))
        s[f'lrsig2_s{seed}'] = ('rank', 'std', dict(random_state=seed, sigmoid=2.0))
        s[f'lrmin_s{seed}'] = ('rank', 'std', dict(random_state=seed, min_child_samples=100))
    s['xendcg_s0'] = ('rank', 'std', dict(objective='rank_xendcg', random_state=0))
    s['lrfinelin_s0'] = ('rank', 'fine', dict(random_state=0, label_gain=[float(i) for i in range(31)]))
    s['lrdense_s0'] = ('rank', 'dense', dict(random_state=0, label_gain=[2**(i/5) - 1 for i in range(31)]))
    s['lrtrunc5_s0'] = ('rank', 'std', dict(random_state=0, lambdarank_truncation_level=5))
    return s


def fold(mb, train, test, names)->dict:
    "Scores over the grid of each named model for the held-out tasks, and the greedy continuation from each first pick."
    import lightgbm
    from advpipe.meta_learner import MetaLearner, relevance_levels
    L = MetaLearner(random_state=0)
    L.metabase_, L.meta_columns_ = train, list(train.meta_feature_frame().columns)
    L.prior_ = train.results.groupby('config_id')['normalized'].mean().to_dict()
    L.table_ = train.matrix().reindex(columns=[c['config_id'] for c in train.grid]).fillna(0.0)
    L.task_weights_ = np.full(len(L.table_), 1/len(L.table_))
    grid, ids = train.grid, [c['config_id'] for c in train.grid]
    res = train.results.merge(train.tasks[['task_id', 'meta_features', 'group']], on='task_id').sort_values('task_id', kind='stable').reset_index(drop=True)
    X = L._rows(list(res['meta_features']), [mb.configs[c]['family'] for c in res['config_id']], [mb.configs[c]['params'] for c in res['config_id']])
    norm = res['normalized'].to_numpy(float)
    group = res.groupby('task_id', sort=False).size().to_numpy()
    labels = {'std': relevance_levels(norm), 'fine': fine_levels(norm), 'dense': dense_levels(norm)}
    balance = (1/np.sqrt(res['group'].map(train.tasks['group'].value_counts()))).to_numpy(float)
    rows = {t.task_id: L._rows([t.meta_features]*len(grid), [c['family'] for c in grid], [c['params'] for c in grid]) for t in test.tasks.itertuples()}
    preds, seconds = {t: {} for t in rows}, {}
    features = {'base': lambda X: X, 'rel': relative_features, 'nomfe': lambda X: X.drop(columns=[c for c in X.columns if c.startswith('mfe.')])}
    for name in names:
        kind, lab, extra, *use = specs()[name]
        use = features[use[0] if use else 'base']
        started = time.perf_counter()
        settings = {**BASE, 'objective': 'lambdarank', **extra}
        if kind == 'rank': model = lightgbm.LGBMRanker(**settings).fit(use(X), labels[lab], group=group)
        elif kind == 'rankbal': model = lightgbm.LGBMRanker(**settings).fit(use(X), labels[lab], group=group, sample_weight=balance/balance.mean())
        else: model = lightgbm.LGBMRegressor(**{**BASE, **extra}).fit(use(X), -np.log(1 - norm + 0.01))
        seconds[name] = time.perf_counter() - started
        for t, r in rows.items(): preds[t][name] = model.predict(use(r))
    return {'ids': ids, 'greedy': {c: L._greedy([c]) for c in ids}, 'preds': preds, 'truth': test.matrix(), 'seconds': seconds}


def _ranks(a)->np.ndarray:
    a = pd.Series(a).rank().to_numpy()
    return (a - 1)/(len(a) - 1)


def rules(names)->dict:
    "name -> first-pick score function of a task's model scores (only rules whose models are all cached)."
    have = lambda *ns: all(n in names for n in ns)
    bag = lambda kind, n: lambda p: sum(p[f'{kind}_s{s}'] for s in range(n))
    out = {n: (lambda p, n=n: p[n]) for n in names}
    kinds = sorted({n.rsplit('_s', 1)[0] for n in names})
    for kind in kinds:
        for n in (3, 5, 10):
            if have(*[f'{kind}_s{s}' for s in range(n)]):
                out[f'{kind} bag{n}'] = bag(kind, n)
                out[f'{kind} bag{n} rankavg'] = lambda p, kind=kind, n=n: sum(_ranks(p[f'{kind}_s{s}']) for s in range(n))
    for a, na, b, nb in (('lr', 5, 'logreg', 3), ('lr', 3, 'logreg', 3), ('lr', 1, 'logreg', 1), ('lrfine', 3, 'logreg', 3), ('lr', 5, 'lrfine', 3), ('lr', 5, 'lrslow', 3)):
        if have(*[f'{a}_s{s}' for s in range(na)], *[f'{b}_s{s}' for s in range(nb)]):
            out[f'{a} bag{na} + {b} bag{nb} rank'] = lambda p, a=a, na=na, b=b, nb=nb: _ranks(bag(a, na)(p)) + _ranks(bag(b, nb)(p))
    return out


def score(folds:dict, tune:set)->pd.DataFrame:
    from advpipe.meta_evaluation import order_metrics
    names = sorted({n for f in folds.values() for p in f['preds'].values() for n in p})
    rows = []
    for group, f in folds.items():
        for task_id, p in f['preds'].items():
            if task_id not in f['truth'].index: continue
            for rule, pick in rules(names).items():
                try: first = f['ids'][int(np.argmax(np.asarray(pick(p))))]
                except KeyError: continue  # a model not cached for this source
                rows.append({'rule': rule, 'group': group, **order_metrics(f['greedy'][first], f['truth'].loc[task_id])})
    out = []
    for rule, r in pd.DataFrame(rows).groupby('rule', sort=False):
        half = r['group'].isin(tune)
        out.append({'rule': rule, 'tasks': len(r), 'regret_at_1_median': r['regret_at_1'].median(), 'regret_at_1_mean': r['regret_at_1'].mean(),
                    'regret_at_5_median': r['regret_at_5'].median(), 'top1_hit_rate': r['top1_hit'].mean(), 'evals_to_1pct_median': r['evals_to_1pct'].median(),
                    'evals_to_1pct_mean': r['evals_to_1pct'].mean(), 'tune_median': r.loc[half, 'regret_at_1'].median(), 'tune_mean': r.loc[half, 'regret_at_1'].mean(),
                    'confirm_median': r.loc[~half, 'regret_at_1'].median(), 'confirm_mean': r.loc[~half, 'regret_at_1'].mean()})
    return pd.DataFrame(out).set_index('rule').round(4).sort_values('tune_median')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--fit', default='', help='comma-separated models to fit (and cache) for every held-out source')
    parser.add_argument('--cache', default='/tmp/advpipe-lambdarank-variants', help='folder of the per-source predictions')
    parser.add_argument('--metabase', default=None, help='metabase file (default: the shipped one)')
    parser.add_argument('--split-seed', type=int, default=2026, help='seed of the tune/confirm split of the sources')
    parser.add_argument('--json', action='store_true', help='print JSON')
    args = parser.parse_args(argv)
    from advpipe.meta_evaluation import _subset
    from advpipe.metabase import Metabase
    mb = Metabase.load(args.metabase)
    cache = Path(args.cache); cache.mkdir(parents=True, exist_ok=True)
    groups = sorted(mb.tasks['group'].unique())
    tune = set(list(np.random.default_rng(args.split_seed).permutation(groups))[::2])
    folds = {}
    for g in groups:
        path = cache/f"{g.replace('/', '_')}.pkl"
        cached = pickle.loads(path.read_bytes()) if path.exists() else None
        todo = [n for n in args.fit.split(',') if n and (cached is None or n not in next(iter(cached['preds'].values()), {}))]
        if todo:
            held = mb.tasks['group'] == g
            new = fold(mb, _subset(mb, mb.tasks.loc[~held, 'task_id']), _subset(mb, mb.tasks.loc[held, 'task_id']), todo)
            if cached is not None:
                for t in new['preds']: cached['preds'][t].update(new['preds'][t])
                cached['seconds'].update(new['seconds']); new = cached
            path.write_bytes(pickle.dumps(new)); cached = new
        if cached is not None: folds[g] = cached
    result = score(folds, tune)
    if args.json: print(json.dumps({'groups': len(folds), 'rules': result.to_dict(orient='index')}, indent=1))
    else:
        with pd.option_context('display.width', 250, 'display.max_columns', 20): print(result.to_string())


if __name__ == '__main__':
    main()
