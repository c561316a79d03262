// The case page: the report, its deadlines, history, questions and evidence, and the actions.
// Evidence is fetched with the session's bearer header and shown (or played) from a blob URL:
// the API answers no request without it, so neither an <img src>, an <audio src> nor a link to
// the API could load it.
import { api, ApiError, el, errorText, state, t } from "./core.js";

export const routes = [["cases/:no", renderCase]];

const blobs = new Set();

function forgetBlobs() {
  for (const url of blobs) URL.revokeObjectURL(url);
  blobs.clear();
}

async function fileBlob(no, file) {
  const response = await fetch(`api/cases/${encodeURIComponent(no)}/files/${encodeURIComponent(file.id)}`, {
    headers: { Authorization: `Bearer ${state.token}` },
    cache: "no-store",
    credentials: "omit",
  });
  if (!response.ok) throw new ApiError(response.status, null);
  const url = URL.createObjectURL(await response.blob());
  blobs.add(url);
  return url;
}

async function renderCase(root, params) {
  forgetBlobs();
  const page = await api("GET", `cases/${encodeURIComponent(params.no)}`);
  draw(root, params.no, page, "");
}

function draw(root, no, page, message) {
  const flash = el("p", { id: "flash", role: "status", class: message ? "notice" : null }, message);
  const article = el(
    "article",
    { id: "case", "data-case": String(page.no) },
    el("a", { href: "#/cases" }, t("case.back")),
    el("h1", {}, t("case.title", { number: page.no })),
    el("p", { class: "chips" },
      el("span", { class: "chip", "data-field": "status" }, page.status_label),
      page.urgent ? el("span", { class: "chip overdue" }, t("case.urgent")) : null,
    ),
    flash,
    el("h2", {}, t("case.what")),
    el("div", { class: "body", "data-field": "body" }, page.body),
    facts(page),
    deadlines(page),
    el("h2", {}, t("case.history")),
    page.history.length
      ? el("ul", { id: "history" }, page.history.map((line) => el("li", {}, line.text)))
      : [el("ul", { id: "history" }), el("p", { class: "muted" }, t("case.no_history"))],
    questions(page),
    page.additions.length ? additions(page) : null,
    el("h2", {}, t("case.files")),
    files(no, page, flash),
    actions(root, no, page, flash),
  );
  root.replaceChildren(article);
  if (message) flash.scrollIntoView({ block: "center" });
}

function facts(page) {
  const row = (label, value, field) => [
    el("dt", {}, label),
    el("dd", field ? { "data-field": field } : {}, value),
  ];
  return el(
    "dl",
    { class: "facts" },
    row(t("case.place"), page.place || "—", "place"),
    row(t("case.when"), page.occurred),
    row(t("case.sphere"), page.sphere_name),
    row(t("case.region"), page.region_name),
    row(t("case.received"), page.received),
  );
}

function deadlines(page) {
  const item = (label, deadline) => {
    if (!deadline) return null;
    const left = deadline.left
      ? el("span", { class: deadline.overdue ? "overdue" : "muted" },
          ` · ${deadline.left}${deadline.overdue ? ` (${t("case.overdue")})` : ""}`)
      : el("span", { class: "muted" }, ` · ${t("case.met")}`);
    return el("li", { "data-deadline": label, class: deadline.overdue ? "overdue" : null },
      `${t(`case.${label}`)}: ${deadline.at}`, left);
  };
  return [
    el("h2", {}, t("case.deadlines")),
    el("ul", { id: "deadlines" },
      item("acceptance", page.deadlines.acceptance), item("answer", page.deadlines.answer)),
  ];
}

function questions(page) {
  if (!page.questions.length) return el("ul", { id: "questions", hidden: true });
  return [
    el("h2", {}, t("case.questions")),
    el("ul", { id: "questions" }, page.questions.map((q) =>
      el("li", {},
        el("p", {}, el("span", { class: "muted" }, `${q.asked} · `), q.question),
        q.answer
          ? el("p", { class: "body" }, el("span", { class: "muted" }, `${q.answered} · `), q.answer)
          : el("p", { class: "muted" }, q.answered ? `${q.answered}` : t("case.no_answer")),
      ))),
  ];
}

function additions(page) {
  return [
    el("h2", {}, t("case.additions")),
    el("ul", { id: "additions" }, page.additions.map((note) =>
      el("li", {}, el("span", { class: "muted" }, `${note.at} · `), el("span", { class: "body" }, note.text)))),
  ];
}

function files(no, page, flash) {
  if (!page.files.length) {
    return [el("ul", { id: "files" }), el("p", { class: "muted" }, t("case.no_files"))];
  }
  return el("ul", { id: "files", class: "cards" }, page.files.map((file) => {
    const about = [
      el("span", { class: "meta" }, `${file.name} · ${file.size_label}`),
      file.caption ? el("p", {}, file.caption) : null,
      file.note ? el("p", { class: "muted" }, file.note) : null,
    ];
    // A voice plays here only once masked; one kept as spoken is a download, with its warning.
    const inline = file.image
      ? el("img", { class: "evidence", alt: file.name, "data-file": file.id })
      : file.audio ? el("audio", { class: "evidence", controls: true, "data-file": file.id }) : null;
    if (inline) {
      fileBlob(no, file).then((url) => { inline.src = url; }, (error) => say(flash, errorText(error)));
      return el("li", { class: "card" }, inline, about);
    }
    const download = el("button", { type: "button", class: "secondary", "data-file": file.id },
      `${t("case.download")}: ${file.name}`);
    download.addEventListener("click", async () => {
      download.disabled = true;
      try {
        const link = el("a", { href: await fileBlob(no, file), download: file.name, hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
      } catch (error) {
        say(flash, errorText(error));
      } finally {
        download.disabled = false;
      }
    });
    return el("li", { class: "card" }, about, el("div", { class: "actions" }, download));
  }));
}

function say(flash, text) {
  flash.textContent = text;
  flash.className = text ? "notice" : "";
  if (text) flash.scrollIntoView({ block: "center" });
}

function actions(root, no, page, flash) {
  const can = page.can;
  if (!Object.values(can).some(Boolean)) return null;
  const form = el("div", { id: "action-form" });
  const send = async (action, body) => {
    const pressed = [...root.querySelectorAll("#case button:not(:disabled)")];
    pressed.forEach((button) => { button.disabled = true; });  // one press, one action
    try {
      const done = await api("POST", `cases/${encodeURIComponent(no)}/${action}`, body);
      if (done.visible) draw(root, no, done, done.message);
      else root.replaceChildren(
        el("p", { id: "flash", role: "status", class: "notice" }, done.message, " ", t("case.gone")),
        el("a", { href: "#/cases" }, t("case.back")),
      );
    } catch (error) {
      pressed.forEach((button) => { button.disabled = false; });
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 409) say(flash, t("case.closed"));
      else say(flash, error.data.message || errorText(error));
    }
  };
  const open = (...children) => {
    form.replaceChildren(...children, el("button", {
      type: "button", class: "secondary", onclick: () => form.replaceChildren(),
    }, t("case.cancel")));
  };
  const choose = (name, label, options) => el("label", {}, label,
    el("select", { name }, options.map(([value, text]) => el("option", { value }, text))));
  const buttons = [
    can.undo ? el("button", {
      type: "button", "data-action": "undo", onclick: () => send("undo", {}),
    }, t("case.undo")) : null,
    can.accept ? el("button", {
      type: "button", "data-action": "accept", onclick: () => send("accept", {}),
    }, t("case.accept")) : null,
    can.ask ? el("button", {
      type: "button", "data-action": "ask", onclick: () => {
        const question = el("textarea", { name: "question", maxlength: "3000", required: true });
        open(el("label", {}, t("case.question"), question), el("button", {
          type: "button", "data-action": "send-question",
          onclick: () => {
            if (question.value.trim()) send("ask", { question: question.value });
            else {
              say(flash, t("case.question_empty"));
              question.focus();
            }
          },
        }, t("case.send")));
        question.focus();
      },
    }, page.can_ask_directly ? t("case.ask") : t("case.ask_waits")) : null,
    can.close ? el("button", {
      type: "button", "data-action": "close", onclick: () => {
        const select = choose("resolution", t("case.resolution"),
          page.resolutions.map((r) => [r.code, r.label]));
        const chosen = select.querySelector("select");
        const warning = el("p", { class: "notice" });
        const confirm = el("button", {
          type: "button", "data-action": "confirm-close",
          onclick: () => send("close", { resolution: chosen.value }),
        });
        // The chat's words for the step: the result chosen, and that the reporter will see it.
        const describe = () => {
          const label = page.resolutions.find((r) => r.code === chosen.value).label;
          warning.textContent = t("case.close_warning", { resolution: label });
          confirm.textContent = t("case.confirm_close", { resolution: label });
        };
        chosen.addEventListener("change", describe);
        describe();
        open(select, warning, confirm);
      },
    }, t("case.close")) : null,
    can.move ? el("button", {
      type: "button", "data-action": "move", class: "secondary", onclick: () => {
        const select = choose("region", t("case.target"), page.regions.map((r) => [r.code, r.name]));
        open(select, el("button", {
          type: "button", "data-action": "confirm-move",
          onclick: () => send("move", { region: select.querySelector("select").value }),
        }, t("case.confirm_move")));
      },
    }, t("case.move")) : null,
  ];
  return [el("h2", {}, t("case.actions")), el("div", { class: "actions" }, buttons), form];
}
