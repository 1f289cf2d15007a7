"""The look of every figure: a CJK font for Chinese names, one colour per listing, readable dates.

Chinese company names (海康威视, 大华股份) need a font with CJK glyphs; matplotlib's default
(DejaVu Sans) has none and draws empty boxes. :func:`cjk_font` finds Noto Sans CJK (Debian:
``fonts-noto-cjk``) among the fonts matplotlib knows, registers the file when matplotlib's font
cache predates its installation, and fails with a message saying what to install when there is
none. :func:`rc` is the set of rcParams every figure of the kit is drawn with; Latin text stays
in DejaVu Sans and falls back to the CJK font glyph by glyph.

Colours are a property of the listing, not of the figure: :func:`listing_colour` gives each
ticker of ``data/securities.csv`` the same colour in every notebook and paper (its row in the
registry picks a colour of :data:`PALETTE`); benchmarks are grey.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from research import config
from research.errors import ResearchError
from research.securities import EXCHANGE_NAMES, exchange_name  # noqa: F401  (the one map; figures use it here)

#: CJK font families tried in order (Simplified Chinese first: the names are mainland ones).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Noto Sans CJK JP",
                "WenQuanYi Zen Hei", "AR PL UMing CN")

#: Where font packages put their files when fontconfig cannot be asked.
_FONT_GLOBS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
               "/usr/share/fonts/**/NotoSansCJK*-Regular.*",
               "/usr/share/fonts/**/NotoSansSC-Regular.*",
               "/usr/local/share/fonts/**/NotoSansCJK*-Regular.*",
               "/Library/Fonts/NotoSansCJK*-Regular.*",
               "~/.local/share/fonts/**/NotoSansCJK*-Regular.*",
               "~/Library/Fonts/NotoSansCJK*-Regular.*")

INSTALL_HINT = ("install Noto Sans CJK (Debian/Ubuntu: `apt-get install fonts-noto-cjk`; "
                "conda: `conda install -c conda-forge font-ttf-noto-cjk`; macOS: brew install "
                "--cask font-noto-sans-cjk-sc), or set RESEARCH_CJK_FONT to a .ttf/.otf/.ttc file")

#: Colours for listings, in registry order: distinguishable, print- and colour-blind-aware first.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7B3294",
           "#2CA02C", "#9467BD", "#8C564B", "#17BECF", "#B8860B", "#999933", "#6A3D9A",
           "#E7298A", "#66A61E", "#A6761D", "#7570B3", "#FF7F00", "#1F78B4", "#B15928",
           "#33A02C", "#FB9A99", "#1A1A80")

BENCHMARK_COLOUR = "#4D4D4D"
ANNOUNCEMENT_COLOUR = "#C00000"

#: Colours per role (the overview's grouping) and per exchange.
ROLE_COLOURS = {"designated": "#D55E00", "partner": "#0072B2", "supplier": "#009E73",
                "other_line": "#CC79A7", "peer": "#E69F00"}
EXCHANGE_COLOURS = {"XSHE": "#B22222", "XSHG": "#E9967A", "XHKG": "#1F78B4", "XNYS": "#2E8B57",
                    "XNAS": "#66C2A5"}


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The family name of a CJK font matplotlib can draw with, registering its file if needed.

    Returns
    -------
    str
        A family name usable in ``rcParams["font.family"]``, e.g. ``"Noto Sans CJK SC"``.

    Raises
    ------
    ResearchError
        When no CJK font is installed (the message says what to install).
    """
    from matplotlib import font_manager

    override = config.cjk_font()
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise ResearchError(f"RESEARCH_CJK_FONT={override} is not a font file; {INSTALL_HINT}")
        return _register(path, font_manager)
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    for path in _font_files():
        try:
            family = _register(path, font_manager)
        except ResearchError:
            continue
        for bold in _bold_files(path):  # titles are bold: without the bold face they fall back
            try:
                _register(bold, font_manager)
            except ResearchError:
                pass
        return family
    raise ResearchError(f"no CJK font found for the Chinese names in figures: {INSTALL_HINT}")


def _font_files() -> list[Path]:
    """Candidate CJK font files: fontconfig's answer first, then the usual install locations."""
    found: list[Path] = []
    if shutil.which("fc-match"):
        for family in CJK_FAMILIES[:2]:
            try:
                out = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:lang=zh-cn"],
                                     capture_output=True, text=True, timeout=10).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                out = ""
            if out and any(key in Path(out).name for key in ("CJK", "SC", "wqy", "uming")):
                found.append(Path(out))
    for pattern in _FONT_GLOBS:
        found.extend(Path(p) for p in sorted(glob.glob(os.path.expanduser(pattern), recursive=True)))
    return list(dict.fromkeys(p for p in found if p.is_file()))


def _bold_files(regular: Path) -> list[Path]:
    """The bold face beside a regular font file (``...-Regular.ttc`` -> ``...-Bold.ttc``)."""
    candidate = regular.with_name(regular.name.replace("Regular", "Bold"))
    return [candidate] if candidate != regular and candidate.is_file() else []


def _register(path: Path, font_manager) -> str:
    """Add ``path`` to matplotlib's fonts; the family of its Simplified Chinese face (or first)."""
    before = {f.name for f in font_manager.fontManager.ttflist}
    try:
        font_manager.fontManager.addfont(str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        raise ResearchError(f"cannot read the font file {path}: {exc}; {INSTALL_HINT}") from None
    names = [f.name for f in font_manager.fontManager.ttflist if f.fname == str(path)]
    for family in CJK_FAMILIES:
        if family in names:
            return family
    new = [n for n in names if n not in before] or names
    if not new:
        raise ResearchError(f"{path} holds no usable face; {INSTALL_HINT}")
    return sorted(new)[0]


def rc() -> dict:
    """rcParams of the kit's figures (used with ``matplotlib.rc_context``).

    Type 3 PDF fonts: matplotlib subsets a CJK OpenType collection as Type 42 only slowly
    (seconds per figure); Type 3 keeps the glyphs as vector outlines with their Unicode
    mapping, so ``pdftotext`` still reads 海康威视 from the figure.
    """
    return {
        "font.family": ["DejaVu Sans", cjk_font()],
        "font.size": 9.5,
        "axes.titlesize": 10.5,
        "axes.titleweight": "bold",
        "axes.labelsize": 9.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#DDDDDD",
        "grid.linewidth": 0.6,
        "legend.fontsize": 8.5,
        "legend.frameon": False,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "figure.dpi": 110,
        "savefig.dpi": 200,
        "pdf.fonttype": 3,
        "axes.unicode_minus": True,
        "date.autoformatter.day": "%d %b\n%Y",
    }


@lru_cache(maxsize=1)
def _registry_order() -> dict[str, int]:
    from research.securities import load_registry

    try:
        registry = load_registry()
    except ResearchError:
        return {}
    listings = [t for t, s in registry.items() if s.kind != "index"]
    return {ticker: i for i, ticker in enumerate(listings)}


def listing_colour(ticker: str) -> str:
    """The colour of ``ticker`` in every figure: by its row in the registry; benchmarks grey.

    A ticker the registry does not hold gets a colour from a hash of its name, so it is
    still the same in every figure.
    """
    from research.securities import load_registry

    try:
        security = load_registry().get(ticker)
    except ResearchError:
        security = None
    if security is not None and security.kind == "index":
        return BENCHMARK_COLOUR
    order = _registry_order()
    if ticker in order:
        return PALETTE[order[ticker] % len(PALETTE)]
    digest = int(hashlib.sha256(ticker.encode()).hexdigest(), 16)
    return PALETTE[digest % len(PALETTE)]
