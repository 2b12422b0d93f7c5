"""Sphinx configuration of Glance's documentation (`make docs`)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The source tree first, so the tables are read from this checkout's code
# even when another Glance is installed; then the local extension.
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "_ext"))

project = "Glance"
author = "The Glance authors"
copyright = "the Glance authors"
version = release = "0.1.0"

extensions = ["optionstable"]

root_doc = "index"
exclude_patterns = ["_build", "_ext"]
templates_path = []
highlight_language = "none"

html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["glance.css"]
html_title = "Glance"
html_show_sourcelink = False
html_theme_options = {
    "description": "Discover, register and retrieve virtual-machine images over HTTP.",
    "page_width": "1100px",
    "sidebar_width": "220px",
}
