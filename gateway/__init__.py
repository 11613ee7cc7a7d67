"""FVI's HTTP gateway: a FastAPI app in front of Triton's `fvi` model, with a web page to try it."""

from gateway.app import create_app
from gateway.server import GatewayError, GatewayServer
from gateway.settings import Settings

__all__ = ["GatewayError", "GatewayServer", "Settings", "create_app"]
