#!/usr/bin/env bash
# The system packages the papers and figures need, installed when missing (Debian/Ubuntu, apt):
# XeLaTeX with xeCJK and the LaTeX packages of the paper template, pandoc (markdown -> LaTeX),
# Noto CJK fonts (Chinese names in figures and PDFs) and poppler-utils (pdftotext, pdftoppm).
# With --browser, also Chromium (Debian's chromium), in which the tests open the HTML papers and
# JupyterLab: the README's test command asks for it, its main job does not pay for it.
# Called by both setup commands of the README; does nothing when everything is there.
set -euo pipefail

PACKAGES="texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
          texlive-lang-chinese lmodern fonts-noto-cjk fontconfig pandoc poppler-utils"
TOOLS="xelatex pandoc pdftotext pdftoppm fc-list kpsewhich"
WHAT="XeLaTeX, xeCJK, pandoc, Noto CJK and poppler-utils"
case "${1:-}" in
    --browser) PACKAGES="$PACKAGES chromium"; TOOLS="$TOOLS chromium"; WHAT="$WHAT, and Chromium" ;;
    "") ;;
    *) echo "usage: $0 [--browser]" >&2; exit 2 ;;
esac

missing=""
for tool in $TOOLS; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -z "$missing" ]; then
    for file in xeCJK.sty adjustbox.sty booktabs.sty caption.sty pzdr.tfm; do
        [ -n "$(kpsewhich "$file" 2>/dev/null)" ] || missing="$missing $file"
    done
    [ -n "$(fc-list :lang=zh family 2>/dev/null)" ] || missing="$missing CJK-font"
fi
if [ -z "$missing" ]; then
    echo "system packages: $WHAT are installed"
    exit 0
fi
echo "system packages: missing$missing; installing: $(echo $PACKAGES)"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "no apt-get here: install a TeX distribution with XeLaTeX and xeCJK, pandoc, a Noto CJK font" \
         "and poppler (macOS: brew install --cask mactex-no-gui; brew install pandoc poppler font-noto-sans-cjk-sc)" \
         "${1:+and Chromium (brew install --cask chromium; RESEARCH_CHROMIUM=/path/to/chromium for the tests)}" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo="sudo" || { echo "run as root or install sudo" >&2; exit 1; }
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $PACKAGES >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends $PACKAGES >/dev/null; }
echo "system packages installed"
