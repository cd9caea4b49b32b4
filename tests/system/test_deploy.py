"""deploy/: what can be checked of the production configuration on one machine, without systemd running."""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional, Set

import pytest
import yaml
from rasa.core.channels.channel import InputChannel, register
from rasa.core.lock_store import LockStore
from rasa.core.run import create_http_input_channels
from rasa.core.tracker_store import TrackerStore
from rasa.shared.utils.common import class_from_module_path
from rasa.utils.endpoints import read_endpoint_config
from sanic import Sanic

from bot.settings import ACTION_SERVER_TOKEN_HEADER, MAX_FILE_BYTES
from tests.ports import free_port

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX_CONF = DEPLOY / "nginx" / "entree-express.conf"
ENV_EXAMPLE = DEPLOY / "env.example"
UNITS = DEPLOY / "systemd"
INSTALL_DIR = "/opt/entree-express"
RASA_API_PATHS = ["/model", "/model/train", "/conversations/someone/tracker", "/status", "/version", "/domain"]
GATEWAY_PATH = "/webhooks/action_gateway/webhook"
HARDENING = (
    "User=entree-express",
    "EnvironmentFile=/etc/entree-express/env",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "PrivateTmp=yes",
    "Restart=on-failure",
)


def nginx_text() -> str:
    return NGINX_CONF.read_text(encoding="utf-8")


def proxied_prefixes() -> Dict[str, str]:
    """Each `location ^~ /path/` or `location = /path` block of the conf with a `proxy_pass http://upstream;`:
    path -> upstream."""
    blocks = re.findall(r"location\s+(?:\^~|=)\s+(\S+)\s*\{([^}]*)\}", nginx_text())
    upstreams = {path: re.search(r"proxy_pass\s+http://(\w+);", body) for path, body in blocks}
    return {path: found.group(1) for path, found in upstreams.items() if found}


def rasa_routes(credentials: str = "credentials.yml") -> Set[str]:
    """The paths `rasa run --credentials <credentials>` serves, as Rasa registers them."""
    channels = create_http_input_channels(None, str(ROOT / credentials))
    app = Sanic(f"deploy_routes_{time.monotonic_ns()}")
    register(channels, app, route="/webhooks/")
    app.router.finalize()
    return {"/" + route.path.strip("/") for route in app.router.routes}


@pytest.mark.parametrize("name", ["endpoints.yml", "endpoints-gateway.yml"])
def test_endpoints_name_importable_classes_of_the_right_kind(monkeypatch, name):
    monkeypatch.setenv("RASA_PORT", "5123")
    monkeypatch.setenv("ACTION_GATEWAY_TOKEN", "t")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "s")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    path = str(ROOT / name)
    tracker = read_endpoint_config(path, "tracker_store")
    assert issubclass(class_from_module_path(tracker.type), TrackerStore)
    lock = read_endpoint_config(path, "lock_store")
    store = LockStore.create(lock)
    assert (
        type(store).__module__ + "." + type(store).__name__
        == lock.type
        == "bot.rasa_plugins.lock_store.AtomicRedisLockStore"
    )
    assert lock.kwargs["socket_timeout"] == 1
    assert store.key_prefix == "entree-express"


def test_rasa_commands_call_the_action_server_and_the_served_assistant_calls_its_gateway(monkeypatch):
    # `rasa shell`, `rasa interactive` and the rest read endpoints.yml and need no gateway route, which only
    # a credentials file can register; `make run`, `make serve` and production go through the gateway.
    monkeypatch.setenv("RASA_PORT", "5123")
    monkeypatch.setenv("ACTION_GATEWAY_TOKEN", "the-token")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "the-server-token")
    direct = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert direct.url == "http://localhost:5055/webhook"
    assert direct.headers == {ACTION_SERVER_TOKEN_HEADER: "the-server-token"}
    gateway = read_endpoint_config(str(ROOT / "endpoints-gateway.yml"), "action_endpoint")
    assert gateway.url == f"http://127.0.0.1:5123{GATEWAY_PATH}"
    assert gateway.headers == {"X-Action-Gateway-Token": "the-token"}


def test_the_two_endpoints_files_differ_only_in_the_action_endpoint():
    plain, gateway = (
        yaml.safe_load((ROOT / name).read_text(encoding="utf-8")) for name in ("endpoints.yml", "endpoints-gateway.yml")
    )
    assert plain.pop("action_endpoint") != gateway.pop("action_endpoint")
    assert plain == gateway


@pytest.mark.parametrize("credentials", ["credentials.yml", "credentials-shell.yml"])
def test_every_credentials_file_used_with_the_gateway_registers_its_route(credentials):
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8") + (UNITS / "entree-express-rasa@.service").read_text(
        encoding="utf-8"
    )
    assert f"--endpoints endpoints-gateway.yml --credentials {credentials}" in makefile
    assert GATEWAY_PATH in rasa_routes(credentials)


def test_credentials_yml_names_input_channels():
    for class_path in yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")):
        assert issubclass(class_from_module_path(class_path), InputChannel), class_path


def test_nginx_proxies_the_public_channels_each_to_its_upstream():
    assert proxied_prefixes() == {
        "/webhooks/rest/": "rasa_http",
        "/webhooks/rest/letter": "rasa_http",
        "/webhooks/messenger/": "rasa_http",
        "/webhooks/whatsapp/": "rasa_http",
        "/webhooks/twilio_whatsapp/": "rasa_http",
        "/socket.io/": "rasa_socketio",
    }
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", nginx_text()))
    assert "least_conn;" in upstreams["rasa_http"]
    assert "hash $remote_addr consistent;" in upstreams["rasa_socketio"]
    # The same replicas behind both: a replica added to one and not the other is a mistake.
    servers = {name: re.findall(r"server\s+(\S+)", body) for name, body in upstreams.items()}
    assert servers["rasa_http"] == servers["rasa_socketio"] and servers["rasa_http"]


def nginx_bytes(size: str) -> int:
    """An nginx size ("8000000", "8000k", "8m") in bytes: nginx's k and m are 1024 and 1024 * 1024."""
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", size).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def test_nginx_takes_a_letter_up_to_the_app_s_own_limit_and_holds_it_in_memory():
    letter = re.search(r"location\s+=\s+/webhooks/rest/letter\s*\{([^}]*)\}", nginx_text()).group(1)
    limit = nginx_bytes(re.search(r"client_max_body_size\s+(\S+);", letter).group(1))
    buffer = nginx_bytes(re.search(r"client_body_buffer_size\s+(\S+);", letter).group(1))
    assert limit == MAX_FILE_BYTES
    # A body larger than the buffer is written to a temporary file on disk.
    assert buffer >= limit


def test_every_proxied_path_is_a_route_of_rasa():
    routes = rasa_routes()
    for prefix in proxied_prefixes():
        assert any(route.startswith(prefix) or route + "/" == prefix for route in routes), prefix


def test_nginx_does_not_proxy_rasas_api_nor_the_action_gateway():
    # Every proxy_pass of the conf is one of the public prefixes: no other location reaches Rasa.
    assert nginx_text().count("proxy_pass") == len(proxied_prefixes())
    for path in RASA_API_PATHS + [GATEWAY_PATH, "/webhooks/action_gateway/"]:
        assert not any(path.startswith(prefix) for prefix in proxied_prefixes()), path
    # No catch-all to Rasa: `location /` serves files only.
    root_block = re.search(r"location\s+/\s*\{([^}]*)\}", nginx_text().split("listen 443", 1)[1]).group(1)
    assert "proxy_pass" not in root_block and "try_files" in root_block


def env_example_names() -> List[str]:
    return re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"), flags=re.MULTILINE)


def read_by_the_services() -> str:
    files = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/**/*.py"), ROOT / "Makefile"]
    files += [ROOT / "endpoints.yml", ROOT / "endpoints-gateway.yml", *UNITS.iterdir()]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_every_variable_of_env_example_is_read_somewhere():
    names = env_example_names()
    assert len(names) == len(set(names)), "a variable is listed twice"
    sources = read_by_the_services()
    unread = [name for name in names if not re.search(rf"\b{name}\b", sources)]
    assert unread == []


def test_every_variable_bot_reads_is_in_env_example():
    pattern = re.compile(r"""(?:environ|env|getenv)(?:\.get)?\s*[(\[]\s*["']([A-Z][A-Z0-9_]*)["']""")
    read = {name for path in ROOT.glob("bot/**/*.py") for name in pattern.findall(path.read_text(encoding="utf-8"))}
    assert read, "the pattern no longer finds bot's settings"
    assert sorted(read - set(env_example_names())) == []


def test_env_example_holds_no_secret_and_leaves_the_port_to_the_unit():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    for name, value in re.findall(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE):
        if re.search(r"SECRET|TOKEN|PASSWORD", name):
            assert value.startswith("change-me"), name
    assert "change-me@" in re.search(r"^DATABASE_URL=(.*)$", text, flags=re.MULTILINE).group(1)
    # The file overrides the unit's Environment=: a RASA_PORT set here would point every replica's
    # action endpoint at the same port.
    assert re.search(r"^RASA_PORT=", text, flags=re.MULTILINE) is None


def test_rasa_unit_runs_the_production_endpoints_on_its_instance_port():
    unit = (UNITS / "entree-express-rasa@.service").read_text(encoding="utf-8")
    assert "Environment=RASA_PORT=%i" in unit
    command = re.search(r"^ExecStart=(.*?[^\\])$", unit, flags=re.MULTILINE | re.DOTALL).group(1)
    assert "--port %i" in command and "--enable-api" not in command
    for option in ("--endpoints", "--credentials"):
        assert (ROOT / re.search(rf"{option} (\S+)", command).group(1)).is_file(), option
    actions = (UNITS / "entree-express-actions@.service").read_text(encoding="utf-8")
    assert "Environment=SANIC_HOST=127.0.0.1" in actions and "--port %i" in actions
    assert "-m bot.rasa_plugins.action_server " in actions


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    # The install directory becomes this checkout, whose .venv holds the commands the units run.
    names = []
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8")
        if unit.suffix == ".service":
            for setting in HARDENING:
                assert setting in text, (unit.name, setting)
        # A template is checked through an instance, as systemd would start it.
        name = unit.name.replace("@.", "@5005.")
        (tmp_path / name).write_text(text.replace(INSTALL_DIR, str(ROOT)), encoding="utf-8")
        names.append(name)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *[f"./{name}" for name in names]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Unknown keys and bad values are only warnings (exit 0): any output is a failure.
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


@pytest.fixture
def nginx_site(tmp_path):
    """deploy's conf in a wrapper nginx, on free ports, with a self-signed certificate and nothing behind it."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed here (Debian: apt-get install nginx-light)")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>the firm's page</p>", encoding="utf-8")
    http_port, https_port = free_port(), free_port()
    conf = nginx_text()
    # The replicas' ports first, whole words: a free listen port such as 50057 must not be taken for one.
    # Nothing listens on the replacement, so a proxied path answers 502.
    replacements = [
        (r"\b127\.0\.0\.1:500\d\b", f"127.0.0.1:{free_port()}"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen \[::\]:80;\n", ""),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (r"listen \[::\]:443 ssl http2;\n", ""),
        (r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(tmp_path / "cert.pem")),
        (r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(tmp_path / "key.pem")),
        (r"/var/log/nginx/", f"{tmp_path}/"),
        (r"root /var/www/entree-express;", f"root {site};"),
    ]
    for pattern, replacement in replacements:
        conf, count = re.subn(pattern, replacement, conf)
        assert count, f"deploy's nginx conf no longer has {pattern!r}"
    (tmp_path / "entree-express.conf").write_text(conf, encoding="utf-8")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Started as root, nginx's workers would run as nobody, who cannot read pytest's private tmp_path.
    user = "user root;\n" if os.geteuid() == 0 else ""
    wrapper = tmp_path / "nginx.conf"
    wrapper.write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n{temp_paths}\n    access_log {tmp_path}/access.log;\n"
        f"    include {tmp_path}/entree-express.conf;\n}}\n",
        encoding="utf-8",
    )
    command = [nginx, "-p", str(tmp_path), "-c", str(wrapper)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield {"https": f"https://127.0.0.1:{https_port}", "http": f"http://127.0.0.1:{http_port}", "folder": tmp_path}
    finally:
        server.terminate()
        server.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status(url: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None) -> int:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_nginx_passes_nginx_t_and_routes_only_the_public_paths(nginx_site):
    https = nginx_site["https"]
    # Proxied: the replicas are down here, so nginx itself answers 502.
    for path in (
        "/webhooks/rest/webhook",
        "/webhooks/messenger/webhook",
        "/webhooks/whatsapp/webhook",
        "/webhooks/twilio_whatsapp/webhook",
        "/socket.io/?EIO=4&transport=polling",
    ):
        assert status(https + path) == 502, path
    # Never proxied: nginx's own 404.
    for path in RASA_API_PATHS + [GATEWAY_PATH, "/webhooks/action_gateway/"]:
        assert status(https + path) == 404, path
    assert status(https + "/") == 200
    assert (
        status(
            https + "/webhooks/rest/webhook",
            body=b"x" * (1024 * 1024 + 1),
            headers={"Content-Type": "application/json"},
        )
        == 413
    )
    request = urllib.request.Request(nginx_site["http"] + "/webhooks/rest/webhook")
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"].startswith("https://")


def test_nginx_passes_a_letter_up_to_the_app_s_limit_without_writing_it_to_disk(nginx_site):
    https, letter = nginx_site["https"], "/webhooks/rest/letter?sender=someone"
    headers = {"Content-Type": "application/octet-stream"}
    assert status(https + letter, body=b"x" * (MAX_FILE_BYTES + 1), headers=headers) == 413
    # Taken whole, then proxied: the replicas are down here, so nginx itself answers 502.
    assert status(https + letter, body=b"x" * MAX_FILE_BYTES, headers=headers) == 502
    # nginx says so in its error log each time it writes a body to a temporary file.
    logs = "".join(path.read_text(encoding="utf-8") for path in nginx_site["folder"].glob("*.log"))
    assert "buffered to a temporary file" not in logs
