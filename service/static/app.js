// The editors' page: sends the text to POST /v1/tag with explain, shows the main and the
// mentioned themes and their reasons, and sends corrections of single paragraphs.
"use strict";

const HUES = 12;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function score(value) {
  return value.toFixed(2);
}

// The terms come from NFKC-normalised text; find them in the original by normalising per character.
function normalisedIndex(text) {
  let normalised = "";
  const origin = [];
  for (let i = 0; i < text.length; i += 1) {
    const piece = text[i].normalize("NFKC");
    normalised += piece;
    for (let k = 0; k < piece.length; k += 1) origin.push(i);
  }
  origin.push(text.length);
  return { normalised, origin };
}

// One hue per character of the text: the first (strongest) term that covers it wins.
function markHues(text, marks) {
  const { normalised, origin } = normalisedIndex(text);
  const hues = new Array(text.length).fill(null);
  for (const { term, hue } of marks) {
    if (!term.trim()) continue;
    let at = normalised.indexOf(term);
    while (at !== -1) {
      for (let i = origin[at]; i < origin[at + term.length]; i += 1) {
        if (hues[i] === null) hues[i] = hue;
      }
      at = normalised.indexOf(term, at + 1);
    }
  }
  return hues;
}

function highlighted(text, marks) {
  const container = el("div", "text");
  const hues = markHues(text, marks);
  let start = 0;
  for (let i = 1; i <= text.length; i += 1) {
    if (i < text.length && hues[i] === hues[start]) continue;
    const run = text.slice(start, i);
    if (hues[start] === null) {
      container.append(run);
    } else {
      const mark = el("mark", `hue-${hues[start]}`, run);
      container.append(mark);
    }
    start = i;
  }
  return container;
}

function termList(terms, direction) {
  const list = el("ul", "terms");
  list.append(el("span", "terms-label", direction === "up" ? "推高：" : "拉低："));
  for (const { term, weight } of terms) {
    const sign = weight > 0 ? "+" : "−";
    list.append(el("li", direction, `${term} ${sign}${Math.abs(weight).toFixed(2)}`));
  }
  return list;
}

function themeItem(theme, hue) {
  const item = el("li", `theme hue-${hue}`);
  item.dataset.theme = theme.id;
  const head = el("div", "theme-head");
  const meter = el("meter");
  meter.min = 0;
  meter.max = 1;
  meter.value = theme.score;
  head.append(el("strong", "name", theme.name), el("code", "", theme.id),
              el("span", "score", score(theme.score)), meter);
  item.append(head);
  const where = theme.paragraphs.map((i) => `第 ${i + 1} 段`).join("、");
  const threshold = theme.explanation ? `（阈值 ${score(theme.explanation.threshold)}）` : "";
  item.append(el("p", "where", `${where}${threshold}`));
  if (theme.explanation) {
    if (theme.explanation.up.length) item.append(termList(theme.explanation.up, "up"));
    if (theme.explanation.down.length) item.append(termList(theme.explanation.down, "down"));
  }
  return item;
}

function paragraphItem(paragraph, hues, marks) {
  const item = el("li", paragraph.themes.length ? "paragraph tagged" : "paragraph");
  item.dataset.index = String(paragraph.index);
  item.append(el("span", "number", String(paragraph.index + 1)));
  const body = el("div", "body");
  body.append(highlighted(paragraph.text, marks));
  const chips = el("ul", "chips");
  for (const theme of paragraph.themes) {
    chips.append(el("li", `chip hue-${hues.get(theme.id)}`, `${theme.name} ${score(theme.score)}`));
  }
  body.append(chips);
  if (taxonomy.length) body.append(correctionForm(paragraph));
  item.append(body);
  return item;
}

// Up-terms of each theme, on the paragraph its explanation speaks of.
function marksByParagraph(themes, hues) {
  const marks = new Map();
  for (const theme of themes) {
    const explanation = theme.explanation;
    if (!explanation || explanation.paragraph === null) continue;
    const list = marks.get(explanation.paragraph) || [];
    for (const { term } of explanation.up) list.push({ term, hue: hues.get(theme.id) });
    marks.set(explanation.paragraph, list);
  }
  return marks;
}

// Main themes and themes only mentioned, each in its own group.
function renderThemes(themes, hues) {
  const groups = { main: themes.filter((t) => t.main), mentioned: themes.filter((t) => !t.main) };
  for (const [name, list] of Object.entries(groups)) {
    document.getElementById(`${name}-themes`).replaceChildren(
      ...list.map((theme) => themeItem(theme, hues.get(theme.id))));
    document.getElementById(`${name}-group`).hidden = list.length === 0;
  }
}

function render(result) {
  const hues = new Map(result.themes.map((theme, i) => [theme.id, i % HUES]));
  renderThemes(result.themes, hues);
  const marks = marksByParagraph(result.themes, hues);
  document.getElementById("paragraphs").replaceChildren(...result.paragraphs.map(
    (p) => paragraphItem(p, hues, marks.get(p.index) || [])));
  document.getElementById("no-themes").hidden = result.themes.length > 0;
  document.getElementById("correction").hidden =
    taxonomy.length === 0 || result.paragraphs.length === 0;
  document.getElementById("model-version").textContent = `模型 ${result.model_version}`;
  document.getElementById("results").hidden = false;
}

// Corrections are per paragraph: training reads a feedback record as one labelled paragraph,
// so a whole article with all its themes ticked would teach that one paragraph carries them.
let taxonomy = [];
let themesLoaded = Promise.resolve();

async function loadThemes() {
  const response = await fetch("v1/themes", { headers: { Accept: "application/json" } });
  if (response.ok) taxonomy = (await response.json()).themes;
}

function themeBox(theme, checked) {
  const label = el("label", "feedback-theme");
  const box = el("input");
  box.type = "checkbox";
  box.name = "theme";
  box.value = theme.id;
  box.checked = checked;
  label.append(box, ` ${theme.name_zh}`);
  return label;
}

// The 13 themes, ticked as the model tagged this paragraph, and a button to send them.
function correctionForm(paragraph) {
  const details = el("details", "correct");
  details.append(el("summary", "", "更正本段主题"));
  const form = el("form", "paragraph-feedback");
  const tagged = new Set(paragraph.themes.map((theme) => theme.id));
  const boxes = el("fieldset", "feedback-themes");
  boxes.append(el("legend", "", `第 ${paragraph.index + 1} 段真正报道的主题`));
  boxes.append(...taxonomy.map((theme) => themeBox(theme, tagged.has(theme.id))));
  const actions = el("div", "actions");
  const button = el("button", "send-feedback", "发送本段更正");
  button.type = "submit";
  const status = el("span", "feedback-status muted");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  actions.append(button, status);
  form.append(boxes, actions);
  form.addEventListener("submit", (event) => sendFeedback(event, paragraph.text));
  details.append(form);
  return details;
}

function feedbackHeaders() {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  // Shown only when the server requires a token for corrections (TAGGER_FEEDBACK_TOKEN).
  const token = document.getElementById("feedback-token");
  if (token && token.value.trim()) headers.Authorization = `Bearer ${token.value.trim()}`;
  return headers;
}

async function sendFeedback(event, text) {
  event.preventDefault();
  const form = event.currentTarget;
  const status = form.querySelector(".feedback-status");
  const token = document.getElementById("feedback-token");
  if (token && !token.value.trim()) {
    status.textContent = "请先填写口令";
    token.focus();
    return;
  }
  const themes = [...form.querySelectorAll("input:checked")].map((box) => box.value);
  const body = { text, themes };
  const editor = document.getElementById("editor").value.trim();
  if (editor) body.editor = editor;
  const button = form.querySelector("button");
  button.disabled = true;
  status.textContent = "发送中…";
  try {
    const response = await fetch("v1/feedback", {
      method: "POST", headers: feedbackHeaders(), body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    status.textContent = response.ok ? "已保存，谢谢！"
      : `发送失败：${data && data.error ? data.error.message : response.status}`;
  } catch (error) {
    status.textContent = `发送失败：${error.message}`;
  } finally {
    button.disabled = false;
  }
}

function showError(message) {
  const error = document.getElementById("error");
  error.textContent = message;
  error.hidden = !message;
}

async function tag(text) {
  const response = await fetch("v1/tag", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ text, explain: true }),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(data && data.error ? data.error.message : `HTTP ${response.status}`);
  }
  return data;
}

async function submit(event) {
  event.preventDefault();
  const button = document.getElementById("submit");
  const status = document.getElementById("status");
  button.disabled = true;
  status.textContent = "标注中…";
  showError("");
  try {
    const text = document.getElementById("text").value;
    const result = await tag(text);
    await themesLoaded;
    render(result);
    status.textContent = "";
  } catch (error) {
    status.textContent = "";
    showError(`标注失败：${error.message}`);
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("tag-form").addEventListener("submit", submit);
  themesLoaded = loadThemes().catch(() => {});
});
