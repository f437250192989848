"""Two roles and a directive of our own, and two fixes to the published pages.

The roles ``{cited}`...``` and ``{calc}`...``` mark a number in prose as taken from a source (a
paper, a dataset's documentation) or as a calculation a reader can redo; they render the text
unchanged, with a tooltip naming the kind.  ``tremorlab.prose`` checks that every figure in the
book's prose is glued, cited or calculated.

The directive ``{tolerances} CHAPTER`` renders the chapter's tolerance file
(``notebooks/tolerances/<chapter>.toml``, read by :func:`tremorlab.repro.load_tolerances`) as a
table: each kind of quantity, the tolerance it is checked with on another CPU, and how that was
measured.  The reproducibility page shows every chapter's this way, so it cannot drift from the
files ``make test`` uses.

The fixes are for problems between third-party packages:

1. Repeated ``<script>`` entries.  sphinx-thebe and sphinx-togglebutton add inline scripts that
   Sphinx 7 records twice (once with ``filename=None``, once with ``""``), so every page declared
   ``const THEBE_JS_URL`` twice and the browser raised a SyntaxError on every page.
2. Widgets with a description on pages with MathJax.  The offline ipywidgets manager
   (@jupyter-widgets/html-manager 1.0.6) typesets widget labels with the MathJax 2 call
   ``MathJax.Hub.Queue``, but the book loads MathJax 3, which has no ``Hub``: every labelled widget
   raised a TypeError.  A small shim gives MathJax 3 a ``Hub.Queue`` that calls ``typesetPromise``.
"""

MATHJAX2_SHIM = """(function () {
  var hub = {Queue: function (job) {
    var mj = window.MathJax, el = job && job[2];
    if (mj && mj.typesetPromise) { mj.typesetPromise(el ? [el] : undefined).catch(function () {}); }
  }};
  var current = window.MathJax;
  function attach(v) { if (v && typeof v === "object" && !v.Hub) { try { v.Hub = hub; } catch (e) {} } }
  attach(current);
  Object.defineProperty(window, "MathJax", {configurable: true,
    get: function () { return current; }, set: function (v) { current = v; attach(v); }});
})();"""


def _key(js):
    return (getattr(js, "filename", None) or "", tuple(sorted(getattr(js, "attributes", {}).items())))


def dedupe(app, pagename, templatename, context, doctree):
    files = context.get("script_files")
    if not files:
        return
    seen, kept = set(), []
    for js in files:
        k = _key(js)
        if k not in seen:
            seen.add(k)
            kept.append(js)
    files[:] = kept


def _marked(kind):
    from docutils import nodes

    def role(name, rawtext, text, lineno, inliner, options=None, content=None):
        node = nodes.inline(rawtext, text, classes=[f"tl-{kind}"])
        node["title"] = kind
        return [node], []

    return role


def _table(header, rows, widths):
    from docutils import nodes

    def row(cells, kind=nodes.row):
        r = kind()
        for c in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=str(c))
            r += entry
        return r

    table, group = nodes.table(classes=["tl-tolerances"]), nodes.tgroup(cols=len(header))
    for w in widths:
        group += nodes.colspec(colwidth=w)
    head, body = nodes.thead(), nodes.tbody()
    head += row(header)
    for cells in rows:
        body += row(cells)
    group += head
    group += body
    table += group
    return table


def _tolerances_directive():
    from docutils import nodes
    from docutils.parsers.rst import Directive

    class Tolerances(Directive):
        """``{tolerances} CHAPTER``: the chapter's measured tolerances as a table."""

        required_arguments = 1

        def run(self):
            from tremorlab import repro

            chapter = self.arguments[0]
            tols = repro.load_tolerances(chapter)
            self.state.document.settings.record_dependencies.add(str(repro.TOLERANCE_DIR / f"{chapter}.toml"))
            if not tols:
                return [nodes.paragraph(text=f"{chapter}: no tolerance file; every number is compared to float noise "
                                             f"(relative {repro.FLOAT_NOISE[0]:g}), texts and verdicts exactly.")]
            rows = [(t.pattern.replace("[[]", "[").replace("[]]", "]"), "not compared" if t.ignore else t.describe().split(" (")[0], t.measured) for t in tols]
            return [_table(("quantity (pattern)", "tolerance on another CPU or seed", "how it was measured"), rows,
                           (30, 15, 55))]

    return Tolerances


def setup(app):
    app.add_directive("tolerances", _tolerances_directive())
    app.add_role("cited", _marked("cited"))
    app.add_role("calc", _marked("calc"))
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=100)
    app.connect("html-page-context", dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
