// The admin section: departments and rosters, statistics as SVG charts, broadcasts, the audit
// log, the export. The server decides who may see what; this only draws what it answers.
import { api, t, el, go, errorText, state, ApiError } from "./core.js";

const SVG = "http://www.w3.org/2000/svg";
const AUDIT_FILTERS = ["region", "action", "officer", "from", "to"];
const RENDER = { departments, stats, broadcasts, audit };

export const routes = [
  ["admin", overview],
  ["admin/:section", section],
];

// The sections this person has: an admin every one, a head their department and statistics.
function sections() {
  return state.me.admin ? ["departments", "stats", "broadcasts", "audit"] : ["departments", "stats"];
}

async function overview(root) {
  await section(root, { section: "departments" }, new URLSearchParams());
}

async function section(root, params, query) {
  const name = params.section;
  if (!sections().includes(name)) {
    root.replaceChildren(el("p", { class: "notice" }, t("error.not_found")));
    return;
  }
  ensureStyles();
  const body = await RENDER[name](query);
  root.replaceChildren(
    el(
      "section",
      { id: "admin" },
      el("h1", {}, t("nav.admin")),
      el(
        "nav",
        { class: "tabs", "aria-label": t("nav.admin") },
        sections().map((s) =>
          el("a", { href: `#/admin/${s}`, "aria-current": s === name ? "page" : "false" }, t(`admin.${s}`)),
        ),
      ),
      el("p", { id: "flash", role: "status", class: "muted" }),
      body,
    ),
  );
  root.querySelector('.tabs a[aria-current="page"]').scrollIntoView({ block: "nearest", inline: "nearest" });
}

function ensureStyles() {
  if (!document.querySelector('link[href="static/admin.css"]')) {
    document.head.append(el("link", { rel: "stylesheet", href: "static/admin.css" }));
  }
}

function flash(text, failed = false) {
  const line = document.getElementById("flash");
  if (!line) return;
  line.className = failed ? "danger" : "muted";
  line.textContent = text;
}

function failure(error) {
  flash(errorText(error), true);
}

// Telegram's own dialog inside Telegram; the browser's elsewhere.
function confirmed(text) {
  const webApp = window.Telegram && window.Telegram.WebApp;
  if (webApp && webApp.platform !== "unknown" && webApp.isVersionAtLeast && webApp.isVersionAtLeast("6.2")) {
    return new Promise((resolve) => webApp.showConfirm(text, resolve));
  }
  return Promise.resolve(window.confirm(text));
}

function table(headers, rows, caption) {
  return el(
    "div",
    { class: "table" },
    el(
      "table",
      {},
      caption ? el("caption", {}, caption) : null,
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows),
    ),
  );
}

function select(name, label, options, chosen, any) {
  return el(
    "label",
    {},
    label,
    el(
      "select",
      { name },
      any ? el("option", { value: "" }, t("admin.any")) : null,
      options.map(([value, text]) => el("option", { value, selected: value === chosen }, text)),
    ),
  );
}

// ----------------------------------------------------------------- departments and rosters

async function departments() {
  const [{ departments: found }, roster] = await Promise.all([
    api("GET", "admin/departments"),
    api("GET", "admin/roster"),
  ]);
  const root = el("div", { "data-admin": "departments" });
  const redraw = async () => root.replaceWith(await departments());
  root.append(
    el("h2", {}, t("admin.departments")),
    el(
      "ul",
      { class: "cards" },
      found.map((d) =>
        el(
          "li",
          { class: "card", "data-region": d.region },
          el("strong", {}, d.name),
          " ",
          el("span", { class: d.in_order ? "chip" : "chip danger" }, d.in_order ? t("admin.in_order") : t("admin.attention")),
          d.problems.length ? el("div", { class: "danger" }, d.problems.join("; ")) : null,
          el("div", { class: "meta" }, d.counts.join(" · ")),
        ),
      ),
    ),
    el("h2", {}, t("admin.roster")),
    roster.officers.length
      ? table(
          [t("admin.name"), t("admin.region"), t("admin.role"), ""],
          roster.officers.map((o) => officerRow(o, redraw)),
        )
      : el("p", { class: "muted" }, t("admin.nobody")),
    el("h2", {}, t("admin.invite")),
    inviteForm(roster),
  );
  return root;
}

function officerRow(officer, redraw) {
  const remove = async () => {
    if (!(await confirmed(t("admin.remove_confirm", { name: officer.name, region: officer.region_name })))) return;
    try {
      await api("POST", `admin/roster/${encodeURIComponent(officer.id)}/remove`, {});
      await redraw();
      flash(t("admin.removed_done", { person: officer.name }));
    } catch (error) {
      failure(error);
    }
  };
  return el(
    "tr",
    { "data-officer": officer.id, class: officer.removed ? "removed" : null },
    el("td", {}, officer.name, officer.removed ? [" ", el("span", { class: "chip" }, t("admin.removed"))] : null),
    el("td", {}, officer.region_name),
    el("td", {}, officer.role_label),
    el(
      "td",
      {},
      officer.removable
        ? el("button", { type: "button", class: "secondary", "data-action": "remove", onclick: remove }, t("admin.remove"))
        : null,
    ),
  );
}

function inviteForm(roster) {
  const output = el("output", { id: "invite-code", "aria-live": "polite" });
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const code = await api("POST", "admin/invite", { region: form.get("region"), role: form.get("role") });
      output.replaceChildren(
        el("code", { class: "code" }, code.command),
        el("span", { class: "muted" }, `${code.region_name} · ${code.role_label}`),
        el("span", {}, t("admin.invite_code", { command: code.command, expires: code.expires })),
      );
    } catch (error) {
      failure(error);
    }
  };
  return el(
    "form",
    { id: "invite", class: "filters", onsubmit: submit },
    select("region", t("admin.region"), roster.regions.map((r) => [r.code, r.name])),
    select("role", t("admin.role"), roster.roles.map((r) => [r.code, r.label])),
    el("button", { type: "submit", class: "wide" }, t("admin.invite_submit")),
    el("div", { class: "wide" }, output),
  );
}

// ----------------------------------------------------------------- statistics and the export

async function stats() {
  const data = await api("GET", "admin/stats");
  const exportButton = el(
    "button",
    {
      type: "button",
      "data-action": "export",
      onclick: async () => {
        exportButton.disabled = true;
        try {
          await api("POST", "admin/export", {});
          flash(t("admin.export_sent"));
        } catch (error) {
          if (error instanceof ApiError && error.status === 409) flash(t("admin.export_no_chat"), true);
          else failure(error);
        } finally {
          exportButton.disabled = false;
        }
      },
    },
    t("admin.export"),
  );
  return el(
    "div",
    { "data-admin": "stats" },
    el("h2", {}, `${t("admin.stats")}: ${data.scope}`),
    el("ul", {}, data.lines.map((line) => el("li", {}, line))),
    el("div", { class: "actions" }, exportButton),
    data.charts.map(chart),
  );
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Horizontal bars, each under its label: they fit a phone whatever the names' length.
function chart(data) {
  const heading = el("h3", {}, data.title);
  if (!data.bars.length) {
    return el("div", { class: "chart-pair", "data-chart": data.key }, heading, el("p", { class: "muted" }, t("admin.no_data")));
  }
  const width = 320;
  const row = 34;
  const room = 56;
  const top = Math.max(...data.bars.map((bar) => bar.value), 1);
  const drawing = svg(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${width} ${data.bars.length * row + 4}`,
      role: "group",
      "aria-label": t("admin.chart", { title: data.title }),
    },
    data.bars.map((bar, i) => {
      const y = i * row;
      const length = Math.max(2, Math.round(((width - room) * bar.value) / top));
      const said = `${bar.label}: ${bar.shown}`;
      return svg(
        "g",
        {},
        svg("text", { x: 0, y: y + 12 }, bar.label),
        svg(
          "rect",
          { class: "bar", x: 0, y: y + 16, width: length, height: 14, rx: 3, tabindex: 0, role: "img", "aria-label": said },
          svg("title", {}, said),
        ),
        svg("text", { x: length + 6, y: y + 27 }, bar.shown),
      );
    }),
  );
  return el(
    "div",
    { class: "chart-pair", "data-chart": data.key },
    heading,
    el(
      "div",
      { class: "beside" },
      drawing,
      table(
        [data.title, t("admin.value")],
        data.bars.map((bar) => el("tr", {}, el("td", {}, bar.label), el("td", {}, bar.shown))),
      ),
    ),
  );
}

// ----------------------------------------------------------------- broadcasts

async function broadcasts() {
  const { broadcasts: found } = await api("GET", "admin/broadcasts");
  const root = el("div", { "data-admin": "broadcasts" });
  const redraw = async () => root.replaceWith(await broadcasts());
  root.append(
    el("h2", {}, t("admin.broadcasts")),
    found.length
      ? el("ul", { class: "cards" }, found.map((b) => broadcastCard(b, redraw)))
      : el("p", { class: "muted" }, t("admin.broadcasts_none")),
  );
  return root;
}

function broadcastCard(item, redraw) {
  const steer = (action) => async () => {
    try {
      await api("POST", `admin/broadcasts/${item.id}/${action}`, {});
      await redraw();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        await redraw();
        flash(t("admin.inactive"), true);
      } else failure(error);
    }
  };
  const done = item.total - item.remaining;
  return el(
    "li",
    { class: "card", "data-broadcast": item.id, "data-status": item.status },
    el("strong", {}, `№ ${item.id}`),
    " · ",
    item.audience,
    el("div", { class: "meta" }, item.created),
    el("div", {}, item.status_label),
    item.status === "scheduled"
      ? null
      : [
          el("progress", { max: Math.max(item.total, 1), value: done, "aria-label": item.progress }),
          el("div", { class: "meta" }, item.progress),
        ],
    item.controls.length
      ? el(
          "div",
          { class: "actions" },
          item.controls.map((c) =>
            el("button", { type: "button", class: "secondary", "data-action": c.action, onclick: steer(c.action) }, c.label),
          ),
        )
      : null,
  );
}

// ----------------------------------------------------------------- the audit log

async function audit(query) {
  const wanted = new URLSearchParams();
  for (const key of [...AUDIT_FILTERS, "page"]) if (query.get(key)) wanted.set(key, query.get(key));
  const data = await api("GET", `admin/audit?${wanted}`);
  const page = data.page;
  const move = (to) => () => {
    const next = new URLSearchParams(wanted);
    if (to) next.set("page", String(to));
    else next.delete("page");
    go(`admin/audit?${next}`);
  };
  const apply = (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(event.target)) if (value) next.set(key, value);
    go(`admin/audit?${next}`);
  };
  const regions = state.me.regions.map((r) => [r.code, r.name]);
  return el(
    "div",
    { "data-admin": "audit" },
    el("h2", {}, t("admin.audit")),
    el(
      "form",
      { id: "audit-filters", class: "filters", onsubmit: apply },
      select("region", t("admin.region"), regions, wanted.get("region"), true),
      select("action", t("admin.action"), data.actions.map((a) => [a.code, a.label]), wanted.get("action"), true),
      select("officer", t("admin.officer"), data.officers.map((o) => [o.id, o.label]), wanted.get("officer"), true),
      el("label", {}, t("admin.from"), el("input", { type: "date", name: "from", value: wanted.get("from") || "" })),
      el("label", {}, t("admin.to"), el("input", { type: "date", name: "to", value: wanted.get("to") || "" })),
      el("button", { type: "submit" }, t("admin.apply")),
    ),
    data.entries.length
      ? table(
          [t("admin.when"), t("admin.who"), t("admin.what"), t("admin.region"), t("admin.case")],
          data.entries.map((e) =>
            el(
              "tr",
              { "data-audit": e.action },
              el("td", {}, e.when),
              el("td", {}, e.who),
              el("td", {}, e.what),
              el("td", {}, e.region_name || ""),
              el("td", {}, e.case_no ? el("a", { href: `#/cases/${e.case_no}` }, `№ ${e.case_no}`) : ""),
            ),
          ),
        )
      : el("p", { class: "muted" }, t("admin.empty")),
    el(
      "div",
      { class: "pager" },
      el("button", { type: "button", class: "secondary", disabled: page === 0, onclick: move(page - 1) }, t("admin.newer")),
      el("button", { type: "button", class: "secondary", disabled: !data.more, onclick: move(page + 1) }, t("admin.older")),
    ),
  );
}
