"""Drop repeated <script> entries from every page.

sphinx-thebe and sphinx-togglebutton add inline scripts that Sphinx 7 records twice (once with
``filename=None``, once with ``""``), so every page declared ``const THEBE_JS_URL`` twice and the
browser raised a SyntaxError on every page.
"""


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


def setup(app):
    app.connect("html-page-context", dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
