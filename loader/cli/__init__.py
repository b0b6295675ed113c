"""CLI stage: the ``skills`` command; argv in, rendered output and an exit code out.

``entry`` is the console script: it answers the hook, plain ``skills match``, ``validate``
(``validate_run``), ``rules`` (``rules_output``) and ``--version`` without importing typer
(start-up is most of their cost), and hands everything else to ``main``,
which maps errors to the exit codes it documents. ``app`` holds the typer application and the
options every command shares; one module per group of commands registers them. Only this
stage imports typer; renderers of diagnostics and match results live here too.
"""
