"""The web workspace's HTTP layer: thin aiohttp handlers over ``bot.workspace`` and the features.

Like ``handlers/`` for updates: parse the request, call a service, render JSON. The page itself is
static (``static/``): a shell, a stylesheet and a few ES modules that render what the API says.
"""
