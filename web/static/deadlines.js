// The deadlines view: overdue, due within a week, and the load by officer and by region.
import { api, el, t } from "./core.js";
import { caseCard } from "./board.js";

export const routes = [["deadlines", renderDeadlines]];

export async function renderDeadlines(root) {
  const data = await api("GET", "deadlines");
  root.replaceChildren(
    el(
      "section",
      { id: "deadlines" },
      el("h1", {}, t("deadlines.title")),
      cases("overdue", data, "cases?overdue=1&sort=deadline"),
      cases("week", data, "cases?sort=deadline"),
      loads("officers", t("deadlines.officer"), data.officers, () => null),
      loads("regions", t("deadlines.region"), data.regions, (row) => `#/cases?region=${encodeURIComponent(row.code)}`),
    ),
  );
}

// A list of cases, the nearest deadline first; a link to the board when not all are listed.
function cases(section, data, board) {
  const list = data[section];
  return el(
    "section",
    { "data-section": section },
    el("h2", {}, t(`deadlines.${section}`)),
    list.length
      ? el("ul", { class: "cards" }, list.map((summary) => el("li", {}, caseCard(summary))))
      : el("p", { class: "muted" }, t("deadlines.none")),
    data.totals[section] > list.length
      ? el("p", {}, el("a", { href: `#/${board}` }, t("deadlines.more", { n: data.formatted[section] })))
      : null,
  );
}

function loads(section, heading, rows, link) {
  const columns = [
    ["open", t("deadlines.open")],
    ["week", t("deadlines.in_week")],
    ["overdue", t("deadlines.late")],
  ];
  return el(
    "section",
    { "data-section": section },
    el("h2", {}, t(`deadlines.${section}`)),
    el(
      "div",
      { class: "table" },
      el(
        "table",
        { class: "loads" },
        el(
          "thead",
          {},
          el("tr", {}, el("th", { scope: "col" }, heading), columns.map(([, label]) => el("th", { scope: "col", class: "number" }, label))),
        ),
        el(
          "tbody",
          {},
          rows.map((row) => {
            const href = link(row);
            return el(
              "tr",
              { "data-row": row.code || null },
              el("th", { scope: "row" }, href ? el("a", { href }, row.name) : row.name),
              columns.map(([key]) =>
                el("td", { class: key === "overdue" && row.overdue ? "number overdue" : "number" }, row.formatted[key]),
              ),
            );
          }),
        ),
      ),
    ),
  );
}
