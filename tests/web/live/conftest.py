# The ASGI server and the channel layers (in-memory, Redis) the socket tests run against.
from tests.asgi_server import asgi_server, channel_layer  # noqa: F401
