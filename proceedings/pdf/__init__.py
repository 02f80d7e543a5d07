"""The PDF stage: LaTeX settings for the volume, latexmk, and the finish (publish and cut).

:mod:`.latex` configures Sphinx's LaTeX builder, :mod:`.compile` runs latexmk,
:mod:`.cut` publishes each volume and cuts one PDF per paper out of it, and
:mod:`.sanitize` cleans PDFs that authors submit themselves.
"""
