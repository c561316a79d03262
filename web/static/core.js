// The page's plumbing: the session, API calls, strings, building elements, routes.
// Text from the server is only ever put in with textContent, never parsed as HTML.

export const state = { token: null, csrf: null, me: null };

export function t(key, vars = {}) {
  const text = (state.me && state.me.strings[key]) || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export class ApiError extends Error {
  constructor(status, data) {
    super(data && data.error ? data.error : String(status));
    this.status = status;
    this.data = data || {};
  }
}

// One call to the API; a refused session ends the page with the message to reopen it.
export async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = state.csrf;
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(`api/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, { error: "network" });
  }
  const data = (response.headers.get("Content-Type") || "").includes("json")
    ? await response.json()
    : null;
  if (response.status === 401) {
    sessionStorage.removeItem("adal.session");
    showMessage(t("error.session"));
    throw new ApiError(401, data);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function errorText(error) {
  if (error.status === 404) return t("error.not_found");
  if (error.status === 0) return t("error.network");
  return t("error.failed");
}

export function showMessage(text) {
  const view = document.getElementById("view");
  const close = window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.close;
  view.replaceChildren(
    el("p", { class: "notice", role: "alert" }, text),
    close ? el("button", { type: "button", onclick: () => window.Telegram.WebApp.close() }, t("close")) : null,
  );
}

// Routes: "cases/:no" matches "#/cases/12" and passes {no: "12"}; the query after "?" too.
const routes = [];

export function route(pattern, render) {
  routes.push({ parts: pattern.split("/"), render });
}

export function go(path) {
  if (location.hash === `#/${path}`) show();
  else location.hash = `#/${path}`;
}

export function currentQuery() {
  const hash = location.hash.replace(/^#\/?/, "");
  return new URLSearchParams(hash.split("?")[1] || "");
}

export async function show() {
  const hash = location.hash.replace(/^#\/?/, "");
  const path = hash.split("?")[0] || "cases";
  const parts = path.split("/");
  const view = document.getElementById("view");
  for (const candidate of routes) {
    if (candidate.parts.length !== parts.length) continue;
    const params = {};
    const matches = candidate.parts.every((part, i) => {
      if (part.startsWith(":")) {
        params[part.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return part === parts[i];
    });
    if (!matches) continue;
    document.querySelectorAll("#nav a").forEach((link) => {
      link.setAttribute("aria-current", path.startsWith(link.dataset.section) ? "page" : "false");
    });
    view.replaceChildren(el("p", { class: "muted" }, t("loading")));
    try {
      await candidate.render(view, params, currentQuery());
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      view.replaceChildren(el("p", { class: "notice", role: "alert" }, errorText(error)));
    }
    return;
  }
  view.replaceChildren(el("p", { class: "notice" }, t("error.not_found")));
}
