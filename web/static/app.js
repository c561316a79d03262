// Start: sign in with Telegram's initData, then show the section the address names.
import { api, state, t, el, go, show, showMessage, route } from "./core.js";
import * as board from "./board.js";
import * as casePage from "./case.js";
import * as deadlines from "./deadlines.js";
import * as admin from "./admin.js";

const webApp = window.Telegram && window.Telegram.WebApp;

function applyMe(me) {
  state.me = me;
  document.documentElement.lang = me.locale;
  document.title = t("title");
  const nav = document.getElementById("nav");
  const sections = [
    ["cases", t("nav.cases")],
    ["deadlines", t("nav.deadlines")],
  ];
  if (me.admin || me.regions.some((region) => region.head)) sections.push(["admin", t("nav.admin")]);
  nav.replaceChildren(
    ...sections.map(([section, label]) =>
      el("a", { href: `#/${section}`, "data-section": section }, label),
    ),
  );
  const select = document.getElementById("language");
  select.setAttribute("aria-label", t("language"));
  select.replaceChildren(
    ...me.locales.map((code) =>
      el("option", { value: code, selected: code === me.locale }, code === "kk" ? "Қазақша" : "Русский"),
    ),
  );
  document.getElementById("top").hidden = false;
}

// Telegram's own Back button, beside the Mini App's title, on every page below a section.
function syncBackButton() {
  const back = webApp && webApp.BackButton;
  if (!back) return;
  const depth = location.hash.replace(/^#\/?/, "").split("?")[0].split("/").length;
  if (depth > 1) back.show();
  else back.hide();
}

// The session survives a reload of the page (Telegram's "Reload", which sends the same initData,
// already exchanged once): it stays in this tab's sessionStorage, for this initData only, and goes
// with the tab when the workspace closes.
const SAVED = "adal.session";

async function resumed(initData) {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(SAVED) || "null");
  } catch (error) {
    saved = null;
  }
  if (!saved || saved.initData !== initData) return null;
  const answer = await fetch("api/me", {
    headers: { Authorization: `Bearer ${saved.token}` },
    credentials: "omit",
    cache: "no-store",
  });
  if (!answer.ok) {
    sessionStorage.removeItem(SAVED);
    return null;
  }
  return { ...(await answer.json()), token: saved.token, csrf: saved.csrf };
}

async function changeLanguage(event) {
  applyMe(await api("POST", "language", { locale: event.target.value }));
  await show();
}

async function start() {
  for (const module of [board, casePage, deadlines, admin]) {
    for (const [pattern, render] of module.routes || []) route(pattern, render);
  }
  if (webApp) {
    webApp.ready();
    webApp.expand();
  }
  const initData = webApp ? webApp.initData : "";
  const user = webApp && webApp.initDataUnsafe && webApp.initDataUnsafe.user;
  let response;
  let session = null;
  try {
    const welcome = await fetch(`api/welcome?locale=${encodeURIComponent((user && user.language_code) || "")}`);
    state.me = await welcome.json();
    document.documentElement.lang = state.me.locale;
    if (!initData) {
      showMessage(t("error.outside"));
      return;
    }
    session = await resumed(initData);
    if (!session) {
      response = await fetch("api/session", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ init_data: initData }),
        credentials: "omit",
        cache: "no-store",
      });
    }
  } catch (error) {
    showMessage(state.me ? t("error.network") : "…");
    return;
  }
  if (!session) {
    if (!response.ok) {
      showMessage(t("error.refused"));
      return;
    }
    session = await response.json();
    sessionStorage.setItem(SAVED, JSON.stringify({ initData, token: session.token, csrf: session.csrf }));
  }
  state.token = session.token;
  state.csrf = session.csrf;
  applyMe(session);
  document.getElementById("language").addEventListener("change", changeLanguage);
  window.addEventListener("hashchange", () => {
    syncBackButton();
    show();
  });
  if (webApp && webApp.BackButton) webApp.BackButton.onClick(() => history.back());
  if (!location.hash || location.hash.startsWith("#tgWebApp")) go("cases");
  else await show();
}

start();
