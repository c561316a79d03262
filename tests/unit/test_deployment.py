"""The Docker deployment (Dockerfile, compose.yaml, deploy/Caddyfile) against the code: every
variable it sets is a setting, the proxy forwards only the webhook, Redis keeps nothing on disk,
the image runs as a user and probes a route that exists."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiogram import Bot, Dispatcher

from bot.app.webhook import create_web_app, webhook_path
from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]

NOT_SETTINGS = {
    "PYTHONUNBUFFERED": "Python's own: each log line reaches `docker logs` at once, none is lost "
    "in a buffer when the process dies",
}
"""Variables the deployment may set that are not read by bot.settings.Settings, each with why."""

OPERATOR = {
    "BOT_TOKEN": "123456:ABC-operator",
    "ADAL_DOMAIN": "adal.example.kz",
    "ADAL_WEBHOOK_PATH": "/telegram-updates",
    "WEBHOOK_SECRET": "operator_secret-1",
    "POSTGRES_PASSWORD": "pgpassword1",
}
"""What compose.yaml requires the operator to supply (`${VAR:?message}`), with sample values."""

PROBES = ("/healthz", "/readyz", "/metrics")


def unknown_settings(names: Iterable[str]) -> set[str]:
    """Names pydantic-settings would not read into Settings (it matches case-insensitively)."""
    fields = {name.upper() for name in Settings.model_fields}
    return {name for name in names if name.upper() not in fields}


# compose.yaml


_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


class Missing(Exception):
    pass


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}`."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator and operator.endswith("-"):
            return str(argument)
        raise Missing(name)

    return _VARIABLE.sub(one, value)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def bot_services(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the image built from this repository."""
    return {name: service for name, service in spec["services"].items() if "build" in service}


def bot_environment(service: dict[str, Any], env: dict[str, str]) -> dict[str, str]:
    return {name: interpolate(str(value), env) for name, value in service["environment"].items()}


def test_compose_runs_two_bot_replicas_from_one_image() -> None:
    bots = bot_services(compose())
    assert len(bots) >= 2
    assert len({service["image"] for service in bots.values()}) == 1
    assert len({repr(service) for service in bots.values()}) == 1, "replicas must be identical"


def test_every_variable_given_to_the_bot_is_a_setting() -> None:
    for name, service in bot_services(compose()).items():
        assert "env_file" not in service, f"{name}: variables in an env_file escape this test"
        environment = service["environment"]
        assert isinstance(environment, dict), f"{name}: environment as a mapping"
        assert not unknown_settings(environment), name


def test_unknown_variables_are_caught() -> None:
    assert unknown_settings(["WEBHOOK_PORT", "bot_token", "PYTHONUNBUFFERED"]) == {
        "WEBHOOK_PORT",
        "PYTHONUNBUFFERED",
    }


def test_env_example_names_only_settings() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    names = [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]
    assert names
    assert not unknown_settings(names)


def test_the_bots_environment_is_a_valid_webhook_configuration_on_postgres_and_redis() -> None:
    for service in bot_services(compose()).values():
        environment = bot_environment(service, OPERATOR)
        settings = load_settings(_env_file=None, **{k.lower(): v for k, v in environment.items()})
        assert settings.bot_mode == "webhook"
        assert settings.webhook_url == "https://adal.example.kz/telegram-updates"
        assert settings.database_url is not None
        assert "@postgres:" in settings.database_url.get_secret_value()
        assert settings.redis_url is not None
        assert settings.redis_url.get_secret_value().startswith("redis://redis:")
        assert not settings.encryption_keys, "the key comes as a secret, not in the environment"


@pytest.mark.parametrize("name", sorted(OPERATOR))
def test_each_secret_must_be_supplied_by_the_operator(name: str) -> None:
    text = (ROOT / "compose.yaml").read_text()
    with pytest.raises(Missing, match=name):
        interpolate(text, {k: v for k, v in OPERATOR.items() if k != name})
    interpolate(text, OPERATOR)


def test_the_key_is_a_secret_file_of_the_bot() -> None:
    spec = compose()
    assert set(spec["secrets"]) == {"adal_key"}
    assert "file" in spec["secrets"]["adal_key"]
    for service in bot_services(spec).values():
        assert service["secrets"] == ["adal_key"]
        assert service["environment"]["KEY_FILE"] == "/run/secrets/adal_key"


def test_redis_runs_without_persistence() -> None:
    services = compose()["services"]
    redis = [s for s in services.values() if str(s.get("image", "")).startswith("redis")]
    assert len(redis) == 1
    command = redis[0]["command"]
    assert isinstance(command, list)
    assert "--save" in command
    assert command[command.index("--save") + 1] == ""
    assert command[command.index("--appendonly") + 1] == "no"
    assert "volumes" not in redis[0]


def test_services_start_after_what_they_need_is_healthy() -> None:
    spec = compose()
    services = spec["services"]
    bots = bot_services(spec)
    for name, service in services.items():
        if name not in bots:
            assert "healthcheck" in service, name
    for service in bots.values():
        needs = {name: d["condition"] for name, d in service["depends_on"].items()}
        assert needs == {"postgres": "service_healthy", "redis": "service_healthy"}
    proxy = services["proxy"]["depends_on"]
    assert {name: d["condition"] for name, d in proxy.items()} == dict.fromkeys(
        bots, "service_healthy"
    )


def test_database_and_redis_are_only_on_the_internal_network() -> None:
    spec = compose()
    assert spec["networks"]["backend"]["internal"] is True
    for name in ("postgres", "redis"):
        assert spec["services"][name]["networks"] == ["backend"]
        assert "ports" not in spec["services"][name]


# deploy/Caddyfile


@dataclass
class Directive:
    tokens: list[str]
    block: list[Directive] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[Directive, list[Directive]]]:
        """Each directive under this one, with the directives enclosing it (outermost first)."""
        for child in self.block:
            yield child, [self]
            for inner, parents in child.walk():
                yield inner, [self, *parents]


def parse_caddyfile(text: str) -> Directive:
    root = Directive(["(root)"])
    stack = [root]
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line == "}":
            stack.pop()
            continue
        opens = line.endswith("{")
        directive = Directive(shlex.split(line.removesuffix("{")))
        stack[-1].block.append(directive)
        if opens:
            stack.append(directive)
    assert stack == [root], "unbalanced braces"
    return root


def caddyfile() -> Directive:
    return parse_caddyfile((ROOT / "deploy" / "Caddyfile").read_text())


def test_caddyfile_parser_sees_nesting() -> None:
    root = parse_caddyfile("a {\n\tb c {\n\t\td\n\t}\n}\n")
    assert [(d.tokens, [p.tokens[0] for p in ps]) for d, ps in root.walk()] == [
        (["a"], ["(root)"]),
        (["b", "c"], ["(root)", "a"]),
        (["d"], ["(root)", "a", "b"]),
    ]


WORKSPACE_PATHS = {"path": ["/app/", "/app/*"]}


def test_the_proxy_forwards_only_the_webhook_and_the_workspace_to_the_replicas() -> None:
    spec = compose()
    root = caddyfile()
    matchers = {
        d.tokens[0]: {inner.tokens[0]: inner.tokens[1:] for inner in d.block}
        for d, _ in root.walk()
        if d.tokens[0].startswith("@")
    }
    forwards = [(d, parents) for d, parents in root.walk() if d.tokens[0] == "reverse_proxy"]
    assert forwards
    for directive, parents in forwards:
        handle = parents[-1]
        assert handle.tokens[0] == "handle", "reverse_proxy only inside a handle block"
        assert len(handle.tokens) == 2, "a handle with a matcher"
        matcher = matchers[handle.tokens[1]]
        assert matcher in ({"method": ["POST"], "path": ["{$WEBHOOK_PATH}"]}, WORKSPACE_PATHS)
        bots = bot_services(spec)
        ports = {bot_environment(s, OPERATOR)["WEB_PORT"] for s in bots.values()}
        assert set(directive.tokens[1:]) == {f"{name}:{port}" for name in bots for port in ports}
    rerouting = {"rewrite", "uri", "route", "handle_path", "file_server", "php_fastcgi"}
    assert not [d.tokens for d, _ in root.walk() if d.tokens[0] in rerouting]

    proxy = spec["services"]["proxy"]["environment"]
    path = interpolate(proxy["WEBHOOK_PATH"], OPERATOR)
    bot_url = bot_environment(next(iter(bot_services(spec).values())), OPERATOR)["WEBHOOK_URL"]
    assert path == webhook_path(bot_url), "the proxy forwards the path the bot serves"
    assert "*" not in path
    assert path not in PROBES
    assert sorted(matchers.values(), key=len) == [
        WORKSPACE_PATHS,
        {"method": ["POST"], "path": ["{$WEBHOOK_PATH}"]},
    ]
    webapp_url = bot_environment(next(iter(bot_services(spec).values())), OPERATOR)["WEBAPP_URL"]
    assert webhook_path(webapp_url) == "/app/", "the proxy forwards the workspace the bot serves"


# Dockerfile


def dockerfile_final_stage() -> list[tuple[str, str]]:
    """(instruction, arguments) of the last stage, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in (raw.strip() for raw in joined.splitlines())
        if line
    ]
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, arguments in dockerfile_final_stage():
        if word == "ENV":
            parts = shlex.split(arguments)
            if "=" not in parts[0]:  # the old form, ENV NAME value
                env[parts[0]] = " ".join(parts[1:])
            else:
                for part in parts:
                    name, _, value = part.partition("=")
                    env[name] = value
    return env


def healthcheck() -> str:
    (command,) = [args for word, args in dockerfile_final_stage() if word == "HEALTHCHECK"]
    return command


def test_every_variable_of_the_image_is_a_setting_or_has_a_reason() -> None:
    env = dockerfile_env()
    assert env
    named = set(env) | set(re.findall(r"environ(?:\.get)?\(\s*['\"](\w+)", healthcheck()))
    assert unknown_settings(named) <= set(NOT_SETTINGS)
    assert "ENCRYPTION_KEYS" not in named, "no key in the image"


def test_the_image_runs_python_m_bot_as_a_user_with_its_data_volume() -> None:
    stage = dockerfile_final_stage()
    users = [args.strip() for word, args in stage if word == "USER"]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert [args for word, args in stage if word == "CMD"] == ['["python", "-m", "bot"]']
    env = dockerfile_env()
    assert [args.split() for word, args in stage if word == "EXPOSE"] == [[env["WEB_PORT"]]]
    assert [args.strip() for word, args in stage if word == "VOLUME"] == [env["DATA_DIR"]]


def test_the_healthcheck_probes_a_route_of_the_web_app() -> None:
    match = re.search(r"http://127\.0\.0\.1:[^/'\"]*(/[\w/-]*)", healthcheck())
    assert match is not None
    path = match[1]

    async def ready() -> bool:
        return True

    async def metrics() -> bytes:
        return b""

    app = create_web_app(
        Dispatcher(), Bot("42:TEST"), path="/hook", secret="s", ready=ready, metrics=metrics
    )
    gets = {
        route.resource.canonical
        for route in app.router.routes()
        if route.method == "GET" and route.resource is not None
    }
    assert path in gets
    assert set(PROBES) <= gets, "PROBES names the paths the proxy must not forward"


def dockerignored(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    ignored = False
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.removeprefix("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        if re.fullmatch(f"{regex}(/.*)?", path):
            ignored = not negated
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "bot/.env",
        "data/adal.sqlite3",
        "secrets/adal.key",
        ".git/config",
        ".venv/bin/python",
        "venv/bin/python",
        "tests/unit/test_deployment.py",
        ".pytest_cache/v/cache",
        "storage/__pycache__/database.cpython-311.pyc",
        "locales/kk/LC_MESSAGES/messages.mo",
        "compose.yaml",
    ],
)
def test_the_build_context_leaves_out(path: str) -> None:
    assert dockerignored(path)


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "README.md",
        "bot/__main__.py",
        "bot/data/regions.json",
        "handlers/__init__.py",
        "storage/database.py",
        "locales/kk/LC_MESSAGES/messages.po",
    ],
)
def test_the_build_context_takes_in(path: str) -> None:
    assert not dockerignored(path)
