"""Sphinx extension: drop repeated <script> tags from every page.

With Jupyter Book 1.0.4 (sphinx-thebe 0.3, sphinx-togglebutton 0.3) each page gets the
thebe and togglebutton configuration scripts twice; the second
`const THEBE_JS_URL = ...` then fails with "Identifier 'THEBE_JS_URL' has already been
declared", a JavaScript error on every page.  Keeping the first copy of each identical
script fixes it without touching the packages.
"""

from __future__ import annotations


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        # The copies differ only in filename None vs "": both mean an inline script.
        key = (getattr(js, "filename", js) or "", repr(sorted(getattr(js, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
