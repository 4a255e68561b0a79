"""The composition root: settings, CLI, server runner, database start-up, ``create_app``."""
