// Run from the designer: an input dialog that saves the draft as its state
// machine's definition, starts an execution and opens its live page.

export function mountRun(root: HTMLElement, draftURL: string, csrf: string, before: () => Promise<unknown>) {
  const button = root.querySelector<HTMLButtonElement>("[data-run]");
  const dialog = root.querySelector<HTMLDialogElement>("[data-run-dialog]");
  const form = root.querySelector<HTMLFormElement>("[data-run-form]");
  const error = root.querySelector<HTMLElement>("[data-run-error]");
  if (!button || !dialog || !form || !error) return;
  button.addEventListener("click", () => { error.textContent = ""; dialog.showModal(); });
  root.querySelector("[data-run-cancel]")?.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = String(new FormData(form).get("input") || "");
    try { JSON.parse(input || "{}"); } catch (e) { error.textContent = "The input is not valid JSON: " + (e as Error).message; return; }
    error.textContent = "Starting…";
    await before();
    const res = await fetch(draftURL + "/run", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ input }),
      credentials: "same-origin",
    });
    const body = await res.json().catch(() => ({ error: "The server answered " + res.status }));
    if (!res.ok) { error.textContent = body.error || "The execution could not start."; return; }
    dialog.close();
    location.assign(body.url);
  });
}
