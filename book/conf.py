"""Sphinx configuration of the course website (``make book``; see book/build.py).

The site is built from the notebooks' stored outputs, never by executing them,
and every script it loads is served by the site itself: MathJax, require.js and
the ipywidgets HTML manager come from npm (package.json / package-lock.json).
book/build.py copies them, and the site's own files from book/static/, into the
source folder's ``_vendor``, which Sphinx copies to ``_static``. (A vendored
folder named ``_static`` would get a script tag for every .js file in it;
``_vendor`` does not.)
"""

project = "Gaussian mixtures and EM, step by step"
author = "gmm_teach contributors"
copyright = "the gmm_teach contributors; lessons CC BY 4.0, code MIT"

# githubpages: a .nojekyll file, so that GitHub Pages serves _static/ and _images/.
extensions = ["myst_nb", "sphinx.ext.githubpages"]
# myst-nb reads .ipynb and .md: index.md is the entry page, the lessons are notebooks.
exclude_patterns = ["_build", "_vendor", "**.ipynb_checkpoints"]

# The stored outputs are the lesson: show them, never run anything.
nb_execution_mode = "off"
# The folded answers are raw HTML <details> blocks in the markdown cells.
myst_enable_extensions = ["dollarmath", "amsmath", "html_image"]
# Jupyter (MathJax) takes $$...$$ inside a paragraph or a list item as display math; so must MyST.
myst_dmath_double_inline = True

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_vendor"]
html_css_files = ["css/site.css"]
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    # No links to GitHub, Binder or Colab: a plain folder of files that works offline.
    "use_repository_button": False,
}
html_last_updated_fmt = None
html_show_sourcelink = False

# Local MathJax 3 (npm `mathjax`), the CHTML build; its fonts load relative to it.
mathjax_path = "js/mathjax/tex-mml-chtml.js"
# The folded answers are raw HTML, which MyST leaves as it is: their $...$ reach the
# page as text. Jupyter typesets them, so the site's MathJax takes $ as a delimiter
# (never inside pre or code: MathJax skips those), and static/js/mathjax-ipywidgets.js
# lets it into the <details> blocks, which myst-nb's "mathjax_ignore" would exclude.
mathjax3_config = {
    "tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]], "processEscapes": True},
}

# require.js first, then the HTML manager (npm @jupyter-widgets/html-manager 1.0.15,
# for ipywidgets 8; myst-nb's default is 1.0.6 from a CDN). Paths are relative to
# _static. Only core widgets are used, so no module is fetched from a
# CDN; data-jupyter-widgets-cdn-only with a local CDN makes sure none ever is.
nb_ipywidgets_js = {
    "js/require.js": {},
    "js/html-manager/embed-amd.js": {
        "data-jupyter-widgets-cdn": "_static/js/widgets-cdn/",
        "data-jupyter-widgets-cdn-only": "",
    },
}


# The theme (pydata-sphinx-theme) draws its icons with Font Awesome's JavaScript,
# which by default watches the page and replaces every <i class="fa ..."> it sees
# with an <svg>, also those the widgets add later. The Play widget then finds no
# <i> to switch between play and pause and throws ("Cannot set properties of
# undefined (setting 'className')") inside the model's change event, before the
# jslinks' handlers run: the links act on nothing, Play does not play. Font
# Awesome reads this before its deferred script runs: it still converts the
# theme's icons once the page is parsed, and leaves the widgets' icons (drawn by
# the HTML manager's own fonts) alone.
FONTAWESOME_CONFIG = "window.FontAwesomeConfig = {observeMutations: false};"


def setup(app):
    app.add_js_file(None, body=FONTAWESOME_CONFIG, priority=1)
    # After Sphinx's MathJax configuration (priority 500), before MathJax runs (deferred).
    app.add_js_file("js/mathjax-ipywidgets.js", priority=501)
