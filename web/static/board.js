// The case board. Its filters live in the address (#/cases?status=new&q=…): applying them is
// going there, so Back returns to the previous ones.
import { api, ApiError, el, go, t } from "./core.js";

const FILTERS = ["status", "sphere", "region", "overdue", "urgent", "from", "to", "q", "sort"];

export const routes = [["cases", renderBoard]];

export async function renderBoard(root, params, query) {
  const asked = new URLSearchParams();
  for (const name of [...FILTERS, "page"]) {
    if (query.get(name)) asked.set(name, query.get(name));
  }
  let data;
  try {
    data = await api("GET", `cases?${asked}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    root.replaceChildren(
      el(
        "section",
        { id: "board" },
        el("p", { class: "notice", role: "alert" }, t("board.invalid")),
        el("a", { class: "button", href: "#/cases" }, t("board.reset")),
      ),
    );
    return;
  }
  root.replaceChildren(
    el(
      "section",
      { id: "board" },
      el("h1", {}, t("board.title")),
      filters(data.options, asked),
      counts(data, asked),
      el("p", { id: "total", class: "muted" }, t("board.total", { n: data.formatted.total })),
      el("ul", { id: "cases", class: "cards" }, data.cases.map((summary) => el("li", {}, caseCard(summary)))),
      data.cases.length ? null : el("p", { id: "empty", class: "notice" }, t("board.empty")),
      pager(data, asked),
    ),
  );
}

// A case in a list, linking to its page (the deadlines view shows cases the same way).
export function caseCard(summary) {
  const flags = [
    summary.urgent ? el("span", { class: "badge urgent" }, t("board.is_urgent")) : null,
    summary.overdue ? el("span", { class: "badge overdue" }, t("board.is_overdue")) : null,
    summary.due_soon ? el("span", { class: "badge" }, t("board.is_due_soon")) : null,
  ].filter(Boolean);
  return el(
    "a",
    { class: "card", href: `#/cases/${summary.no}`, "data-case": String(summary.no) },
    el(
      "span",
      { class: "head" },
      el("strong", {}, t("board.case", { number: summary.no })),
      el("span", { class: "status" }, summary.status_label),
    ),
    flags.length ? el("span", { class: "chips" }, flags) : null,
    el("span", { class: "meta" }, `${summary.region_name} · ${summary.sphere_name}`),
    el("span", { class: "meta" }, t("board.received", { date: summary.received })),
    summary.deadline
      ? el("span", { class: summary.overdue ? "meta overdue" : "meta" }, t("board.due", { date: summary.deadline }))
      : null,
    el("span", { class: "excerpt" }, summary.excerpt),
  );
}

function apply(form) {
  const chosen = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    const text = String(value).trim();
    if (text && !(name === "sort" && text === "newest")) chosen.set(name, text);
  }
  go(`cases?${chosen}`);
}

function filters(options, asked) {
  const submit = (event) => event.target.form.requestSubmit();
  const select = (name, label, items, anyLabel) =>
    el(
      "label",
      {},
      label,
      el(
        "select",
        { name, onchange: submit },
        anyLabel ? el("option", { value: "" }, anyLabel) : null,
        items.map((item) => el("option", { value: item.code, selected: asked.get(name) === item.code }, item.label)),
      ),
    );
  const check = (name, label) =>
    el(
      "label",
      { class: "check" },
      el("input", { type: "checkbox", name, value: "1", checked: asked.get(name) === "1", onchange: submit }),
      label,
    );
  const day = (name, label) => el("label", {}, label, el("input", { type: "date", name, value: asked.get(name) || "" }));
  const sorts = ["newest", "oldest", "deadline"].map((code) => ({ code, label: t(`board.sort.${code}`) }));
  return el(
    "form",
    {
      id: "filters",
      class: "filters",
      role: "search",
      "aria-label": t("board.filters"),
      onsubmit: (event) => {
        event.preventDefault();
        apply(event.target);
      },
    },
    el(
      "label",
      { class: "wide" },
      t("board.search"),
      el("input", {
        type: "search",
        name: "q",
        value: asked.get("q") || "",
        placeholder: t("board.search_hint"),
        maxlength: "200",
        enterkeyhint: "search",
      }),
    ),
    select("status", t("board.status"), options.statuses, t("board.any")),
    select("sphere", t("board.sphere"), options.spheres, t("board.any")),
    select("region", t("board.region"), options.regions, t("board.any")),
    select("sort", t("board.sort"), sorts, null),
    day("from", t("board.from")),
    day("to", t("board.to")),
    check("overdue", t("board.overdue")),
    check("urgent", t("board.urgent")),
    el(
      "span",
      { class: "row wide" },
      el("button", { type: "submit" }, t("board.apply")),
      el("a", { class: "button secondary", href: "#/cases" }, t("board.reset")),
    ),
  );
}

// Cases per status under the other filters; pressing one filters by it (again: all statuses).
function counts(data, asked) {
  const labels = Object.fromEntries(data.options.statuses.map((status) => [status.code, status.label]));
  return el(
    "div",
    { class: "chips", role: "group", "aria-label": t("board.status") },
    Object.keys(data.counts).map((status) => {
      const pressed = asked.get("status") === status;
      return el(
        "button",
        {
          type: "button",
          class: "chip",
          "data-count": status,
          "aria-pressed": pressed ? "true" : "false",
          onclick: () => {
            const next = new URLSearchParams(asked);
            next.delete("page");
            if (pressed) next.delete("status");
            else next.set("status", status);
            go(`cases?${next}`);
          },
        },
        `${labels[status]}: ${data.formatted.counts[status]}`,
      );
    }),
  );
}

function pager(data, asked) {
  const to = (page) => () => {
    const next = new URLSearchParams(asked);
    next.set("page", String(page));
    go(`cases?${next}`);
  };
  return el(
    "nav",
    { class: "pager" },
    el("button", { type: "button", class: "secondary", "data-page": "prev", disabled: data.page <= 1, onclick: to(data.page - 1) }, t("board.prev")),
    el("span", { class: "muted" }, t("board.page", { page: data.formatted.page, pages: data.formatted.pages })),
    el(
      "button",
      { type: "button", class: "secondary", "data-page": "next", disabled: data.page >= data.pages, onclick: to(data.page + 1) },
      t("board.next"),
    ),
  );
}
