"""Types the test corpus maps columns to through the plugin's `overrides` option."""

import msgspec


class AuthorSettings(msgspec.Struct):
    """What authors.settings (jsonb) holds; generated code decodes and encodes it as this."""

    theme: str
    volume: int = 5
