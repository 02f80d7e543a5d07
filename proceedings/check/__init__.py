"""The check stage: hostile submissions kept out of the build, and built output proven fit to publish.

Before the build, a submission is an untrusted package of MyST Markdown, ``.bib`` files and figures. Left
alone, Sphinx would copy raw HTML into the site, read files named by ``{include}`` or an
image path, publish whatever ``{download}`` names, and obey a file's own ``myst:``
settings (see DESIGN.md, "Untrusted MyST is dangerous"). Each of these is refused here,
before the build, with the file and line the organizer has to look at.

The Markdown is parsed by myst-parser's own markdown-it setup, so the scan sees the
tokens Sphinx renders. Directive bodies, which docutils parses only later, are split
into options and body by myst-parser's own function and scanned the same way.

Math is TeX that reaches xelatex as it is: every formula is held to the math commands
of MathJax and amsmath (:mod:`.math`). Metadata fields are rendered too, so every
field from every source goes through the same scan (:mod:`.fields`). Figures and
PDFs are checked by their bytes and rewritten without the metadata that can name
their authors (:mod:`.images`, :mod:`.pdfs`); names are compared in one normalised
form (:mod:`.leaks`).

Every finding is a :class:`Threat` whose ``field`` comes from :data:`FIELDS`.

After the build, :func:`check_output` audits what would be published (:mod:`.output`).
"""
