"""Golden outputs of the plugin for the corpus; regenerate with `python -m tests.codegen.update_goldens`."""
