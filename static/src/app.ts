// Stepwise page behaviour: progressive enhancement only. Every page works
// without it; no user string is ever written with innerHTML.

function validateJSON(area: HTMLTextAreaElement): string {
  const text = area.value.trim();
  if (text === "") {
    return area.dataset.json === "input" ? "" : "The definition is empty.";
  }
  try {
    JSON.parse(text);
    return "";
  } catch (e) {
    return "Not valid JSON: " + (e instanceof Error ? e.message : String(e));
  }
}

function setupJSONForms(): void {
  document.querySelectorAll<HTMLFormElement>("form[data-json-form]").forEach((form) => {
    const areas = Array.from(form.querySelectorAll<HTMLTextAreaElement>("textarea[data-json]"));
    const submit = form.querySelector<HTMLButtonElement>("button[type=submit]");
    const check = (): boolean => {
      let ok = true;
      for (const area of areas) {
        const msg = validateJSON(area);
        const out = form.querySelector<HTMLElement>(`[data-json-error="${area.dataset.json}"]`);
        if (out && (msg !== "" || out.dataset.fromClient === "1")) {
          out.textContent = msg;
          out.dataset.fromClient = "1";
        }
        area.setAttribute("aria-invalid", msg === "" ? "false" : "true");
        if (msg !== "") ok = false;
      }
      if (submit) submit.disabled = !ok;
      return ok;
    };
    areas.forEach((a) => a.addEventListener("input", check));
    form.addEventListener("submit", (ev) => {
      if (!check()) ev.preventDefault();
    });
    form.querySelectorAll<HTMLButtonElement>("button[data-format]").forEach((btn) => {
      btn.addEventListener("click", () => {
        const area = form.querySelector<HTMLTextAreaElement>(`textarea[data-json="${btn.dataset.format}"]`);
        if (!area || area.value.trim() === "") return;
        try {
          area.value = JSON.stringify(JSON.parse(area.value), null, 2);
        } catch {
          /* check() below shows the problem */
        }
        check();
      });
    });
  });
}

function setupConfirm(): void {
  document.querySelectorAll<HTMLFormElement>("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm || "Are you sure?")) ev.preventDefault();
    });
  });
}

function setupAutosubmit(): void {
  document.querySelectorAll<HTMLSelectElement>("select[data-autosubmit]").forEach((sel) => {
    sel.addEventListener("change", () => sel.form?.requestSubmit());
  });
}

function setupLiveFilter(): void {
  document.querySelectorAll<HTMLInputElement>("input[data-live-filter]").forEach((input) => {
    const table = document.getElementById(input.dataset.liveFilter || "");
    if (!table) return;
    input.addEventListener("input", () => {
      const q = input.value.trim().toLowerCase();
      table.querySelectorAll<HTMLTableRowElement>("tbody tr").forEach((row) => {
        row.hidden = q !== "" && !(row.dataset.name || "").toLowerCase().includes(q);
      });
    });
  });
}

function setupEventFilter(): void {
  const text = document.querySelector<HTMLInputElement>("input[data-event-filter]");
  const type = document.querySelector<HTMLSelectElement>("select[data-event-type]");
  const table = document.getElementById("events-table");
  if (!table) return;
  const apply = (): void => {
    const q = (text?.value || "").trim().toLowerCase();
    const t = type?.value || "";
    table.querySelectorAll<HTMLTableRowElement>("tbody tr").forEach((row) => {
      const okType = t === "" || row.dataset.type === t;
      const okText = q === "" || (row.dataset.search || "").toLowerCase().includes(q);
      row.hidden = !(okType && okText);
    });
  };
  text?.addEventListener("input", apply);
  type?.addEventListener("change", apply);
}

function setupCopy(): void {
  document.querySelectorAll<HTMLButtonElement>("button[data-copy]").forEach((btn) => {
    btn.addEventListener("click", async () => {
      const el = document.getElementById(btn.dataset.copy || "");
      if (!el) return;
      try {
        await navigator.clipboard.writeText(el.textContent || "");
        btn.textContent = "Copied";
        setTimeout(() => (btn.textContent = "Copy"), 1500);
      } catch {
        btn.textContent = "Copy failed";
      }
    });
  });
}

// setupAutorefresh reloads a running execution's page every few seconds,
// but not while the user is busy with it: an open detail, a filter being
// typed, a selection, or a click or key press in the last seconds.
function setupAutorefresh(): void {
  if (!document.querySelector("[data-autorefresh]")) return;
  let lastInput = 0;
  const mark = (): void => {
    lastInput = Date.now();
  };
  document.addEventListener("pointerdown", mark, true);
  document.addEventListener("keydown", mark, true);
  const busy = (): boolean =>
    Date.now() - lastInput < 5000 ||
    document.querySelector("details[open]") !== null ||
    Array.from(document.querySelectorAll<HTMLInputElement>("input[data-event-filter]")).some((i) => i.value !== "") ||
    (window.getSelection()?.toString() ?? "") !== "";
  const tick = (): void => {
    if (document.hidden || busy()) {
      setTimeout(tick, 2000);
      return;
    }
    window.location.reload();
  };
  setTimeout(tick, 2000);
}

function init(): void {
  setupJSONForms();
  setupConfirm();
  setupAutosubmit();
  setupLiveFilter();
  setupEventFilter();
  setupCopy();
  setupAutorefresh();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
