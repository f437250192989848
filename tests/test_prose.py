"""Every figure in the book's prose is glued, cited or a marked calculation (tremorlab.prose)."""

from pathlib import Path

import pytest

from tremorlab import prose
from tremorlab.paths import ROOT


def numbers(text):
    return [f.number for f in prose.figures_in(text)]


def test_a_typed_result_is_found():
    assert numbers("RLS ends at -37.4 dB, 8 times sooner, with 92.5 % accuracy over 997 images.") == \
        ["-37.4", "8", "92.5 %", "997"]


def test_glued_cited_and_calculated_numbers_are_accounted_for():
    text = ("ours {glue:text}`acc` against the paper's {cited}`88.44 %`, a gain of {calc}`88.44 - 87.44 = 1.00` "
            "points, as {cite:p}`peng2025` report in Table 4 of their 2025 paper.")
    assert numbers(text) == []


@pytest.mark.parametrize("text", [
    "`make test` runs `pytest -n 2` in 600 s",  # inline code: 600 is outside the code span, so it is found
])
def test_code_spans_only_cover_themselves(text):
    assert numbers(text) == ["600"]


@pytest.mark.parametrize("text", [
    "MobileNetV2, EfficientNet-Lite0, ResNet-50 and ConvNeXt on x86-64 with AVX2 or AVX-512",
    "the Teensy 4.1 drives the motor; SHA-256 sums; chapter 02-smart-pen-filters and 00-data",
    "see Table 4, Tables 2 and 3, Fig. 3, section 5, chapter 2, case 6 and objective 1",
    "## 5. A fair comparison", "1. first item", "two phases, 3 sets, grades 0-4",
    "$\\mu = 0.05$ and $$x = 12.5$$", "[the data](https://example.org/v/1.2.3)", "doi:10.1038/s41598-020-78611-9",
    "<img src='a.png' width=400>",
])
def test_names_labels_code_and_maths_are_not_figures(text):
    assert numbers(text) == []


def test_small_counts_with_a_unit_are_figures():
    assert numbers("two cores, 8 subjects, a 5 ms lag, 3 Hz and 4 GB") == ["5", "3", "4"]


def test_fenced_code_is_skipped_but_admonitions_are_prose():
    text = "```python\nx = 123.4\n```\n```{note}\n:class: tip\nRLS reaches -29.2 dB\n```\n"
    assert [(f.line, f.number) for f in prose.figures_in(text)] == [(6, "-29.2")]


def test_notebook_findings_name_the_cell(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1234"),
                                         nbformat.v4.new_markdown_cell("accuracy 91.5 %")])
    (tmp_path / "nb.ipynb").write_text(nbformat.writes(nb))
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: nb\n")
    (f,) = prose.check_book(tmp_path)
    assert f.source == "nb.ipynb [cell 1]" and f.number == "91.5 %"


def test_the_book_has_no_untagged_figure():
    found = prose.check_book(ROOT)
    assert not found, (f"{len(found)} figure(s) in the book's prose are neither glued ({{glue:text}}`key`), "
                       "cited ({cited}`...`) nor a marked calculation ({calc}`...`):\n" +
                       "\n".join(map(str, found[:80])))


def test_versions_are_names():
    assert numbers("the C++17 core; firmware 1.1 speaks protocol version 2; bqplot 0.13.1") == []
