// Stands in for Telegram's telegram-web-app.js in the tests only (served by the fake Bot API at
// /js/telegram-web-app.js). Like the real script it reads the launch parameters Telegram puts in
// the address's hash (tgWebAppData, tgWebAppVersion, tgWebAppPlatform, tgWebAppThemeParams),
// keeps them in sessionStorage so a reload still has them, sets the theme's CSS variables and
// exposes window.Telegram.WebApp with its BackButton. What the person does in Telegram's own
// frame is the test's: window.__pressBack() taps Back; close() only sets window.__closed.
(function () {
  "use strict";
  const STORED = "__telegram__initParams";

  function parseQuery(text) {
    const params = {};
    for (const [key, value] of new URLSearchParams(text)) params[key] = value;
    return params;
  }

  function hashParams() {
    const hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("=") < 0) return {};
    return parseQuery(hash.slice(hash.indexOf("?") + 1));
  }

  let initParams = hashParams();
  try {
    initParams = Object.assign(JSON.parse(sessionStorage.getItem(STORED)) || {}, initParams);
    sessionStorage.setItem(STORED, JSON.stringify(initParams));
  } catch (error) {
    // sessionStorage refused (a sandboxed frame): the hash alone, as the real script does
  }

  const initData = initParams.tgWebAppData || "";
  const initDataUnsafe = parseQuery(initData);
  for (const [key, value] of Object.entries(initDataUnsafe)) {
    if (/^[[{]/.test(value)) {
      try {
        initDataUnsafe[key] = JSON.parse(value);
      } catch (error) {
        // left as the string it was, like the real script
      }
    }
  }

  let themeParams = {};
  try {
    themeParams = JSON.parse(initParams.tgWebAppThemeParams || "{}");
  } catch (error) {
    themeParams = {};
  }
  const root = document.documentElement.style;
  for (const [key, color] of Object.entries(themeParams)) {
    if (/^#[0-9a-f]{6}$/i.test(color)) root.setProperty(`--tg-theme-${key.split("_").join("-")}`, color);
  }

  // As the real script: dark when the background's perceived brightness is under 120 of 255.
  function isDark(hex) {
    const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
    return Math.sqrt(0.299 * r * r + 0.587 * g * g + 0.114 * b * b) < 120;
  }
  const colorScheme = themeParams.bg_color && isDark(themeParams.bg_color) ? "dark" : "light";
  root.setProperty("--tg-color-scheme", colorScheme);

  // Telegram's Back button beside the Mini App's title; window.__pressBack() is the person
  // tapping it.
  const backHandlers = [];
  const BackButton = {
    isVisible: false,
    show() {
      this.isVisible = true;
      return this;
    },
    hide() {
      this.isVisible = false;
      return this;
    },
    onClick(callback) {
      backHandlers.push(callback);
      return this;
    },
    offClick(callback) {
      const at = backHandlers.indexOf(callback);
      if (at >= 0) backHandlers.splice(at, 1);
      return this;
    },
  };
  window.__pressBack = () => BackButton.isVisible && backHandlers.forEach((callback) => callback());

  window.__closed = false;
  window.Telegram = window.Telegram || {};
  window.Telegram.WebApp = {
    initData,
    initDataUnsafe,
    version: initParams.tgWebAppVersion || "6.0",
    platform: initParams.tgWebAppPlatform || "unknown",
    themeParams,
    colorScheme,
    isExpanded: false,
    BackButton,
    ready() {},
    expand() {
      this.isExpanded = true;
    },
    close() {
      window.__closed = true;
    },
  };
})();
