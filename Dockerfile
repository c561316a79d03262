# Adal in webhook mode, one replica per container: see compose.yaml and README.md, "Deploy with
# Docker Compose". The encryption key is never in the image: it comes as a Docker secret (KEY_FILE)
# or in ENCRYPTION_KEYS at run time.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY storage storage
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/adal adal \
    && install -d -o adal -g adal -m 0700 /data
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# The catalogs go where the installed code looks for them (beside its packages) and are compiled
# now by the bot's own function; the second call proves that the start will find nothing to
# write (the user could not write there).
COPY locales /tmp/locales
RUN target="$(python -c 'from bot.telegram.i18n import LOCALES_DIR; print(LOCALES_DIR)')" \
    && mv /tmp/locales "$target" \
    && python -c 'from bot.telegram.i18n import create_i18n; create_i18n("kk")' \
    && python -c 'from bot.telegram.i18n import compile_catalogs; raise SystemExit(len(compile_catalogs()))'

ENV DATA_DIR=/data \
    KEY_FILE=/run/secrets/adal_key \
    BOT_MODE=webhook \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080
VOLUME /data
EXPOSE 8080
USER adal
WORKDIR /home/adal
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8080'), timeout=4)"
CMD ["python", "-m", "bot"]
