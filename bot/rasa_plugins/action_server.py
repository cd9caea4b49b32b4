"""An action server that takes calls from the action gateway alone: `python -m bot.rasa_plugins.action_server`.

rasa_sdk answers whoever reaches its port. A process on the same machine, or a tunnel, could run any action
with a tracker of its own making: store a consultation request in the firm's name, or read what an action
answers about a made-up case. Here every call to /webhook must carry ACTION_SERVER_TOKEN in
X-Action-Server-Token, which the gateway adds (action_gateway.py) and which is compared in constant time;
/health stays open for the checks of a load balancer.

The check is attached through rasa_sdk's own plug-in hook (attach_sanic_app_extensions), registered before
rasa_sdk's command line runs: the server, its options and its logs are rasa_sdk's, unchanged.
"""

from __future__ import annotations

import hmac
import logging
import sys
from typing import Mapping, Optional

import pluggy
from rasa_sdk import __main__ as rasa_sdk_main
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import ACTION_SERVER_TOKEN_HEADER, action_gateway_settings

logger = logging.getLogger(__name__)

OPEN_PATHS = ("/health",)

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def is_the_gateways_call(headers: Mapping[str, str], token: str) -> bool:
    given = headers.get(ACTION_SERVER_TOKEN_HEADER, "")
    return bool(token) and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


class GatewayOnly:
    """rasa_sdk's plug-in: refuses every call to the actions that does not carry the token."""

    def __init__(self, token: str):
        self.token = token

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        @app.on_request
        async def refuse_other_callers(request: Request) -> Optional[HTTPResponse]:
            if request.path in OPEN_PATHS or is_the_gateways_call(request.headers, self.token):
                return None
            return response.json({"error": "only the assistant's action gateway may call this server"}, status=403)


def main() -> None:
    token = action_gateway_settings().server_token
    if not token or token.startswith("change-me"):
        # deploy/env.example's value is public: with it anyone on the host could call the actions.
        sys.exit(
            "ACTION_SERVER_TOKEN is not set, or is still the example's: the action server would take calls from "
            "anyone who reaches its port. Give Rasa and the action servers the same random value "
            "(`make` keeps one in var/action-server-token)."
        )
    plugin_manager().register(GatewayOnly(token))
    rasa_sdk_main.main()


if __name__ == "__main__":
    main()
