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
}

export function mountInspector(el: HTMLElement, host: InspectorHost) {
  let shown = "";      // state name shown
  let shownAt = -1;    // draft version shown
  let seq = 0;

  async function load(name: string) {
    const my = ++seq;
    const res = await fetch(`${host.draftURL}/inspector?state=${encodeURIComponent(name)}`, { credentials: "same-origin" });
    if (my !== seq) return;
    if (!res.ok) { el.innerHTML = ""; shown = ""; return; }
    const html = await res.text();
    if (my !== seq) return;
    // Keep what the user is typing: re-render only when focus is elsewhere.
    const active = document.activeElement as HTMLElement | null;
    const field = active && el.contains(active) ? (active.dataset.field || (active.hasAttribute("data-rename") ? "#name" : "")) : "";
    const openTest = !!el.querySelector("details[data-test-state][open]");
    el.innerHTML = html;
    if (openTest) el.querySelector("details[data-test-state]")?.setAttribute("open", "");
    if (field) (el.querySelector(field === "#name" ? "[data-rename]" : `[data-field="${CSS.escape(field)}"]`) as HTMLElement | null)?.focus();
    shown = name;
  }

  function post(body: Record<string, unknown>) {
    return host.enqueue(() => postNow(body));
  }

  async function postNow(body: Record<string, unknown>) {
    const res = await fetch(host.draftURL + "/inspector/field", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": host.csrf },
      body: JSON.stringify({ version: host.version(), ...body }),
      credentials: "same-origin",
    });
    const answer = await res.json().catch(() => ({ error: "The server answered " + res.status }));
    if (res.ok) host.apply(answer as DraftView);
    else {
      if (answer.draft) host.apply(answer.draft as DraftView);
      host.toast(answer.error || "The change was refused.");
    }
    return res.ok ? (answer as DraftView) : null;
  }

  el.addEventListener("change", async (ev) => {
    const t = ev.target as HTMLInputElement | HTMLTextAreaElement;
    const state = el.querySelector<HTMLElement>("[data-inspector-form]")?.dataset.state || "";
    if (!state || t.closest("[data-test-form]")) return;
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
    void load(name);
  }
  return { show };
}
