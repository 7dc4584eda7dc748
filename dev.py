#!/usr/bin/env python3
"""Bootstrap and run Qingqian on a fresh machine with nothing but Python 3.11+.

    python3 dev.py demo [--port N]   # set up, load demo data, serve at http://127.0.0.1:5000 (or port N)
    python3 dev.py test [ARGS]       # set up and run the whole test suite (ARGS go to pytest)

Everything is installed into ./.venv (the `qingqian` command is .venv/bin/qingqian); nothing outside the
project folder is touched, except that the browser tests install Debian's chromium and a CJK font
(fonts-noto-cjk) with apt-get when they are missing and we run as root. Test-only plugins
(tests/sample_plugin) go to .venv/test-plugins, which only test runs put on their path, so the demo's
database never gets their migrations.
"""

from __future__ import annotations

import argparse
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
# Where Debian's fonts-noto-cjk (and the other common CJK font packages) put their files.
CJK_FONTS = (
    ("/usr/share/fonts/opentype/noto", "NotoSansCJK*"),
    ("/usr/share/fonts/opentype/noto", "NotoSerifCJK*"),
    ("/usr/share/fonts/truetype/wqy", "wqy-*"),
    ("/usr/share/fonts/truetype/arphic", "*.tt[cf]"),
)
SAMPLE_PLUGIN = ROOT / "tests" / "sample_plugin"
TEST_PLUGINS = VENV / "test-plugins"


def run(*args: str | Path, env: dict | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def _stamp(extras: str, files: list[Path]) -> str:
    digest = hashlib.sha256(extras.encode())
    for path in files:
        if path.exists():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _requirements_stamp(extras: str) -> str:
    return _stamp(extras, [ROOT / "pyproject.toml"])


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
    # Earlier versions of this script installed the sample plugin into the demo's environment; its
    # migration then reached the demo database and a later demo without it could not upgrade.
    if (
        subprocess.run(
            [str(PY), "-m", "pip", "show", "-q", "qingqian-sample-plugin"], capture_output=True
        ).returncode
        == 0
    ):
        run(PY, "-m", "pip", "uninstall", "--quiet", "-y", "qingqian-sample-plugin")
    stamp_file.write_text(stamp)


def ensure_test_plugins() -> Path | None:
    """Install the test-only plugins into .venv/test-plugins (not the environment itself)."""
    if not (SAMPLE_PLUGIN / "pyproject.toml").exists():
        return None
    skip = ("build", "__pycache__")
    files = sorted(
        p
        for p in SAMPLE_PLUGIN.rglob("*")
        if p.is_file()
        and not any(part in skip or part.endswith(".egg-info") for part in p.relative_to(SAMPLE_PLUGIN).parts)
    )
    stamp_file = VENV / ".installed-test-plugins"
    stamp = _stamp("test-plugins", files)
    if not (stamp_file.exists() and stamp_file.read_text() == stamp and TEST_PLUGINS.is_dir()):
        shutil.rmtree(TEST_PLUGINS, ignore_errors=True)
        run(PY, "-m", "pip", "install", "--quiet", "--no-deps", "--target", TEST_PLUGINS, SAMPLE_PLUGIN)
        stamp_file.write_text(stamp)
    return TEST_PLUGINS


def _cjk_font_present() -> bool:
    """Whether a CJK font is installed (without one chromium draws Chinese as empty boxes in screenshots).

    A glob in the font folders, so the check costs nothing on every test run once the fonts are there."""
    return any(any(Path(folder).glob(pattern)) for folder, pattern in CJK_FONTS)


def _apt_install(*packages: str, required: bool) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Several checkouts may run the tests at once: wait for another apt-get instead of failing on its lock.
    wait = ("-o", "DPkg::Lock::Timeout=300")
    try:
        run("apt-get", *wait, "update", "-qq", env=env)
        run("apt-get", *wait, "install", "-y", "-qq", "--no-install-recommends", *packages, env=env)
    except subprocess.CalledProcessError:
        if required:
            raise
        print(f"提示：安装 {' '.join(packages)} 失败，浏览器截图中的中文可能显示为方框。", flush=True)


def ensure_chromium() -> None:
    """The browser tests drive Debian's chromium; Playwright's own browser download is not used. A CJK font
    (fonts-noto-cjk) comes with it so screenshots people review show the Chinese text."""
    have_chromium = CHROMIUM.exists() or bool(shutil.which("chromium"))
    have_font = _cjk_font_present()
    if have_chromium and have_font:
        return
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        if not have_chromium:
            print(
                "提示：未找到 /usr/bin/chromium，浏览器测试将被跳过（以 root 运行会自动安装）。", flush=True
            )
        else:
            print("提示：未安装中文字体（fonts-noto-cjk），浏览器截图中的中文将显示为方框。", flush=True)
        return
    if not have_chromium:
        _apt_install("chromium", *(() if have_font else ("fonts-noto-cjk",)), required=True)
    else:
        _apt_install("fonts-noto-cjk", required=False)


def demo_options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 dev.py demo", description="安装、加载演示数据并启动")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "5000")), help="端口（默认 5000）"
    )
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--gunicorn", action="store_true", help="同时安装 gunicorn 等生产环境依赖")
    return parser.parse_args(args)


def cmd_demo(args: list[str]) -> None:
    options = demo_options(args)
    ensure_venv("server" if options.gunicorn else "")
    qq = BIN / "qingqian"
    try:
        run(qq, "db", "upgrade")
        run(qq, "demo", "--skip-migrate")
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)  # the command has said what went wrong; no traceback of this script
    print(f"\n命令行工具：{qq}（或先执行 source .venv/bin/activate，再直接用 qingqian）", flush=True)
    run(qq, "serve", "--host", options.host, "--port", str(options.port))


def cmd_test(args: list[str]) -> None:
    ensure_venv("dev")
    plugins = ensure_test_plugins()
    ensure_chromium()
    path = [str(ROOT), *([str(plugins)] if plugins else []), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if p)}
    result = subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"demo": cmd_demo, "test": cmd_test}
    if len(sys.argv) >= 2 and sys.argv[1] in ("-h", "--help", "help"):
        print(__doc__)
        return
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
