#!/usr/bin/env python3
"""Bootstrap and run Qingqian on a fresh machine with nothing but Python 3.11+.

    python3 dev.py demo    # set up, load demo data, serve at http://127.0.0.1:5000 (SQLite, in-process jobs)
    python3 dev.py test    # set up and run the whole test suite (extra arguments go to pytest)

Everything is installed into ./.venv; nothing outside the project folder is touched, except that the
browser tests install Debian's chromium with apt-get when it is missing and we run as root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
CHROMIUM = Path("/usr/bin/chromium")


def run(*args: str | Path, env: dict | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def _requirements_stamp(extras: str) -> str:
    files = [ROOT / "pyproject.toml", ROOT / "tests/sample_plugin/pyproject.toml"]
    digest = hashlib.sha256(extras.encode())
    for path in files:
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv(extras: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (this script is what tells an old Python to go)
        sys.exit("需要 Python 3.11 或更高版本")
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp_file = VENV / f".installed{extras or '-base'}"
    stamp = _requirements_stamp(extras)
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run(PY, "-m", "pip", "install", "--quiet", "-e", target)
    if extras == "dev" and (ROOT / "tests/sample_plugin/pyproject.toml").exists():
        run(PY, "-m", "pip", "install", "--quiet", "-e", "tests/sample_plugin")
    stamp_file.write_text(stamp)


def ensure_chromium() -> None:
    """The browser tests drive Debian's chromium; Playwright's own browser download is not used."""
    if CHROMIUM.exists() or shutil.which("chromium"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "chromium", env=env)
    else:
        print("提示：未找到 /usr/bin/chromium，浏览器测试将被跳过（以 root 运行会自动安装）。", flush=True)


def cmd_demo(args: list[str]) -> None:
    ensure_venv("server" if "--gunicorn" in args else "")
    qq = BIN / "qingqian"
    run(qq, "db", "upgrade")
    run(qq, "demo")
    port = os.environ.get("PORT", "5000")
    run(qq, "serve", "--host", "127.0.0.1", "--port", port)


def cmd_test(args: list[str]) -> None:
    ensure_venv("dev")
    ensure_chromium()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"demo": cmd_demo, "test": cmd_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
