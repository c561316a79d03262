"""Signing in with Telegram's ``initData``, who the viewer is, and their language."""

from __future__ import annotations

from aiohttp import web

from bot.settings import SUPPORTED_LOCALES
from bot.workspace.access import Viewer
from web.deps import DEPS, WorkspaceDeps
from web.security import LOCALE, VIEWER, json_body, refusal, viewer_locale
from web.strings import ui_strings, welcome_strings


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/session", login, name="login")
    router.add_get("/welcome", welcome, name="welcome")
    router.add_get("/me", me)
    router.add_post("/language", language)


async def login(request: web.Request) -> web.Response:
    """``{"init_data": ...}`` from ``Telegram.WebApp.initData``: a session token, or one
    refusal for every reason (forged, expired, replayed, another bot's, not on the roster)."""
    deps = request.app[DEPS]
    body = await json_body(request)
    raw = body.get("init_data") if body else None
    entered = await deps.access.login(raw) if isinstance(raw, str) else None
    if entered is None:
        return refusal(401, "unauthorized")
    token, viewer = entered
    locale = await viewer_locale(request, viewer)
    with deps.i18n.context(), deps.i18n.use_locale(locale):
        return web.json_response(
            {
                "token": token,
                "csrf": viewer.session.csrf,
                "expires_at": viewer.session.expires_at,
                **_described(deps, viewer, locale),
            }
        )


async def welcome(request: web.Request) -> web.Response:
    """The words the page needs before anyone signed in, in ``?locale`` (Telegram's language
    of the person), else the default."""
    deps = request.app[DEPS]
    code = request.query.get("locale", "").split("-")[0].lower()
    locale = code if code in SUPPORTED_LOCALES else deps.settings.default_locale
    with deps.i18n.context(), deps.i18n.use_locale(locale):
        return web.json_response({"locale": locale, "strings": welcome_strings()})


async def me(request: web.Request) -> web.Response:
    return web.json_response(_described(request.app[DEPS], request[VIEWER], request[LOCALE]))


async def language(request: web.Request) -> web.Response:
    """``{"locale": "kk" | "ru"}``: saved as the person's language, in the bot as here."""
    deps = request.app[DEPS]
    body = await json_body(request)
    locale = body.get("locale") if body else None
    if locale not in SUPPORTED_LOCALES:
        return refusal(400, "invalid", field="locale")
    viewer = request[VIEWER]
    await deps.languages.choose(deps.pseudonyms.digest("user", viewer.user_id), str(locale))
    with deps.i18n.use_locale(str(locale)):
        return web.json_response(_described(deps, viewer, str(locale)))


def _described(deps: WorkspaceDeps, viewer: Viewer, locale: str) -> dict[str, object]:
    regions = sorted(deps.catalog.regions, key=lambda r: r.name(locale))
    shown = [r for r in regions if viewer.sees(r.code)]
    return {
        "locale": locale,
        "locales": list(SUPPORTED_LOCALES),
        "admin": viewer.admin,
        "regions": [
            {"code": r.code, "name": r.name(locale), "head": viewer.heads(r.code)} for r in shown
        ],
        "strings": ui_strings(),
    }
