"""Sphinx settings for the course website (tools/build_site.py copies this folder and the pages
into build/site-src/ and builds there).

Sphinx + myst-nb + sphinx-book-theme build offline; the lessons are shown with the outputs they
store (nothing is executed); maths is rendered by a local copy of MathJax (npm ``mathjax``,
copied into ``_static/mathjax/`` by the build), so no page asks a CDN for anything.
"""

from __future__ import annotations

project = "AI in Healthcare"
author = "AI in Healthcare curriculum authors"
copyright = "the AI in Healthcare curriculum authors; code MIT, lessons CC BY 4.0"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
language = "en"

# The lessons as stored: their outputs are the reference the tests compare against.
nb_execution_mode = "off"
nb_merge_streams = True
# No widget JavaScript from a CDN (no lesson uses widgets).
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "attrs_inline"]
myst_heading_anchors = 4
myst_links_external_new_tab = False

# Maths from the local copy: _static/mathjax/tex-mml-chtml.js (relative paths are relative to
# _static); its fonts and extensions load from beside it.
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax3_config = {"loader": {"load": []}, "options": {"enableMenu": True}}

html_theme = "sphinx_book_theme"
html_title = "AI in Healthcare"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_source_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "navigation_with_keys": False,
    # No analytics, no announcement fetched from anywhere.
    "analytics": {},
    "pygments_light_style": "a11y-high-contrast-light",
    "pygments_dark_style": "a11y-high-contrast-dark",
}
html_context = {"default_mode": "light"}

suppress_warnings: list[str] = []
nitpicky = True
