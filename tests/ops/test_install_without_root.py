"""`make run` as an ordinary user (issue 23): nothing installed system-wide, no root, no browser.

The dry run is cheap and always runs. The real install runs as a freshly created non-root user in a
temporary home, from a copy of this checkout, up to the app answering /livez: the user's `make run` creates the
checkout's .venv and node_modules and installs every package into them itself, so it is slow (bounded by
INSTALL_TIMEOUT) and needs root to create the user; otherwise it is skipped.

The new user's home gets a copy of the invoking user's npm download cache, and npm is told to prefer it
(npm_config_prefer_offline): that spares only the downloads this machine has made already. npm still installs
every package into the checkout's node_modules itself, and fetches whatever the cache lacks. pip gets no such
help, nor needs it: its time goes to unpacking and installing the packages into .venv, not to downloading them.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_WIDE = ("apt-get", "apt ", "sudo", "dpkg", "pip install --user", "npm install -g", "npm i -g")
INSTALL_TIMEOUT = int(os.environ.get("INSTALL_TIMEOUT", "1500"))


@pytest.mark.parametrize("target", ["run", "run-prod", "install"])
def test_make_run_needs_no_root_and_installs_nothing_system_wide(target, tmp_path):
    # A fresh checkout (no stamps) so that every install step is listed, not only the ones still due.
    checkout = _copy_checkout(tmp_path / "checkout")
    plan = subprocess.run(["make", "-n", target], cwd=checkout, capture_output=True, text=True, timeout=60, check=True)
    assert plan.stdout.strip(), plan.stderr
    for word in SYSTEM_WIDE:
        assert word not in plan.stdout, f"`make {target}` would run {word!r}:\n{plan.stdout}"
    assert "apt-get" in subprocess.run(["make", "-n", "browser"], cwd=checkout, capture_output=True, text=True,
                                       timeout=60).stdout  # the browser (tests only) is where root is needed


def test_make_run_as_a_new_non_root_user_answers_livez():
    if os.geteuid() != 0:
        pytest.skip("needs root to create a temporary non-root user (runs in CI as root)")
    if not shutil.which("useradd") or not shutil.which("runuser"):
        pytest.skip("useradd/runuser not available")
    user = f"yiye_{uuid.uuid4().hex[:8]}"
    base = Path(tempfile.mkdtemp(prefix="yiye-nonroot-"))  # pytest's tmp_path is root's alone (0700)
    base.chmod(0o755)
    home = base / "home"
    subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", user], check=True)
    process = None
    try:
        checkout = _copy_checkout(home / "app")
        _copy_npm_cache(home)
        subprocess.run(["chown", "-R", f"{user}:{user}", str(home)], check=True)
        port = _free_port()
        log = (home / "make-run.log").open("w")
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
               "npm_config_prefer_offline": "true"}
        process = subprocess.Popen([shutil.which("runuser"), "-u", user, "--", "make", "run", f"PORT={port}"], cwd=checkout,
                                   env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + INSTALL_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"make run exited {process.returncode}:\n{(home / 'make-run.log').read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.5)  # not serving yet (connection refused): ask again soon
        else:
            pytest.fail(f"no /livez within {INSTALL_TIMEOUT}s:\n{(home / 'make-run.log').read_text()[-4000:]}")
        owners = {p.owner() for p in (checkout / ".venv").rglob("*") if not p.is_symlink()}
        assert owners == {user}  # everything it installed is the user's, in the checkout
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        subprocess.run(["userdel", "--force", "--remove", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _copy_checkout(target: Path) -> Path:
    """The tracked files of this checkout as they are now (no .venv, node_modules, stamps or builds)."""
    target.mkdir(parents=True)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _copy_npm_cache(home: Path) -> None:
    """The invoking user's npm download cache, copied into the new user's home (see the module's docstring): a
    copy, which the new user owns, so the invoking user's own cache stays untouched."""
    cache = Path.home() / ".npm" / "_cacache"
    if cache.is_dir():
        shutil.copytree(cache, home / ".npm" / "_cacache", symlinks=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
