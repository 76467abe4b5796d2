"""The command-line front ends (presentation, like ``ui/``): ``python -m lookup``
and ``python -m linkage`` hand over to ``cli.lookup`` and ``cli.linkage``, so
the domain folders never import ``governance`` for their own commands."""
