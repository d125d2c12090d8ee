"""How the client reports a refused request."""


class RequestError(Exception):
    """A refused request: the server's ERROR (code, message, ref), or a
    client-side failure (code 'disconnected', 'offline', 'timeout', 'closed')."""

    def __init__(self, code: str, message: str, ref=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref

    def __repr__(self) -> str:
        return f"RequestError({self.code!r}, {self.message!r}, {self.ref!r})"
