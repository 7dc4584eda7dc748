"""The two README commands: `dev.py --help` answers, `dev.py demo --port N` is understood, and the test
command keeps test-only plugins out of the environment the demo runs in."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _dev():
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_help_exits_zero_and_names_both_commands():
    result = subprocess.run([sys.executable, str(ROOT / "dev.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "dev.py demo [--port N]" in result.stdout and "dev.py test" in result.stdout
    assert ".venv/bin/qingqian" in result.stdout
    wrong = subprocess.run([sys.executable, str(ROOT / "dev.py"), "serve"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "dev.py demo" in wrong.stderr


def test_demo_takes_a_port_and_a_host(monkeypatch):
    dev = _dev()
    monkeypatch.delenv("PORT", raising=False)
    assert dev.demo_options([]).port == 5000
    options = dev.demo_options(["--port", "5123", "--host", "0.0.0.0"])
    assert (options.port, options.host) == (5123, "0.0.0.0")
    monkeypatch.setenv("PORT", "8080")
    assert dev.demo_options([]).port == 8080


def test_the_sample_plugin_is_on_the_test_path_only():
    """The environment the demo runs in does not see the test-only plugin, so its migration never reaches
    the demo database (a later demo then stopped on an unknown revision)."""
    dev = _dev()
    assert dev.TEST_PLUGINS.parent == dev.VENV
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = (
        "import importlib.metadata as m, sys; "
        "sys.exit(0 if any(d.name == 'qingqian-sample-plugin' for d in m.distributions()) else 3)"
    )
    found = subprocess.run([sys.executable, "-c", probe], env=env, cwd="/", capture_output=True)
    assert found.returncode == 3, "the sample plugin is installed into the environment itself"


def _apt_calls(dev, monkeypatch, tmp_path, *, chromium: bool, font: bool, root: bool = True) -> list:
    """What ensure_chromium asks apt-get to install on a machine with or without chromium and a CJK font."""
    browser = tmp_path / "chromium"
    if chromium:
        browser.write_bytes(b"")
    calls = []
    monkeypatch.setattr(dev, "CHROMIUM", browser)
    monkeypatch.setattr(dev.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(dev, "_cjk_font_present", lambda: font)
    monkeypatch.setattr(dev.os, "geteuid", lambda: 0 if root else 1000)
    monkeypatch.setattr(dev, "_apt_install", lambda *packages, required: calls.append((packages, required)))
    dev.ensure_chromium()
    return calls


def test_browser_tests_get_a_cjk_font_when_it_is_missing(monkeypatch, tmp_path):
    """Without a CJK font chromium draws the Chinese of every screenshot as boxes: the test command installs
    fonts-noto-cjk the way it installs chromium (as root, with apt-get), and nothing once both are there."""
    dev = _dev()
    assert _apt_calls(dev, monkeypatch, tmp_path, chromium=True, font=True) == []
    assert _apt_calls(dev, monkeypatch, tmp_path, chromium=True, font=False) == [(("fonts-noto-cjk",), False)]
    assert _apt_calls(dev, monkeypatch, tmp_path, chromium=True, font=False, root=False) == []


def test_a_missing_chromium_comes_with_the_font(monkeypatch, tmp_path):
    dev = _dev()
    assert _apt_calls(dev, monkeypatch, tmp_path, chromium=False, font=False) == [
        (("chromium", "fonts-noto-cjk"), True)
    ]
    assert _apt_calls(dev, monkeypatch, tmp_path, chromium=False, font=True) == [(("chromium",), True)]


def test_the_font_check_looks_in_the_font_folders(tmp_path, monkeypatch):
    dev = _dev()
    monkeypatch.setattr(dev, "CJK_FONTS", ((str(tmp_path), "NotoSansCJK*"),))
    assert not dev._cjk_font_present()
    (tmp_path / "NotoSansCJK-Regular.ttc").write_bytes(b"")
    assert dev._cjk_font_present()
