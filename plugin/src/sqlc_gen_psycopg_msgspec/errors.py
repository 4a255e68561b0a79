"""The one error type the plugin reports: a message for the user, never a traceback."""


class PluginError(Exception):
    """A problem in the request, the options or the queries, described for the user."""
