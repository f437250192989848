"""Every figure in the book's prose is glued from execution, or marked as a citation or a calculation.

The book's intro promises that every number in it is produced by code.  Prose is where that promise
breaks silently: a number typed into a paragraph does not follow a re-run.  This module finds the
figures in the prose (notebook markdown cells and ``book/*.md``) that are none of

* **glued** from the executed notebook: ``{glue:text}`name``` (or any other ``{glue...}`` role);
* **cited** from a paper, a dataset's documentation or a standard: ``{cited}`88.44 %```;
* **a calculation** a reader can redo by hand from cited or glued numbers, or a definition we chose
  (a band edge, a preset's size): ``{calc}`2 sin(pi / 10) = 0.618```.

The two roles render their text unchanged (``book/_ext/book_fixes.py`` registers them, with a
tooltip that says which kind of number it is).

What is *not* a figure: anything inside code (fenced or inline), maths, roles, link targets and
HTML; numbers that are part of a name (``MobileNetV2``, ``x86-64``, ``Teensy 4.1``); section and
list numbering; labels that point somewhere (``Table 4``, ``chapter 2``, ``section 5``, ``Fig. 3``,
``case 6``); years (1900-2099); and the integers 0-10 with no unit (counts a reader checks by eye:
"two phases", "the 5 CRST grades 0-4").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from tremorlab.paths import ROOT

#: roles that mark a number as accounted for (``glue`` covers ``glue:text``, ``glue:md`` ...)
MARKING_ROLES = ("glue", "cited", "calc")

# names that carry a number; extend with care (each entry is a regular expression)
NAMES = [
    r"Teensy \d(\.\d)?", r"Python \d(\.\d+)*", r"Sphinx \d+", r"MathJax \d", r"JupyterLab \d(\.\d+)*",
    r"jupyter-book \d+", r"Jupyter Book \d+", r"ipywidgets \d+", r"torch \d(\.\d+)*", r"ISO \d+(-\d+)?",
    r"IEC \d+(-\d+)?", r"H\d00", r"ARM Cortex-M\d", r"\d+-bit", r"UTF-\d+",
    r"CC[ -]BY(-[A-Z]+)*[ -]\d\.\d", r"CC0 \d\.\d", r"PEP \d+",
    r"\b0\d-[a-z][\w-]*",  # chapter slugs: 00-data, 02-smart-pen-filters
    r"\bdoi:\S+", r"C\+\+\d+", r"\bfirmware \d+(\.\d+)*", r"(?<![\d.])\d+\.\d+\.\d+(?![\d.])",  # versions
]
LABEL_WORDS = (
    "Table", "Tables", "table", "tables", "Fig.", "Figs.", "Figure", "Figures", "figure", "figures", "Section",
    "Sections", "section", "sections", "§", "Chapter", "Chapters", "chapter", "chapters", "Eq.", "Eqs.", "Equation",
    "equation", "equations", "step", "steps", "Step", "case", "cases", "Case", "Cases", "objective", "objectives",
    "Objective", "dataset", "datasets", "Part", "part", "phase", "Phase", "phases", "page", "p.", "pp.", "Appendix",
    "row", "rows", "column", "columns", "task", "tasks", "Task", "Tasks", "issue", "Issue", "ch.", "Ch.", "stop",
    "seed", "fold", "folds", "test", "model", "group", "Group", "layer", "layers", "grade", "grades", "stage",
    "stages", "Stage", "level", "levels", "type", "Type", "item", "items", "version", "v", "line", "lines",
)
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(\{([\w:-]+)\})?")
_PROSE_DIRECTIVES = {"note", "warning", "tip", "important", "caution", "attention", "hint", "admonition",
                     "seealso", "dropdown", "margin", "sidebar", "epigraph", "topic", "danger", "error"}
_ROLE = re.compile(r"\{[\w:+-]+\}`[^`]*`")
_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\]\[[^\]]*\]|<https?://[^>]*>|https?://\S+")
_HTML = re.compile(r"<[^>\n]+>")
_NAME = re.compile("|".join(f"(?:{n})" for n in NAMES))
# a word that starts with a letter (or is digits glued to letters, 3D) and holds a digit: a name
_WORD = re.compile(r"(?<![\w.])(?:[A-Za-z_][\w]*|\d+[A-Za-z_]+\w*)(?:[-./][\w]+)*")
_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d{2}(?:[a-z])?(?![\d.]\d)")
_HEAD_OR_LIST = re.compile(r"^\s*(?:#{1,6}\s+(?:\d+(?:\.\d+)*\.?\s+)?|\d+[.)]\s+|[-*+]\s+)")
_LABEL = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in LABEL_WORDS) +
                    r")\s+\d+[a-z]?(?:\s*(?:,|and|or|-|–|to)\s*\d+[a-z]?)*")
_NUMBER = re.compile(r"(?<![\w.])[-+−]?\d+(?:[  ]\d{3})*(?:[.,]\d+)?(?:\s?%)?")


@dataclass(frozen=True)
class Figure:
    """A number in prose that is not glued, cited or marked as a calculation."""

    source: str
    line: int
    number: str
    context: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.number!r} in \u00ab{self.context}\u00bb"


def _blank(m: re.Match) -> str:
    return " " * (m.end() - m.start())


def _strip(line: str) -> str:
    """The line with every exempt span replaced by spaces (positions kept)."""
    for rx in (_ROLE, _CODE, _MATH, _LINK_TARGET, _HTML, _NAME, _LABEL, _YEAR):
        line = rx.sub(_blank, line)
    line = _WORD.sub(lambda m: _blank(m) if any(c.isdigit() for c in m.group(0)) else m.group(0), line)
    return _HEAD_OR_LIST.sub(_blank, line)


def figures_in(text: str, source: str = "<text>") -> list[Figure]:
    """The unaccounted figures of a markdown text."""
    out, fence, fence_prose = [], None, False
    in_math_block = False
    for n, line in enumerate(text.splitlines(), 1):
        m = _FENCE.match(line)
        if fence is None and m:
            fence, fence_prose = m.group(2), (m.group(4) or "") in _PROSE_DIRECTIVES
            continue
        if fence is not None:
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
                continue
            if not fence_prose or re.match(r"^\s*:[\w-]+:", line):
                continue
        if line.strip().startswith("$$"):
            if not (line.strip().endswith("$$") and len(line.strip()) > 2):
                in_math_block = not in_math_block
            continue
        if in_math_block:
            continue
        stripped = _strip(line)
        for nm in _NUMBER.finditer(stripped):
            token = nm.group(0).strip()
            if re.fullmatch(r"[-+−]?(?:\d|10)", token) and not _unit_word(stripped[nm.end():]):
                continue  # a small count
            lo, hi = max(0, nm.start() - 40), min(len(line), nm.end() + 40)
            out.append(Figure(source, n, token, line[lo:hi].strip()))
    return out


#: words after a small integer that make it a measurement rather than a count
UNITS = ("%", "Hz", "kHz", "MHz", "dB", "ms", "s", "min", "h", "g", "mm", "cm", "m", "px", "M", "G", "GB", "GiB",
         "MB", "MiB", "kB", "V", "mV", "µV", "uV", "pp", "points", "x", "°", "deg", "bits", "fps", "ns", "µs", "times", "us")


def _unit_word(rest: str) -> bool:
    m = re.match(r"^\s?(%|[A-Za-zµμ°]+)", rest)
    return bool(m) and m.group(1) in UNITS


def notebook_markdown(path: Path) -> list[tuple[int, str]]:
    """A notebook's markdown cells as ``(cell index, text)``."""
    nb = json.loads(Path(path).read_text())
    return [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"]


def book_sources(root: Path) -> list[Path]:
    """The files of the book's table of contents (``_toc.yml``), markdown and notebooks."""
    import yaml

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text())
    names = [toc["root"]]
    for part in toc.get("parts", []):
        for ch in part.get("chapters", []):
            names.append(ch["file"])
            names += [s["file"] for s in ch.get("sections", [])]
    out = []
    for name in names:
        for ext in (".md", ".ipynb"):
            p = Path(root) / f"{name}{ext}"
            if p.is_file():
                out.append(p)
    return out


def check_book(root: Path) -> list[Figure]:
    """The unaccounted figures of every page of the book."""
    found = []
    for p in book_sources(root):
        rel = str(Path(p).relative_to(root))
        if p.suffix == ".ipynb":
            for i, text in notebook_markdown(p):
                found += figures_in(text, f"{rel} [cell {i}]")
        else:
            found += figures_in(p.read_text(), rel)
    return found


def main(argv=None) -> int:
    """``python -m tremorlab.prose [FILE ...]``: list the unaccounted figures (the whole book by default)."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        found = check_book(ROOT)
    else:
        found = []
        for a in args:
            p = Path(a)
            if p.suffix == ".ipynb":
                for i, text in notebook_markdown(p):
                    found += figures_in(text, f"{a} [cell {i}]")
            else:
                found += figures_in(p.read_text(), a)
    for f in found:
        print(f)
    print(f"{len(found)} unaccounted figure(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
