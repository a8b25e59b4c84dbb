// The inspector: the server renders the form of the selected state (field
// knowledge lives in Go, next to the validator); each change is posted and
// applied as a designer operation, and the answer updates the canvas.
import type { DraftView } from "./types";

export interface InspectorHost {
  draftURL: string;
  csrf: string;
  version(): number;
  apply(v: DraftView): void;
  toast(msg: string): void;
  enqueue<T>(fn: () => Promise<T>): Promise<T>;
  // timing gets each change's round trip: sent to answer applied, in ms.
  timing?(ms: number): void;
  // post sends a change to one of the draft's edit routes (path relative to
  // the draft URL) and resolves to the HTTP status and the JSON answer.
  post(path: string, body: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function mountInspector(el: HTMLElement, host: InspectorHost) {
  let shown = "";      // state name shown
  let shownHTML = "";  // the form's markup as the server sent it
  let shownAt = -1;    // draft version shown
  let seq = 0;

  async function load(name: string, my: number) {
    if (my !== seq) return;
    const res = await fetch(`${host.draftURL}/inspector?state=${encodeURIComponent(name)}`, { credentials: "same-origin" });
    if (my !== seq) return;
    if (!res.ok) { el.innerHTML = ""; shown = ""; return; }
    const html = await res.text();
    if (my !== seq) return;
    // Keep what the user is typing: re-render only when focus is elsewhere.
    const active = document.activeElement as HTMLElement | null;
    const field = active && el.contains(active) ? (active.dataset.field || (active.hasAttribute("data-rename") ? "#name" : "")) : "";
    const listSel = !active || !el.contains(active) ? ""
      : active.dataset.list && active.dataset.key
        ? `[data-list="${CSS.escape(active.dataset.list)}"][data-path="${CSS.escape(active.dataset.path || "")}"][data-key="${CSS.escape(active.dataset.key)}"]`
        : active.dataset.param ? `[data-param="${CSS.escape(active.dataset.param)}"]` : "";
    const openAdvanced = Array.from(el.querySelectorAll<HTMLElement>("[data-list-editor] > details[open]")).map((d) => d.parentElement?.dataset.listEditor || "");
    const openTest = !!el.querySelector("details[data-test-state][open]");
    // The same form at a newer version (an edit made in this form): only
    // its version changes; replacing it would cost a layout and the caret.
    const form = el.querySelector<HTMLElement>("[data-inspector-form]");
    const ver = /data-version="(\d+)"/.exec(html)?.[1];
    if (form && ver && shown === name && html === shownHTML.replace(/data-version="\d+"/, `data-version="${ver}"`)) {
      form.dataset.version = ver;
      shownHTML = html;
      return;
    }
    el.innerHTML = html;
    shownHTML = html;
    if (openTest) el.querySelector("details[data-test-state]")?.setAttribute("open", "");
    if (field) (el.querySelector(field === "#name" ? "[data-rename]" : `[data-field="${CSS.escape(field)}"]`) as HTMLElement | null)?.focus();
    if (listSel) (el.querySelector(listSel) as HTMLElement | null)?.focus();
    for (const f of openAdvanced) el.querySelector(`[data-list-editor="${CSS.escape(f)}"] > details`)?.setAttribute("open", "");
    shown = name;
  }

  function post(body: Record<string, unknown>, route = "inspector/field") {
    return host.enqueue(() => postNow(body, route));
  }

  // A structured editor's change (Choices, Retry, Catch): the server turns it
  // into the operation that sets the whole list.
  function postList(t: HTMLElement, value: string) {
    const state = el.querySelector<HTMLElement>("[data-inspector-form]")?.dataset.state || "";
    if (!state) return Promise.resolve(null);
    const d = t.dataset;
    return post({ state, field: d.list, path: d.path || "", action: d.action, key: d.key || "", value }, "inspector/list");
  }

  el.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>("button[data-list]");
    if (!b || !el.contains(b)) return;
    ev.preventDefault();
    void postList(b, b.dataset.value || "");
  });

  async function postNow(body: Record<string, unknown>, route: string) {
    const t0 = performance.now();
    const { status, body: answer } = await host.post(route, { version: host.version(), ...body });
    const ok = status === 200;
    if (ok) {
      host.apply(answer as DraftView);
      host.timing?.(performance.now() - t0);
    } else {
      if (answer.draft) host.apply(answer.draft as DraftView);
      host.toast(answer.error || "The change was refused.");
    }
    return ok ? (answer as DraftView) : null;
  }

  el.addEventListener("change", async (ev) => {
    const t = ev.target as HTMLInputElement | HTMLTextAreaElement;
    const state = el.querySelector<HTMLElement>("[data-inspector-form]")?.dataset.state || "";
    if (!state || t.closest("[data-test-form]")) return;
    if (t.hasAttribute("data-add-error")) {
      // Append the picked States.* name to the ErrorEquals next to it.
      const input = t.parentElement?.querySelector<HTMLInputElement>('input[data-key="ErrorEquals"]');
      if (!input || !t.value) return;
      const names = input.value.split(",").map((n) => n.trim()).filter((n) => n);
      if (!names.includes(t.value)) names.push(t.value);
      input.value = names.join(", ");
      await postList(input, input.value);
      return;
    }
    if (t.dataset.list) { await postList(t, t.value); return; }
    if (t.dataset.param) { await post({ state, key: t.dataset.param, text: t.value }, "inspector/param"); return; }
    if (t.hasAttribute("data-rename")) {
      const to = t.value.trim();
      if (!to || to === state) return;
      const v = await post({ state, rename: to });
      if (v) { shown = ""; show(to, v.version); }
      return;
    }
    if (!t.dataset.field) return;
    await post({ state, field: t.dataset.field, kind: t.dataset.kind, text: t.value });
  });

  el.addEventListener("submit", async (ev) => {
    const form = ev.target as HTMLFormElement;
    if (!form.matches("[data-test-form]")) return;
    ev.preventDefault();
    const state = el.querySelector<HTMLElement>("[data-inspector-form]")?.dataset.state || "";
    const data = Object.fromEntries(new FormData(form).entries());
    const out = el.querySelector("[data-test-result]") as HTMLElement;
    out.innerHTML = '<p class="muted">Running…</p>';
    const res = await fetch(host.draftURL + "/test-state", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": host.csrf },
      body: JSON.stringify({ state, ...data }),
      credentials: "same-origin",
    });
    out.innerHTML = res.ok ? await res.text() : `<p class="dz-field-msg">The server answered ${res.status}.</p>`;
  });

  function show(name: string, version: number) {
    if (!name) { seq++; shown = ""; shownAt = -1; el.innerHTML = ""; return; }
    if (name === shown && version === shownAt) return;
    shownAt = version;
    // In a task of its own: the answer that changed the draft is drawn
    // first (starting a fetch takes the page about a millisecond).
    const my = ++seq;
    setTimeout(() => void load(name, my), 0);
  }
  return { show };
}
