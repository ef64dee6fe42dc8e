"""The CJK font for rendered documents (PDF notices and reports), shipped as a Python package.

It comes from PyPI into .venv with everything else (`cvttf-NotoSansCJK-Regular`: Noto Sans CJK, SIL OFL,
the pan-CJK OpenType font, simplified Chinese forms selected by the zh-Hans language tag), so the app
finds it by path on any machine: no system font package, no root (issue 23).
"""
from importlib import resources
from pathlib import Path

PACKAGE = "cvttf_NotoSansCJK_Regular"
FONT_SUFFIXES = (".otf", ".ttf", ".ttc")


def cjk_font_path() -> Path:
    """The font file's path; FileNotFoundError (naming the package) when the install is incomplete."""
    try:
        folder = resources.files(PACKAGE)
    except ModuleNotFoundError as exc:
        raise FileNotFoundError(f"CJK font package {PACKAGE} is not installed (make install)") from exc
    for entry in folder.iterdir():
        if entry.name.lower().endswith(FONT_SUFFIXES):
            return Path(str(entry))
    raise FileNotFoundError(f"no font file in {PACKAGE}")
