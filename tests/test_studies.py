"""Every chapter's closing table comes from its study module; no notebook computes a verdict."""

import json
import re

import pytest

from tremorlab import studies
from tremorlab.paths import NOTEBOOKS

CHAPTERS = sorted(studies.MODULES)
# what computing a verdict in a notebook looks like
INLINE = re.compile(r"report\.comparison\(|verdicts\.|difference_verdict|[\"'](?:not )?reproduced[\"']|[\"']tie[\"']")


def code_cells(chapter):
    nb = json.loads((NOTEBOOKS / f"{chapter}.ipynb").read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_a_study_module_with_cited_numbers(chapter):
    mod = studies.for_chapter(chapter)
    assert mod.CHAPTER == chapter
    assert callable(mod.comparisons)
    assert mod.PAPER and all(isinstance(v, studies.Cited) for v in mod.PAPER.values())


#: every notebook of the book with a closing table -> the study function that builds it
CLOSING = {ch: f"{mod}.comparisons(" for ch, mod in studies.MODULES.items()}
CLOSING["pen-session"] = "smart_pen.session_comparisons("


def test_every_notebook_of_the_book_is_covered():
    assert {p.stem for p in NOTEBOOKS.glob("*.ipynb") if not p.name.startswith(".")} == set(CLOSING)


@pytest.mark.parametrize("chapter", sorted(CLOSING))
def test_no_notebook_computes_a_verdict(chapter):
    cells = code_cells(chapter)
    inline = [c.splitlines()[0] for c in cells if INLINE.search(c)]
    assert not inline, f"{chapter}: verdicts computed in the notebook, move them to tremorlab.studies: {inline}"
    assert any(CLOSING[chapter] in c for c in cells), \
        f"{chapter}: the closing cell should call tremorlab.studies.{CLOSING[chapter]}...)"


def test_cited_needs_a_source():
    with pytest.raises(ValueError, match="source"):
        studies.Cited(88.44, "")


def test_unknown_chapter():
    with pytest.raises(KeyError, match="no study module"):
        studies.for_chapter("07-nothing")
