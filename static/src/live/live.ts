// The live execution view: draws the state machine read-only (layout from
// the designer's quickLayout), opens the execution's websocket with the last
// event id it has, and turns history events into state colours, a history
// table, a timeline and per-state run details. Reconnects after a drop with
// the last id, so no event is lost; ids already held are ignored.
import "../app";
import { quickLayout } from "../designer/quick-layout";
import type { GContainer, GEdge, GNode, Pt } from "../designer/types";

const NODE_W = 180, NODE_H = 46, LANE_PAD = 22, LANE_HEAD = 26;

interface Ev { id: number; previousEventId: number; ts: number; type: string; details?: Record<string, unknown> }
interface Run {
  eventId: number; start: number; end?: number; input?: string; output?: string;
  error?: string; cause?: string; status: string; retries: number; failedNow: boolean; iter: string;
}
interface StateInfo { name: string; status: string; runs: Run[]; retries: number; mapTotal: number; mapDone: number; mapFailed: number }

const root = document.querySelector("[data-live]") as HTMLElement | null;
if (root) mount(root);
const executions = document.querySelector("section#executions") as HTMLElement | null;
if (executions) followExecutions(executions);

// followExecutions keeps a state machine page's executions table current
// with a light poll of the page itself (every 2 s while the tab is
// visible and any listed execution runs, every 10 s otherwise, to pick up
// new ones), replacing only the table.
function followExecutions(_section: HTMLElement) {
  const running = () => document.querySelector('section#executions [data-status="RUNNING"]') !== null;
  const tick = async () => {
    if (!document.hidden) {
      try {
        const r = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
        if (r.ok) {
          const doc = new DOMParser().parseFromString(await r.text(), "text/html");
          const fresh = doc.querySelector("section#executions");
          const cur = document.querySelector("section#executions");
          const body = (el: Element | null) => el?.querySelector("table, .empty")?.outerHTML || "";
          if (fresh && cur && body(fresh) !== body(cur)) {
            const keep = cur.querySelector(".card-head");
            const freshHead = fresh.querySelector(".card-head");
            if (keep && freshHead) freshHead.replaceWith(keep);
            cur.replaceChildren(...Array.from(fresh.childNodes));
          }
        }
      } catch { /* offline for a moment: try again later */ }
    }
    setTimeout(tick, running() ? 2000 : 10000);
  };
  setTimeout(tick, running() ? 2000 : 10000);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]!));
}

function fmtMs(ms: number): string {
  if (ms < 1000) return Math.max(0, Math.round(ms)) + " ms";
  if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
  return Math.floor(ms / 60000) + " min " + Math.round((ms % 60000) / 1000) + " s";
}

function pretty(s: string | undefined): string {
  if (s === undefined) return "";
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch { return s; }
}

function mount(root: HTMLElement) {
  const graph = JSON.parse(document.getElementById("live-graph")!.textContent || "{}") as { nodes: GNode[]; edges: GEdge[]; containers: GContainer[] };
  const canvas = root.querySelector("[data-live-canvas]") as HTMLElement;
  const detail = root.querySelector("[data-live-detail]") as HTMLElement;
  const connEl = root.querySelector("[data-live-conn]") as HTMLElement;
  const summaryEl = root.querySelector("[data-live-summary]") as HTMLElement;
  const timeline = document.querySelector("[data-live-timeline]") as HTMLElement;
  const tbody = document.querySelector("[data-live-events] tbody") as HTMLElement;
  const countEl = document.querySelector("[data-live-count]") as HTMLElement;
  const staticEvents = document.querySelector("[data-static-events]") as HTMLElement | null;
  if (staticEvents) staticEvents.hidden = true;

  const retrying = new Set<string>(JSON.parse(document.getElementById("live-retrying")?.textContent || "null") || []);
  const byName = new Map<string, GNode>();
  for (const n of graph.nodes) byName.set(n.name, n);
  const states = new Map<string, StateInfo>();
  for (const n of graph.nodes) states.set(n.name, { name: n.name, status: "pending", runs: [], retries: 0, mapTotal: 0, mapDone: 0, mapFailed: 0 });
  const evState = new Map<number, string>();
  // evIter names the Map iteration ("Map#index") an event belongs to, so a
  // Map's detail can open one iteration's own picture.
  const evIter = new Map<number, string>();
  const iterations = new Map<string, Map<number, string>>(); // Map name → index → status
  let focusIter = "";
  const ids: number[] = [];
  let lastId = 0, startTs = 0, endTs = 0, execStatus = root.dataset.executionStatus || "running";
  let selected = "";
  // stats is read by the browser tests: log holds every status change
  // ("State:status") in the order the events made them.
  const stats = { reconnects: 0, duplicates: 0, ids, log: [] as string[] };
  const logged = new Map<string, string>();
  (window as unknown as { __live: unknown }).__live = stats;

  // ---------- the diagram ----------
  const pos = quickLayout(graph.nodes, graph.edges, graph.containers,
    { nodeW: NODE_W, nodeH: NODE_H, gapX: 36, gapY: 56, lanePad: LANE_PAD, laneHead: LANE_HEAD });
  const boxes = new Map<string, { x: number; y: number; w: number; h: number }>();
  const depth = (id: string): number => {
    let d = 0, c = graph.containers.find((x) => x.id === id);
    while (c && c.parent) { d++; c = graph.containers.find((x) => x.id === c!.parent); }
    return d;
  };
  for (const c of graph.containers.slice().sort((a, b) => depth(b.id) - depth(a.id))) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of graph.nodes) {
      if (n.container !== c.id) continue;
      const p = pos.get(n.path);
      if (!p) continue;
      x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x + NODE_W); y1 = Math.max(y1, p.y + NODE_H);
      for (const inner of graph.containers.filter((k) => k.state === n.path)) {
        const b = boxes.get(inner.id);
        if (b) { x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h); }
      }
    }
    if (!isFinite(x0)) continue;
    boxes.set(c.id, { x: x0 - LANE_PAD, y: y0 - LANE_PAD - LANE_HEAD, w: x1 - x0 + 2 * LANE_PAD, h: y1 - y0 + 2 * LANE_PAD + LANE_HEAD });
  }
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const extend = (x: number, y: number, w: number, h: number) => {
    minX = Math.min(minX, x); minY = Math.min(minY, y); maxX = Math.max(maxX, x + w); maxY = Math.max(maxY, y + h);
  };
  pos.forEach((p) => extend(p.x, p.y, NODE_W, NODE_H));
  boxes.forEach((b) => extend(b.x, b.y, b.w, b.h));
  if (!isFinite(minX)) { minX = 0; minY = 0; maxX = NODE_W; maxY = NODE_H; }
  let svg = `<svg class="lv-svg" xmlns="http://www.w3.org/2000/svg" viewBox="${minX - 12} ${minY - 12} ${maxX - minX + 24} ${maxY - minY + 24}" width="${maxX - minX + 24}" role="img" aria-label="State machine diagram">` +
    `<defs><marker id="lv-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path></marker></defs>`;
  for (const c of graph.containers) {
    const b = boxes.get(c.id);
    if (!b) continue;
    const label = c.kind === "branch" ? `Branch ${c.index + 1}` : "Iteration";
    svg += `<g class="lv-lane" data-container="${esc(c.id)}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="12"></rect><text x="${b.x + 10}" y="${b.y + 18}">${esc(label)}</text></g>`;
  }
  for (const e of graph.edges) {
    if (!e.from) continue;
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const x0 = a.x + NODE_W / 2, y0 = a.y + NODE_H, x1 = b.x + NODE_W / 2, y1 = b.y;
    const my = (y0 + y1) / 2;
    svg += `<path class="lv-edge lv-edge-${esc(e.kind)}" d="M${x0},${y0} C${x0},${my} ${x1},${my} ${x1},${y1}" marker-end="url(#lv-arrow)"></path>`;
  }
  for (const n of graph.nodes) {
    const p = pos.get(n.path) as Pt | undefined;
    if (!p) continue;
    svg += `<g class="lv-node" tabindex="0" role="button" data-state-path="${esc(n.path)}" data-state-name="${esc(n.name)}" data-state-type="${esc(n.type)}" data-status="pending" transform="translate(${p.x},${p.y})">` +
      `<rect class="lv-box" width="${NODE_W}" height="${NODE_H}" rx="9"></rect>` +
      `<text class="lv-name" x="12" y="19">${esc(n.name.length > 22 ? n.name.slice(0, 21) + "…" : n.name)}</text>` +
      `<text class="lv-sub" x="12" y="36" data-state-sub>${esc(n.type)}</text><title>${esc(n.name)}</title></g>`;
  }
  canvas.innerHTML = svg + "</svg>";
  const nodeEls = new Map<string, SVGGElement>();
  canvas.querySelectorAll<SVGGElement>(".lv-node").forEach((g) => nodeEls.set(g.dataset.stateName!, g));
  canvas.addEventListener("click", (ev) => {
    const g = (ev.target as Element).closest<SVGGElement>(".lv-node");
    if (g) select(g.dataset.stateName!);
  });
  detail.addEventListener("click", (ev) => {
    const b = (ev.target as Element).closest<HTMLButtonElement>("button[data-iter]");
    if (!b) return;
    focusIter = b.dataset.iter || "";
    for (const n of graph.nodes) dirty.add(n.name);
    const keep = selected;
    paintStates();
    select(keep);
  });
  canvas.addEventListener("keydown", (ev) => {
    const g = (ev.target as Element).closest<SVGGElement>(".lv-node");
    if (g && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); select(g.dataset.stateName!); }
  });

  // ---------- events → state ----------
  const dirty = new Set<string>();
  function openRun(st: StateInfo): Run | undefined {
    for (let i = st.runs.length - 1; i >= 0; i--) if (st.runs[i].end === undefined) return st.runs[i];
    return undefined;
  }
  function detailsStr(e: Ev, k: string): string | undefined {
    const v = e.details && e.details[k];
    return typeof v === "string" ? v : v === undefined ? undefined : JSON.stringify(v);
  }
  function apply(e: Ev) {
    if (!startTs) startTs = e.ts;
    const t = e.type;
    const dname = detailsStr(e, "name");
    let name = "";
    if (t.endsWith("StateEntered") || t.endsWith("StateExited") || t.startsWith("MapIteration")) name = dname || "";
    else if (t === "EvaluationFailed") name = detailsStr(e, "state") || "";
    else if (t.startsWith("Execution")) name = "";
    else name = evState.get(e.previousEventId) || "";
    if (name) evState.set(e.id, name);
    let iter = evIter.get(e.previousEventId) || "";
    if (t.startsWith("MapIteration") && dname) {
      const idx = Number((e.details || {}).index);
      iter = dname + "#" + idx;
      const its = iterations.get(dname) || new Map<number, string>();
      its.set(idx, t === "MapIterationStarted" ? "running" : t === "MapIterationSucceeded" ? "succeeded" : t === "MapIterationFailed" ? "failed" : "aborted");
      iterations.set(dname, its);
      if (t !== "MapIterationStarted") iter = evIter.get(e.previousEventId) === iter ? "" : evIter.get(e.previousEventId) || "";
    }
    if (iter) evIter.set(e.id, iter);
    const st = name ? states.get(name) : undefined;
    if (t.endsWith("StateEntered") && st) {
      // The state this one follows may have failed and been caught.
      const prev = evState.get(e.previousEventId);
      if (prev && prev !== name) {
        const ps = states.get(prev);
        const pr = ps && openRun(ps);
        if (ps && pr && pr.failedNow) { pr.status = "caught"; pr.end = e.ts; ps.status = "caught"; dirty.add(prev); }
      }
      st.runs.push({ eventId: e.id, start: e.ts, input: detailsStr(e, "input"), status: "running", retries: 0, failedNow: false, iter: evIter.get(e.id) || "" });
      st.status = "running";
      dirty.add(name);
    } else if (t.endsWith("StateExited") && st) {
      const r = openRun(st);
      if (r) { r.end = e.ts; r.output = detailsStr(e, "output"); r.status = r.failedNow ? "caught" : "succeeded"; st.status = r.status; }
      dirty.add(name);
    } else if (st && (/Failed$|TimedOut$/.test(t)) && !t.startsWith("Execution") && !t.startsWith("MapIteration")) {
      const r = openRun(st);
      // With a Retry field the attempt may come again: show retrying until
      // the next attempt, a catcher or the execution's end decides.
      const status = retrying.has(name) ? "retrying" : "failed";
      if (r) { r.error = detailsStr(e, "error"); r.cause = detailsStr(e, "cause"); r.failedNow = true; r.status = status; }
      st.status = status;
      dirty.add(name);
    } else if (st && (t.endsWith("Scheduled") || t.endsWith("Started")) && !t.startsWith("Map") && !t.startsWith("Parallel")) {
      const r = openRun(st);
      if (r && r.failedNow) { r.failedNow = false; r.retries++; st.retries++; r.status = "retrying"; st.status = "retrying"; dirty.add(name); }
    } else if (st && t === "MapStateStarted") {
      st.mapTotal = Number((e.details || {}).length || 0); dirty.add(name);
    } else if (st && t === "MapIterationSucceeded") {
      st.mapDone++; dirty.add(name);
    } else if (st && (t === "MapIterationFailed" || t === "MapIterationAborted")) {
      st.mapDone++; st.mapFailed++; dirty.add(name);
    }
    if (t.startsWith("Execution") && t !== "ExecutionStarted") {
      endTs = e.ts;
      execStatus = { ExecutionSucceeded: "succeeded", ExecutionFailed: "failed", ExecutionAborted: "aborted", ExecutionTimedOut: "timed_out" }[t] || execStatus;
      for (const s of states.values()) {
        const r = openRun(s);
        if (!r) continue;
        r.end = e.ts;
        r.status = r.failedNow || (t === "ExecutionFailed" && byName.get(s.name)?.type === "Fail") ? "failed" : "aborted";
        s.status = r.status;
        dirty.add(s.name);
      }
      root.dataset.executionStatus = execStatus;
      finishFacts(t, e);
    } else if (t === "ExecutionStarted") {
      execStatus = "running";
      root.dataset.executionStatus = execStatus;
    }
    for (const n of dirty) {
      const s = states.get(n)!.status;
      if (logged.get(n) !== s) { logged.set(n, s); stats.log.push(n + ":" + s); }
    }
    addRow(e, name);
  }

  // finishFacts brings the server-rendered facts up to date when the
  // execution ends while the page is open: status badge, stop button,
  // output or error.
  function finishFacts(t: string, e: Ev) {
    const aws = { ExecutionSucceeded: "SUCCEEDED", ExecutionFailed: "FAILED", ExecutionAborted: "ABORTED", ExecutionTimedOut: "TIMED_OUT" }[t];
    if (!aws) return;
    const badge = document.querySelector("[data-testid=execution-status] [data-status]") as HTMLElement | null;
    if (badge && badge.dataset.status !== aws) {
      badge.dataset.status = aws;
      badge.className = "badge " + (aws === "SUCCEEDED" ? "badge-ok" : aws === "ABORTED" ? "badge-warn" : "badge-fail");
      badge.textContent = aws === "TIMED_OUT" ? "Timed out" : aws[0] + aws.slice(1).toLowerCase();
      const head = document.querySelector(".page-head[data-status]") as HTMLElement | null;
      if (head) head.dataset.status = aws;
      document.querySelectorAll<HTMLFormElement>('.head-actions form[action$="/stop"]').forEach((f) => f.remove());
      const out = detailsStr(e, "output");
      const outCard = document.querySelector(".grid-2 section:nth-child(2)") as HTMLElement | null;
      if (outCard && !outCard.querySelector("[data-testid=execution-output]")) {
        const p = outCard.querySelector("p.muted");
        if (out !== undefined) {
          const pre = document.createElement("pre");
          pre.className = "code-block";
          pre.dataset.testid = "execution-output";
          pre.textContent = pretty(out);
          p ? p.replaceWith(pre) : outCard.appendChild(pre);
        } else if (p) {
          p.textContent = "No output: the execution did not succeed." + (detailsStr(e, "error") ? " Error: " + detailsStr(e, "error") : "");
        }
      }
    }
  }

  function addRow(e: Ev, name: string) {
    const tr = document.createElement("tr");
    const kind = /Failed|TimedOut|Aborted/.test(e.type) ? "fail" : /Succeeded|Exited/.test(e.type) ? "ok" : "info";
    tr.className = "ev ev-" + kind;
    tr.dataset.eventId = String(e.id);
    tr.dataset.type = e.type;
    const det = e.details ? `<details><summary>Show</summary><pre class="code-block small">${esc(JSON.stringify(e.details, null, 2))}</pre></details>` : "";
    tr.innerHTML = `<td class="num muted">${e.id}</td><td class="mono small">${esc(e.type)}</td><td class="hide-sm">${esc(name)}</td>` +
      `<td class="hide-sm muted small">${fmtMs(e.ts - startTs)}</td><td>${det}</td>`;
    tbody.appendChild(tr);
  }

  // inFocus tells whether a state sits inside the Map whose iteration is
  // focused (its processor, at any depth).
  function inFocus(n: GNode): boolean {
    if (!focusIter) return false;
    const mapNode = byName.get(focusIter.slice(0, focusIter.lastIndexOf("#")));
    if (!mapNode) return false;
    for (let c = graph.containers.find((k) => k.id === n.container); c; c = graph.containers.find((k) => k.id === c!.parent)) {
      if (c.state === mapNode.path) return true;
    }
    return false;
  }

  function paintStates() {
    for (const name of dirty) {
      const g = nodeEls.get(name), st = states.get(name);
      if (!g || !st) continue;
      const focused = inFocus(byName.get(name)!);
      const runs = focused ? st.runs.filter((r) => r.iter === focusIter) : st.runs;
      g.dataset.status = focused ? (runs.length ? runs[runs.length - 1].status : "pending") : st.status;
      g.classList.toggle("lv-focused", focused);
      const n = byName.get(name)!;
      let sub = n.type;
      if (n.type === "Map" && st.mapTotal > 0) sub = `${st.mapDone} of ${st.mapTotal} done` + (st.mapFailed ? `, ${st.mapFailed} failed` : "");
      else if (st.runs.length > 1) sub += ` · ${st.runs.length} runs`;
      if (st.retries) sub += ` · ${st.retries} ${st.retries === 1 ? "retry" : "retries"}`;
      (g.querySelector("[data-state-sub]") as SVGTextElement).textContent = sub;
      if (n.type === "Map") g.dataset.mapDone = String(st.mapDone), g.dataset.mapTotal = String(st.mapTotal), g.dataset.mapFailed = String(st.mapFailed);
    }
    if (selected && dirty.has(selected)) select(selected);
    dirty.clear();
  }

  function select(name: string) {
    selected = name;
    nodeEls.forEach((g, k) => g.classList.toggle("selected", k === name));
    const st = states.get(name);
    if (!st) return;
    let h = `<h3 class="break">${esc(name)}</h3><p class="muted small">${esc(byName.get(name)?.type || "")} · ${esc(st.status)}</p>`;
    const its = iterations.get(name);
    if (its && its.size) {
      h += `<p class="small muted">Iterations: open one to colour its states</p><div class="lv-iters">`;
      if (focusIter.startsWith(name + "#")) h += `<button type="button" class="btn btn-sm" data-iter="">All iterations</button>`;
      [...its.entries()].sort((a, b) => a[0] - b[0]).slice(0, 500).forEach(([i, s]) => {
        const key = name + "#" + i;
        h += `<button type="button" class="btn btn-sm lv-iter lv-s-${esc(s)}${focusIter === key ? " selected" : ""}" data-iter="${esc(key)}" title="${esc(s)}">${i}</button>`;
      });
      h += `</div>`;
    }
    if (!st.runs.length) h += `<p class="muted">Not entered yet.</p>`;
    const shown = focusIter && inFocus(byName.get(name)!) ? st.runs.filter((r) => r.iter === focusIter) : st.runs;
    shown.forEach((r, i) => {
      const dur = r.end !== undefined ? fmtMs(r.end - r.start) : fmtMs(Date.now() - r.start) + " so far";
      const it = r.iter ? ` · iteration ${esc(r.iter.slice(r.iter.lastIndexOf("#") + 1))}` : "";
      h += `<div class="lv-run" data-run="${i + 1}" data-run-status="${esc(r.status)}"><p class="strong">Run ${i + 1} · ${esc(r.status)} · ${esc(dur)}${it}${r.retries ? ` · ${r.retries} retries` : ""}</p>`;
      if (r.input !== undefined) h += `<p class="small muted">Input</p><pre class="code-block small">${esc(pretty(r.input))}</pre>`;
      if (r.output !== undefined) h += `<p class="small muted">Output</p><pre class="code-block small">${esc(pretty(r.output))}</pre>`;
      if (r.error !== undefined) h += `<p class="small muted">Error</p><pre class="code-block small" data-run-error>${esc(r.error)}</pre>`;
      if (r.cause !== undefined) h += `<p class="small muted">Cause</p><pre class="code-block small">${esc(r.cause)}</pre>`;
      h += `</div>`;
    });
    detail.innerHTML = h;
  }

  function paintTimeline() {
    const now = endTs || Date.now();
    const span = Math.max(1, now - startTs);
    let h = "";
    for (const st of states.values()) {
      for (const r of st.runs) {
        const left = ((r.start - startTs) / span) * 100;
        const width = Math.max(0.5, (((r.end ?? now) - r.start) / span) * 100);
        h += `<div class="lv-bar-row"><span class="lv-bar-label" title="${esc(st.name)}">${esc(st.name)}</span>` +
          `<span class="lv-bar-track"><span class="lv-bar lv-s-${esc(r.status)}" data-left="${left.toFixed(2)}" data-width="${width.toFixed(2)}" title="${esc(fmtMs((r.end ?? now) - r.start))}"></span></span></div>`;
      }
    }
    timeline.innerHTML = h || `<p class="muted small pad">No state has run yet.</p>`;
    // CSP forbids style attributes; CSSOM writes are allowed.
    timeline.querySelectorAll<HTMLElement>(".lv-bar").forEach((b) => { b.style.left = b.dataset.left + "%"; b.style.width = b.dataset.width + "%"; });
  }

  function paintSummary() {
    countEl.textContent = `(${ids.length})`;
    const running = [...states.values()].filter((s) => s.status === "running" || s.status === "retrying").map((s) => s.name);
    summaryEl.textContent = execStatus === "running" ? (running.length ? "Running: " + running.join(", ") : "Running") : "Finished: " + execStatus.replace("_", " ");
  }

  function receive(events: Ev[]) {
    let any = false;
    for (const e of events) {
      if (e.id <= lastId) { stats.duplicates++; continue; }
      lastId = e.id;
      ids.push(e.id);
      apply(e);
      any = true;
    }
    if (any) { paintStates(); paintTimeline(); paintSummary(); }
  }

  // ---------- the websocket ----------
  let ws: WebSocket | null = null;
  let backoff = 250;
  const finished = () => execStatus !== "running";
  function setConn(s: string, text: string) { root.dataset.connection = s; connEl.textContent = text; }
  function connect() {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.wsUrl + "?after=" + lastId;
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => { backoff = 250; setConn("open", "live"); };
    sock.onmessage = (m) => {
      try { receive((JSON.parse(m.data as string) as { events: Ev[] }).events || []); } catch { /* a bad frame: ignore it */ }
      if (finished()) { setConn("done", ""); sock.close(1000); }
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      if (finished()) { setConn("done", ""); return; }
      setConn("closed", "reconnecting…");
      stats.reconnects++;
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  }
  connect();
  setInterval(() => { if (!finished()) { paintTimeline(); } }, 500);
}
