"Packaging for advpipe: everything is read from settings.ini (nbdev 2 convention)."
from configparser import ConfigParser
from pathlib import Path
import shutil, setuptools
from setuptools.command.build_py import build_py

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

licenses = {'apache2': 'Apache-2.0'}  # SPDX license expressions (license classifiers are deprecated)
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.11 3.12 3.13'.split()
lic = licenses[cfg['license']]
min_python = cfg['min_python']
# setuptools >= 77 takes the SPDX expression as `license_expression`; older ones (a venv's bundled 65) as `license`
license_metadata = {'license_expression' if int(setuptools.__version__.split('.')[0]) >= 77 else 'license': lic}


class BuildWithStages(build_py):
    "Ship the stage notebooks (source of truth: nbs/stages) inside the package, so a plain install can run the chain."
    def run(self):
        super().run()
        target = Path(self.build_lib) / 'advpipe' / 'stages'
        target.mkdir(parents=True, exist_ok=True)
        for notebook in sorted(Path('nbs/stages').glob('[0-9][0-9]_*.ipynb')):
            shutil.copy(notebook, target / notebook.name)


# optional extras: `extra_<name> = pkg ...` in settings.ini gives `pip install advpipe[<name>]`; `[dev]` pulls in every extra
extras = {key[len('extra_'):]: value.split() for key, value in cfg.items() if key.startswith('extra_')}
extras['dev'] = cfg.get('dev_requirements', '').split() + sorted({req for reqs in extras.values() for req in reqs})


setuptools.setup(
    name=cfg['lib_name'],
    **license_metadata,
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()]
                + ['Programming Language :: Python :: ' + o for o in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    # namespace discovery: `advpipe/rules` (data only) is a package too, so setuptools ships it without a warning
    packages=setuptools.find_namespace_packages(include=['advpipe', 'advpipe.*'], exclude=['*.__pycache__']),
    package_dir={'': '.'},  # flat layout: a plain .pth editable install (no import-finder warning)
    package_data={'advpipe': ['templates/*', 'twin_params.json', 'rules/*.yaml', 'metabase_data/*.json.gz', 'metabase_data/*.md']},
    include_package_data=True,
    install_requires=cfg.get('requirements', '').split(),
    extras_require=extras,
    cmdclass={'build_py': BuildWithStages},
    python_requires='>=' + cfg['min_python'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']},
    version=cfg['version'],
    description=cfg['description'],
    author=cfg['author'],
    author_email=cfg['author_email'],
    keywords=cfg['keywords'],
)
