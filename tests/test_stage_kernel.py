"Stage kernels (papermill, a real Jupyter kernel without ipywidgets): library progress bars draw on stderr without tqdm's 'IProgress not found' warning."
import nbformat


def test_stage_kernel_shows_progress_bars_without_the_ipywidgets_warning(tmp_path):
    "`tqdm.auto` (shap, pdpbox, lime and optuna import it) warns on stderr in a kernel without ipywidgets; a stage imports `advpipe.stage_context` first, and then shows the bars without the warning."
    import papermill as pm
    cells = ['import advpipe.stage_context',
             "from tqdm.auto import tqdm\nfor _ in tqdm(range(3), desc='progress shown'): pass",
             # the control: tqdm.auto's first import, unfiltered, warns in this kernel (else the test would prove nothing)
             "import importlib, sys, warnings\nwith warnings.catch_warnings(record=True) as caught:\n    warnings.simplefilter('always')\n"
             "    importlib.reload(sys.modules['tqdm.autonotebook'])\nprint(any('IProgress not found' in str(w.message) for w in caught))"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    nbformat.write(notebook, tmp_path/'stage.ipynb')
    out = pm.execute_notebook(str(tmp_path/'stage.ipynb'), str(tmp_path/'out.ipynb'), kernel_name='python3', progress_bar=False, cwd=str(tmp_path))
    stderr = ''.join(''.join(o.get('text', '')) for c in out.cells[:2] for o in c.get('outputs', []) if o.get('name') == 'stderr')
    assert 'progress shown' in stderr and '3/3' in stderr, stderr  # the bars are still there
    assert 'IProgress' not in stderr, stderr
    assert [o.get('text', '').strip() for o in out.cells[2].outputs if o.get('name') == 'stdout'] == ['True']
