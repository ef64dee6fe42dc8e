"""The PDF renderer's CJK font is found by path inside .venv, without any system font (issue 23)."""
import os
import subprocess
import sys
from pathlib import Path

from services.fonts import cjk_font_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_cjk_font_ships_in_the_virtualenv_not_the_system():
    path = cjk_font_path()
    assert path.is_file() and path.stat().st_size > 10_000_000  # the whole pan-CJK font, not a subset
    assert path.resolve().is_relative_to(Path(sys.prefix).resolve())
    assert not str(path).startswith(("/usr/share/fonts", "/usr/local/share/fonts"))
    with path.open("rb") as font:
        assert font.read(4) in (b"OTTO", b"\x00\x01\x00\x00", b"ttcf")  # an OpenType/TrueType font file


def test_found_with_no_font_configuration_and_an_empty_home(tmp_path):
    """A fresh account: no fontconfig, no ~/.fonts, no XDG dirs; the path comes from the package alone."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "FONTCONFIG_FILE": "/dev/null",
           "XDG_DATA_DIRS": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", "from services.fonts import cjk_font_path; print(cjk_font_path())"],
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True)
    assert Path(out.stdout.strip()) == cjk_font_path()
