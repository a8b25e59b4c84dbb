// The designer canvas. The server owns the document: every gesture becomes an
// operation POSTed to <draft>/ops, and the answer (graph, ASL, diagnostics,
// version) replaces what is shown. Dragging is local until the drop.
import { quickLayout } from "./quick-layout";
import { mountInspector } from "./inspector";
import { mountRun } from "./run";
import type { Diag, DraftView, GEdge, GNode, LayoutAnswer, Op, Pt } from "./types";
import type { Splice } from "./codeview";

const NODE_W = 180;
const NODE_H = 46;
const LANE_PAD = 22;
const LANE_HEAD = 26;
const SVGNS = "http://www.w3.org/2000/svg";
// Imports with more unplaced states than this use the quick layout.
const QUICK_LAYOUT_FROM = 120;

const root = document.getElementById("designer") as HTMLElement;
const draftURL = root.dataset.draftUrl!;
const csrf = root.dataset.csrf || "";
const svg = root.querySelector("[data-canvas]") as SVGSVGElement;
const viewportG = svg.querySelector(".dz-viewport") as SVGGElement;
const containersG = svg.querySelector(".dz-containers") as SVGGElement;
const edgesG = svg.querySelector(".dz-edges") as SVGGElement;
const nodesG = svg.querySelector(".dz-nodes") as SVGGElement;
const dragLayer = root.querySelector(".dz-drag-layer") as SVGSVGElement;
const boxRect = dragLayer.querySelector(".dz-box") as SVGRectElement;
const dragVp = root.querySelector(".dz-drag-vp") as SVGGElement;
const dragEdges = root.querySelector(".dz-drag-edges") as SVGGElement;
const dragNodes = root.querySelector(".dz-drag-nodes") as SVGGElement;
const minimap = root.querySelector(".dz-minimap-svg") as SVGSVGElement;
const statusLine = root.querySelector("[data-status-line]") as HTMLElement;
const announceEl = root.querySelector("[data-announce]") as HTMLElement;
const toastEl = root.querySelector("[data-toast]") as HTMLElement;
const problemsEl = root.querySelector("[data-problems]") as HTMLElement;
const selectionEl = root.querySelector("[data-selection-info]") as HTMLElement;
const inspector = root.querySelector("[data-inspector]") as HTMLElement;
const inspectorForm = mountInspector(root.querySelector("[data-inspector-body]") as HTMLElement, {
  draftURL: root.dataset.draftUrl || "",
  csrf: root.dataset.csrf || "",
  version: () => view.version,
  apply: (v) => apply(v),
  toast: (m) => toast(m),
  timing: (ms) => { perf.edits.push(ms); perf.notify?.(); },
  post: (path, body) => post(path, body),
  // Inspector edits join the canvas's queue, so each is sent at the
  // version the previous operation produced.
  enqueue: <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn);
    queue = p.catch(() => undefined);
    return p;
  },
});

performance.mark("dz-script");
let view: DraftView = JSON.parse(document.getElementById("designer-initial")!.textContent || "{}");

// The code view (CodeMirror, most of the script) loads after the diagram's
// first paint; until then updates wait for it. An update whose text and
// diagnostics are what it already shows is skipped: CodeMirror measures the
// page on each one.
type CodeView = ReturnType<typeof import("./codeview").mountCodeView>;
let codeView: CodeView | null = null;
let codeShown = { text: "", diags: "", list: null as Diag[] | null };
// The code view follows in the frame after an answer (it is a second view
// of the same text; the canvas and the state are updated at once).
let codeWanted: { text: string; diags: Diag[]; splice?: Splice } | null = null;
function updateCode(v: DraftView) {
  if (!codeView) return;
  if (!codeWanted) requestAnimationFrame(() => setTimeout(flushCode, 0));
  codeWanted = { text: v.asl, diags: v.diagnostics, splice: deltaNotes.get(v)?.splice };
}
function flushCode() {
  const w = codeWanted;
  codeWanted = null;
  if (!w || !codeView) return;
  // The diagnostics an answer did not change are the very same list.
  const key = w.diags === codeShown.list ? codeShown.diags : JSON.stringify(w.diags);
  if (codeShown.text === w.text && codeShown.diags === key) return;
  codeView.update(w.text, w.diags, key !== codeShown.diags, w.splice);
  codeShown = { text: w.text, diags: key, list: w.diags };
}
// CodeMirror reads the document's selection on every selectionchange, which
// lays out the page (about 2 ms on a large diagram) even when the selection
// is in the inspector or the canvas. It only needs the ones in its editor:
// this listener, registered before CodeMirror's, keeps the others from it.
const codeEl = root.querySelector("[data-code-view]") as HTMLElement;
document.addEventListener("selectionchange", (ev) => {
  if (codeView && !codeEl.contains(document.activeElement)) ev.stopImmediatePropagation();
});
let codeLoading = false;
async function loadCodeView() {
  if (codeLoading) return;
  codeLoading = true;
  try {
    const { mountCodeView } = await import("./codeview");
    // Mounting takes a moment: not in the middle of a gesture.
    await new Promise<void>((resolve) => whenIdle(resolve));
    codeView = mountCodeView(codeEl, {
      initial: view.asl || "",
      edit: (text) => { void send({ op: "replace", asl: text }); },
    });
    codeShown = { text: view.asl || "", diags: "", list: null };
    codeWanted = { text: view.asl, diags: view.diagnostics };
    flushCode();
    performance.mark("dz-code");
  } catch (e) {
    codeLoading = false;
    toast("Could not load the code view: " + e);
  }
}
// A problem in the list selects its state.
function pickProblem(ev: Event) {
  const li = (ev.target as HTMLElement).closest<HTMLElement>("[data-diag-state]");
  if (!li || (ev instanceof KeyboardEvent && ev.key !== "Enter")) return;
  const n = view.graph.nodes.find((x) => x.name === li.dataset.diagState);
  if (n) { select([n.path]); reveal(n.path); }
}
problemsEl.addEventListener("click", pickProblem);
problemsEl.addEventListener("keydown", pickProblem);
performance.mark("dz-parsed");
// Positions shown: the stored ones, plus computed ones for unplaced states.
let pos = new Map<string, Pt>();
let nodeByPath = new Map<string, GNode>();
let selected = new Set<string>();
let selectedEdge: GEdge | null = null;
let zoom = 1, panX = 40, panY = 40;
let clipboard = "";

// Timings for the performance report (read by the browser tests).
// notify, when a test sets it, is called after each timed answer.
// partial lists the answers drawn by redrawing only the states they
// changed (those states' paths).
const perf = { notify: null as null | (() => void), viaSocket: 0, viaHTTP: 0, pushes: 0, partial: [] as string[], ops: [] as number[], edits: [] as number[], imports: [] as number[], layouts: [] as number[], renders: [] as number[], frames: [] as number[], frameWork: [] as number[] };
(window as unknown as { __dz: unknown }).__dz = {
  perf,
  get view() { return view; },
  get positions() { return Object.fromEntries(pos); },
  get code() { return codeView?.view; },
  ready: false,
};

// ---------- server ----------

// Edits travel over the draft's socket while it is open (a message costs a
// millisecond or two; a fetch costs the browser several), and over HTTP
// otherwise. The socket also brings other windows' changes at once.
type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
let sock: WebSocket | null = null;
let sockSeq = 0;
let sockRetry = 0;
const sockWaiters = new Map<number, (a: Answer) => void>();

function connect() {
  if (typeof WebSocket === "undefined") return;
  const ws = new WebSocket(location.origin.replace(/^http/, "ws") + draftURL + "/socket");
  // The server starts with the draft's current view (pushed: applied if it
  // is newer than what the page shows).
  ws.onopen = () => { sock = ws; sockRetry = 0; };
  let last: Record<string, unknown> | null = null; // the last draft view on this socket, in full
  ws.onmessage = (ev: MessageEvent<string>) => {
    let m: { id?: number; status?: number; body?: unknown; push?: unknown };
    try { m = JSON.parse(ev.data); } catch { return; }
    const view = m.push !== undefined ? m.push : m.status === 200 ? m.body : null;
    if (view && typeof view === "object" && "version" in view) {
      const full = expandView(last, view as Record<string, unknown>);
      last = full;
      const copy = { ...full };
      const note = deltaNotes.get(full);
      if (note) deltaNotes.set(copy, note);
      if (m.push !== undefined) m.push = copy; else m.body = copy;
    }
    if (m.push !== undefined) { onPush(m.push as DraftView); return; }
    const w = sockWaiters.get(m.id!);
    sockWaiters.delete(m.id!);
    w?.({ status: m.status!, body: m.body });
  };
  ws.onclose = () => {
    if (sock === ws) sock = null;
    // Unanswered requests go again over HTTP (status 0).
    for (const w of sockWaiters.values()) w({ status: 0, body: null });
    sockWaiters.clear();
    sockRetry = Math.min(sockRetry + 1, 6);
    setTimeout(connect, 500 * 2 ** sockRetry);
  };
}

// expandView rebuilds a draft view the socket sent as a delta against the
// last one (see View.AppendDeltaJSON in designer/viewdelta.go): unchanged fields,
// the ASL as a splice, changed items of the graph's and the diagnostics'
// arrays. A layout-only view keeps the last one's ASL, graph and
// diagnostics.
function expandView(last: Record<string, unknown> | null, v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...v };
  const d = v.$delta as { same?: string[]; asl?: { p: number; s: number; t: string }; diagnostics?: unknown; graph?: Record<string, unknown>; layout?: { removed: string[]; positions: Record<string, Pt> } } | undefined;
  delete out.$delta;
  // A layout-only view ("sameAsl") has no ASL, graph or diagnostics.
  if (last) for (const k of ["asl", "graph", "diagnostics"]) if ((!(k in out) || v.sameAsl) && !(d?.[k as keyof typeof d])) out[k] = last[k];
  if (!d || !last) return out;
  for (const k of d.same || []) out[k] = last[k];
  const patch = (prev: unknown, p: unknown): unknown => {
    if (Array.isArray(p) || !p || typeof p !== "object") return p;
    const q = p as { i: number[]; v: unknown[] };
    const a = Array.isArray(prev) ? prev.slice() : [];
    q.i.forEach((ix, j) => { a[ix] = q.v[j]; });
    return a;
  };
  const note: DeltaNote = {};
  if (d.asl) {
    const old = last.asl as string;
    out.asl = old.slice(0, d.asl.p) + d.asl.t + old.slice(old.length - d.asl.s);
    note.splice = { base: old, from: d.asl.p, to: old.length - d.asl.s, insert: d.asl.t };
  }
  if (d.diagnostics) out.diagnostics = patch(last.diagnostics, d.diagnostics);
  if (d.layout) {
    const { removed, positions, ...rest } = d.layout;
    const all = { ...(last.layout as { positions: Record<string, Pt> }).positions, ...positions };
    for (const k of removed) delete all[k];
    out.layout = { ...rest, positions: all };
  }
  if (d.graph) {
    const pg = last.graph as Record<string, unknown>, g: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(d.graph)) g[k] = patch(pg[k], x);
    out.graph = g;
  }
  note.hint = changedStates(last, out, d) ?? undefined;
  deltaNotes.set(out, note);
  return out;
}

// DeltaNote is what a view's delta said beyond the view itself. hint, for
// apply(): the states it changed, when the delta says so exactly (only
// those states and their transitions are redrawn). splice, for the code
// view: the text as a splice of the one before it.
interface DeltaNote { hint?: Set<string>; splice?: Splice }
const deltaNotes = new WeakMap<object, DeltaNote>();

// changedStates is the paths whose drawing a delta changed, or null when
// the whole diagram must be compared (the layout changed, states came or
// went, lanes changed, a transition changed its key).
function changedStates(last: Record<string, unknown>, out: Record<string, unknown>, d: { same?: string[]; graph?: Record<string, unknown> }): Set<string> | null {
  const same = d.same || [];
  if (!same.includes("layout")) return null;
  const hint = new Set<string>();
  if (same.includes("graph")) return hint;
  if (!d.graph) return null;
  const lg = last.graph as { nodes: GNode[]; edges: GEdge[] }, og = out.graph as { nodes: GNode[]; edges: GEdge[] };
  for (const [k, x] of Object.entries(d.graph)) {
    if (Array.isArray(x) || !x || typeof x !== "object") return null;
    const idx = (x as { i: number[] }).i;
    if (!idx.length) continue;
    if (k === "nodes") {
      for (const i of idx) {
        const a = lg.nodes[i], b = og.nodes[i];
        if (!a || !b || a.path !== b.path) return null;
        hint.add(b.path);
      }
    } else if (k === "edges") {
      for (const i of idx) {
        const a = lg.edges[i], b = og.edges[i];
        if (!a || !b || edgeKey(a) !== edgeKey(b)) return null;
        for (const p of [a.from, a.to, b.from, b.to]) if (p) hint.add(p);
      }
    } else {
      return null;
    }
  }
  return hint;
}

// post sends body to one of the draft's edit routes ("ops",
// "inspector/field", ...) and resolves to the HTTP status and JSON answer.
async function post(path: string, body: unknown): Promise<Answer> {
  if (sock && sock.readyState === WebSocket.OPEN) {
    const id = ++sockSeq;
    const a = await new Promise<Answer>((resolve) => {
      sockWaiters.set(id, resolve);
      sock!.send(JSON.stringify({ id, path, csrf, body }));
    });
    if (a.status) { perf.viaSocket++; return a; }
  }
  perf.viaHTTP++;
  const res = await fetch(draftURL + "/" + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  return { status: res.status, body: await res.json().catch(() => ({ error: "The server answered " + res.status })) };
}

// onPush shows another window's change when nothing is in flight here (the
// poll catches up otherwise). A layout-only answer carries no ASL: it
// applies only on top of the version before it.
function onPush(v: DraftView) {
  if (v.version <= view.version) return;
  if (pending || drag || (v.sameAsl && v.version !== view.version + 1)) { missedPush = true; return; }
  perf.pushes++;
  apply(v);
  announce("The draft was changed in another window; showing the current version.");
}

let queue: Promise<unknown> = Promise.resolve();
let pending = 0;

// "Saving…" shows only when an answer takes a while (a status that changes
// on every keystroke costs a layout and reads as flicker).
let savingTimer = 0;

function send(op: Op): Promise<DraftView | null> {
  pending++;
  if (!savingTimer) savingTimer = window.setTimeout(() => { if (pending) setStatus("Saving…"); }, 300);
  const p = queue.then(async () => {
    const t0 = performance.now();
    try {
      const { status, body } = await post("ops", { version: view.version, op });
      if (status === 200) {
        apply(body as DraftView);
        perf.ops.push(performance.now() - t0);
        perf.notify?.();
        return body as DraftView;
      }
      if (status === 409 && body.draft) {
        apply(body.draft as DraftView);
        toast(body.error);
      } else {
        toast(body.error || "The operation failed (" + status + ").");
      }
      return null;
    } catch (e) {
      toast("Could not reach the server: " + e);
      return null;
    } finally {
      pending--;
      flushLocalMoves();
      if (!pending) {
        clearTimeout(savingTimer);
        savingTimer = 0;
        setStatus();
      }
    }
  });
  queue = p;
  return p;
}

// Another tab may edit the same draft. While the socket is open, its
// edits are pushed (onPush); otherwise poll the version and take the newer
// draft when nothing is in flight here.
async function poll() {
  if (!(sock && sock.readyState === WebSocket.OPEN) || missedPush) await catchUp();
  setTimeout(poll, 2000);
}

// missedPush is set when a push came while this page was busy (onPush).
let missedPush = false;

async function catchUp() {
  if (document.visibilityState === "visible" && !pending && !drag) {
    missedPush = false;
    try {
      const res = await fetch(draftURL + "/state?since=" + view.version, { credentials: "same-origin" });
      if (res.status === 200) {
        const v = (await res.json()) as DraftView;
        if (v.version > view.version && !pending && !drag) {
          apply(v);
          announce("The draft was changed in another window; showing the current version.");
        }
      }
    } catch { /* offline: try again later */ }
  }
}

function apply(v: DraftView) {
  if (v.sameAsl) {
    // Only the layout changed: the graph, the ASL and its diagnostics are as
    // they were; the positions come with the layout.
    v.asl = view.asl;
    v.diagnostics = view.diagnostics;
    v.graph ||= view.graph;
  }
  v.diagnostics ||= [];
  const prev = view;
  view = v;
  if (v.clipboard) clipboard = v.clipboard;
  nodeByPath = new Map(v.graph.nodes.map((n) => [n.path, n]));
  for (const p of [...selected]) if (!nodeByPath.has(p)) selected.delete(p);
  const stored = v.layout.positions;
  if (v.sameAsl && prev !== v && v.graph.nodes.every((n) => stored[n.path] && pos.get(n.path)?.x === stored[n.path].x && pos.get(n.path)?.y === stored[n.path].y)) {
    // A move this page made itself: what is shown is already right.
    setStatus();
    updateButtons();
    return;
  }
  selectedEdge = null;
  renderHint = deltaNotes.get(v)?.hint ?? null;
  placeAndRender();
}

// renderHint, set by apply() for one render, names the only states that
// changed (see changedStates).
let renderHint: Set<string> | null = null;

// ---------- layout ----------

let worker: Worker | null = null;
let layoutSeq = 0;
const layoutWaiters = new Map<number, (a: LayoutAnswer) => void>();

function elk(graph: unknown): Promise<LayoutAnswer> {
  if (!worker) {
    worker = new Worker(root.dataset.workerUrl!, { type: "module" });
    worker.onmessage = (ev: MessageEvent<LayoutAnswer>) => {
      const w = layoutWaiters.get(ev.data.id);
      layoutWaiters.delete(ev.data.id);
      w?.(ev.data);
    };
  }
  const id = ++layoutSeq;
  return new Promise((resolve) => {
    layoutWaiters.set(id, resolve);
    worker!.postMessage({ id, graph });
  });
}

// elkGraph builds ELK's hierarchy: Parallel and Map states hold their lanes,
// lanes hold their states; edges live in the lane (or root) that holds both ends.
function elkGraph() {
  const byContainer = new Map<string, GNode[]>();
  for (const n of view.graph.nodes) {
    const l = byContainer.get(n.container) || [];
    l.push(n);
    byContainer.set(n.container, l);
  }
  const edgesBy = new Map<string, GEdge[]>();
  for (const e of view.graph.edges) {
    if (!e.from) continue;
    const l = edgesBy.get(e.container) || [];
    l.push(e);
    edgesBy.set(e.container, l);
  }
  const layered = (dir: string, top: number) => ({
    "elk.algorithm": "layered", "elk.direction": dir,
    "elk.layered.spacing.nodeNodeBetweenLayers": "56", "elk.spacing.nodeNode": "36",
    "elk.padding": `[top=${top},left=${LANE_PAD},bottom=${LANE_PAD},right=${LANE_PAD}]`,
    "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  });
  const nodeOf = (n: GNode): unknown => {
    const lanes = view.graph.containers.filter((c) => c.state === n.path);
    if (!lanes.length) return { id: n.path, width: NODE_W, height: NODE_H };
    return {
      id: n.path,
      // Lanes have no edges between them: one layer, side by side.
      layoutOptions: { ...layered("DOWN", NODE_H + 28), "elk.spacing.nodeNode": "24", "elk.separateConnectedComponents": "false" },
      children: lanes.map((c) => ({
        id: "lane:" + c.id,
        layoutOptions: layered("DOWN", LANE_HEAD + 40),
        children: [...startOf(c.id), ...(byContainer.get(c.id) || []).map(nodeOf)],
        edges: edgesOf(c.id),
      })),
    };
  };
  // Each scope gets a small node for its start marker, tied to the StartAt
  // state, so ELK keeps the marker's place free.
  const startOf = (cid: string) => {
    const first = view.graph.edges.find((e) => e.kind === "start" && e.container === cid);
    return first ? [{ id: "start:" + cid, width: 20, height: 20 }] : [];
  };
  const edgesOf = (cid: string) => {
    const out = (edgesBy.get(cid) || []).map((e, i) => ({ id: `e:${cid}:${i}`, sources: [e.from], targets: [e.to] }));
    const first = view.graph.edges.find((e) => e.kind === "start" && e.container === cid);
    if (first) out.push({ id: `s:${cid}`, sources: ["start:" + cid], targets: [first.to] });
    return out;
  };
  return {
    id: "root",
    layoutOptions: { ...layered("DOWN", 60), "elk.hierarchyHandling": "SEPARATE_CHILDREN" },
    children: [...startOf(""), ...(byContainer.get("") || []).map(nodeOf)],
    edges: edgesOf(""),
  };
}

// elkPositions turns ELK's answer into node top-left positions: a container
// state's header sits centred at the top of its box.
function elkPositions(raw: Record<string, Pt>): Map<string, Pt> {
  const out = new Map<string, Pt>();
  for (const n of view.graph.nodes) {
    const p = raw[n.path];
    if (!p) continue;
    const size = raw[n.path + "#size"];
    out.set(n.path, size ? { x: p.x + (size.x - NODE_W) / 2, y: p.y + 8 } : { x: p.x, y: p.y });
  }
  return out;
}

let layoutRunning = false;

async function placeAndRender() {
  const t0 = performance.now();
  pos = new Map();
  const missing: GNode[] = [];
  for (const n of view.graph.nodes) {
    const p = view.layout.positions[n.path];
    if (p) pos.set(n.path, { x: p.x, y: p.y });
    else missing.push(n);
  }
  if (missing.length) renderHint = null;
  if (missing.length && !layoutRunning) {
    layoutRunning = true;
    const tl = performance.now();
    // ELK takes seconds on hundreds of states; a large import gets the quick
    // layered layout (Tidy up still runs ELK).
    const ans: LayoutAnswer = missing.length > QUICK_LAYOUT_FROM
      ? { id: 0, positions: {} }
      : await elk(elkGraph());
    const quick = missing.length > QUICK_LAYOUT_FROM
      ? quickLayout(view.graph.nodes, view.graph.edges, view.graph.containers, { nodeW: NODE_W, nodeH: NODE_H, gapX: 36, gapY: 56, lanePad: LANE_PAD, laneHead: LANE_HEAD })
      : null;
    layoutRunning = false;
    perf.layouts.push(performance.now() - tl);
    if (ans.positions) {
      const auto = quick || elkPositions(ans.positions);
      const placed = placeMissing(missing, auto);
      if (placed.size) {
        const positions: Record<string, Pt> = {};
        for (const [k, v] of placed) positions[k] = round(v);
        for (const [k, v] of Object.entries(positions)) pos.set(k, v);
        // Remember the computed places without adding an undo step.
        send({ op: "layout", positions });
      }
    } else if (ans.error) {
      toast("Automatic layout failed: " + ans.error);
    }
    if (missing.length === view.graph.nodes.length) fit();
  }
  render();
  perf.renders.push(performance.now() - t0);
  // Ready once the browser has painted the first frame of the diagram.
  const dz = (window as unknown as { __dz: { ready: boolean; readyAt?: number } }).__dz;
  requestAnimationFrame(() => setTimeout(() => {
    if (!dz.ready) {
      dz.readyAt = performance.now();
      whenShown(codeEl, () => whenIdle(() => void loadCodeView()));
    }
    dz.ready = true;
  }, 0));
}

// whenShown runs f once el is on screen (the code view may be scrolled out
// of the side panel: then CodeMirror need not load yet).
function whenShown(el: HTMLElement, f: () => void) {
  const io = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    io.disconnect();
    f();
  });
  io.observe(el);
}

// whenIdle runs f when the page is idle and no gesture is under way.
function whenIdle(f: () => void) {
  const go = () => { if (drag) setTimeout(() => whenIdle(f), 300); else f(); };
  if ("requestIdleCallback" in window) requestIdleCallback(go, { timeout: 3000 });
  else setTimeout(go, 200);
}

function round(p: Pt): Pt { return { x: Math.round(p.x), y: Math.round(p.y) }; }

// placeMissing gives unplaced states a place: where ELK puts them, shifted by
// the offset between ELK and the stored place of a placed neighbour, so a
// hand-made layout stays as it is.
function placeMissing(missing: GNode[], auto: Map<string, Pt>): Map<string, Pt> {
  const out = new Map<string, Pt>();
  if (missing.length === view.graph.nodes.length) {
    for (const n of missing) { const p = auto.get(n.path); if (p) out.set(n.path, p); }
    return out;
  }
  const known = (p: string) => pos.get(p) || out.get(p);
  const neighbours = (n: GNode): string[] => {
    const r: string[] = [];
    for (const e of view.graph.edges) {
      if (e.to === n.path && e.from) r.push(e.from);
      if (e.from === n.path) r.push(e.to);
    }
    const owner = view.graph.containers.find((c) => c.id === n.container);
    if (owner) r.push(owner.state);
    return r;
  };
  let todo = missing.slice();
  for (let round = 0; round < 4 && todo.length; round++) {
    const rest: GNode[] = [];
    for (const n of todo) {
      const a = auto.get(n.path);
      if (!a) continue;
      const anchor = neighbours(n).find((p) => known(p) && auto.get(p));
      if (!anchor) { rest.push(n); continue; }
      const k = known(anchor)!, ka = auto.get(anchor)!;
      out.set(n.path, { x: a.x + k.x - ka.x, y: a.y + k.y - ka.y });
    }
    todo = rest;
  }
  if (todo.length) {
    // No placed neighbour: put the group to the right of everything.
    let maxX = -Infinity, minY = Infinity;
    for (const p of [...pos.values(), ...out.values()]) { maxX = Math.max(maxX, p.x + NODE_W); minY = Math.min(minY, p.y); }
    if (!isFinite(maxX)) { maxX = 0; minY = 0; }
    let ax = Infinity, ay = Infinity;
    for (const n of todo) { const a = auto.get(n.path); if (a) { ax = Math.min(ax, a.x); ay = Math.min(ay, a.y); } }
    for (const n of todo) {
      const a = auto.get(n.path);
      if (a) out.set(n.path, { x: a.x - ax + maxX + 80, y: a.y - ay + minY });
    }
  }
  return out;
}

// ---------- geometry ----------

interface PortSpot { port: string; x: number; y: number; add: boolean; side: "bottom" | "right" }

// frames: for a Parallel or Map state, the box around its header and lanes,
// relative to the header's position (so it moves with the state). Its exits
// (Next, Catch) leave from the frame's edge, below everything it holds.
let frames = new Map<string, Box>();

function computeFrames() {
  frames = new Map();
  const boxes = laneBoxes();
  for (const c of view.graph.containers) {
    const p = pos.get(c.state);
    const b = boxes.get(c.id);
    if (!p || !b) continue;
    const f = frames.get(c.state) || { x: 0, y: 0, w: NODE_W, h: NODE_H };
    const x0 = Math.min(f.x, b.x - p.x - 12), y0 = f.y;
    const x1 = Math.max(f.x + f.w, b.x - p.x + b.w + 12), y1 = Math.max(f.y + f.h, b.y - p.y + b.h + 12);
    frames.set(c.state, { x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
  }
}

function portSpots(n: GNode): PortSpot[] {
  const spots: PortSpot[] = [];
  const bottom: { port: string; add: boolean }[] = [];
  let choices = 0, catches = 0;
  for (const p of n.ports) {
    if (p.startsWith("choice-")) { bottom.push({ port: p, add: false }); choices++; }
    else if (p === "next" || p === "default") bottom.push({ port: p, add: false });
    else if (p.startsWith("catch-")) catches++;
  }
  if (n.type === "Choice") bottom.splice(choices, 0, { port: "choice-" + choices, add: true });
  const f = frames.get(n.path);
  const fy = f ? f.y + f.h : NODE_H;
  bottom.forEach((b, i) => spots.push({ ...b, x: (NODE_W * (i + 1)) / (bottom.length + 1), y: fy, side: "bottom" }));
  const catchable = n.type === "Task" || n.type === "Parallel" || n.type === "Map";
  const right = catches + (catchable ? 1 : 0);
  for (let i = 0; i < right; i++) {
    spots.push(f
      ? { port: "catch-" + i, add: i === catches, x: f.x + f.w, y: f.y + f.h - 14 - (right - 1 - i) * 16, side: "right" }
      : { port: "catch-" + i, add: i === catches, x: NODE_W, y: (NODE_H * (i + 1)) / (right + 1), side: "right" });
  }
  return spots;
}

function portPoint(n: GNode, port: string): Pt & { side: string } {
  const p = pos.get(n.path) || { x: 0, y: 0 };
  const s = portSpots(n).find((s) => s.port === port);
  if (!s) return { x: p.x + NODE_W / 2, y: p.y + NODE_H, side: "bottom" };
  return { x: p.x + s.x, y: p.y + s.y, side: s.side };
}

interface Box { x: number; y: number; w: number; h: number }

// laneBoxes: each container's box encloses its states (and their lanes).
function laneBoxes(): Map<string, Box> {
  const boxes = new Map<string, Box>();
  const conts = view.graph.containers;
  const depth = (id: string): number => {
    let d = 0, c = conts.find((x) => x.id === id);
    while (c && c.parent) { d++; c = conts.find((x) => x.id === c!.parent); }
    return d;
  };
  const order = conts.slice().sort((a, b) => depth(b.id) - depth(a.id));
  for (const c of order) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of view.graph.nodes) {
      if (n.container !== c.id) continue;
      const p = pos.get(n.path);
      if (!p) continue;
      x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x + NODE_W); y1 = Math.max(y1, p.y + NODE_H);
      for (const inner of conts.filter((k) => k.state === n.path)) {
        const b = boxes.get(inner.id);
        if (b) { x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h); }
      }
    }
    if (!isFinite(x0)) {
      const owner = pos.get(c.state) || { x: 0, y: 0 };
      x0 = owner.x + c.index * (NODE_W + 60); y0 = owner.y + NODE_H + 50; x1 = x0 + NODE_W; y1 = y0 + NODE_H;
    }
    boxes.set(c.id, { x: x0 - LANE_PAD, y: y0 - LANE_PAD - LANE_HEAD - 18, w: x1 - x0 + 2 * LANE_PAD, h: y1 - y0 + 2 * LANE_PAD + LANE_HEAD + 18 });
  }
  return boxes;
}

// ---------- rendering ----------

const escapable = /[&<>"']/;
function esc(s: string): string {
  if (!escapable.test(s)) return s;
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function clip(s: string, n: number) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }

// edgeCurve is a transition's cubic Bézier from a port to the top of its
// target: the start, the two control points and the end.
function edgeCurve(a: Pt & { side: string }, b: Pt): [Pt, Pt, Pt, Pt] {
  if (a.side === "right") {
    const dx = Math.max(60, Math.abs(b.x - a.x) / 2);
    return [a, { x: a.x + dx, y: a.y }, { x: b.x, y: b.y - 60 }, b];
  }
  const dy = b.y - a.y;
  if (dy > 30) {
    const c = Math.max(30, dy / 2);
    return [a, { x: a.x, y: a.y + c }, { x: b.x, y: b.y - c }, b];
  }
  // Going back up (a loop): swing out to the side.
  const side = b.x <= a.x ? -1 : 1;
  const off = NODE_W * 0.75 * side;
  return [a, { x: a.x, y: a.y + 80 }, { x: b.x + off, y: b.y - 80 }, b];
}

function edgePath(a: Pt & { side: string }, b: Pt): string {
  const [p0, c1, c2, p3] = edgeCurve(a, b);
  return `M${p0.x},${p0.y} C${c1.x},${c1.y} ${c2.x},${c2.y} ${p3.x},${p3.y}`;
}

// edgeHead is the arrowhead at the end of a transition, as its own path (an
// SVG marker would give every transition its own paint transform and clip).
function edgeHead(a: Pt & { side: string }, b: Pt): string {
  const [, , c2, p3] = edgeCurve(a, b);
  let ux = p3.x - c2.x, uy = p3.y - c2.y;
  const len = Math.hypot(ux, uy) || 1;
  ux /= len; uy /= len;
  const r = (v: number) => Math.round(v * 10) / 10;
  const tipX = p3.x + ux, tipY = p3.y + uy, bx = p3.x - ux * 10, by = p3.y - uy * 10;
  return `M${r(tipX)},${r(tipY)} L${r(bx - uy * 5.6)},${r(by + ux * 5.6)} L${r(bx + uy * 5.6)},${r(by - ux * 5.6)} z`;
}

function edgeEnds(e: GEdge): [Pt & { side: string }, Pt] | null {
  const to = nodeByPath.get(e.to);
  const tp = pos.get(e.to);
  if (!to || !tp) return null;
  const end = { x: tp.x + NODE_W / 2, y: tp.y };
  if (!e.from) return [{ x: end.x, y: end.y - 44, side: "bottom" }, end];
  const from = nodeByPath.get(e.from);
  if (!from || !pos.get(e.from)) return null;
  return [portPoint(from, e.port), end];
}

// Markup uses absolute coordinates, with no transform per state or
// transition: Chromium then paints the whole diagram as a few paint chunks
// instead of one per element, which keeps each frame cheap on big diagrams.
// Selection is not part of the markup (select() sets the class), so the
// markup of an element changes only when what it draws changes.
function edgeSVG(e: GEdge): string {
  const ends = edgeEnds(e);
  if (!ends) return "";
  const [a, b] = ends;
  const d = edgePath(a, b);
  let label = "";
  if (e.label && e.kind !== "next") {
    const mx = (a.x + b.x) / 2 + (a.side === "right" ? 30 : 0), my = (a.y + b.y) / 2;
    const t = clip(e.label, 28);
    const w = t.length * 6.4 + 12;
    label = `<g class="dz-edge-label"><rect x="${mx - w / 2}" y="${my - 10}" width="${w}" height="20" rx="10"></rect><text x="${mx}" y="${my + 4}">${esc(t)}</text></g>`;
  }
  const start = e.kind === "start" ? `<circle class="dz-start" cx="${a.x}" cy="${a.y}" r="9"></circle><text class="dz-marker-text" x="${a.x + 14}" y="${a.y + 4}">Start</text>` : "";
  return `<g class="dz-edge dz-e-${e.kind}" data-edge-from="${esc(e.from)}" data-edge-to="${esc(e.to)}" data-edge-kind="${e.kind}" data-edge-port="${esc(e.port)}" data-edge-container="${esc(e.container)}">` +
    `<path class="dz-edge-hit" d="${d}"></path><path class="dz-edge-line" d="${d}"></path><path class="dz-edge-head" d="${edgeHead(a, b)}"></path>${start}${label}</g>`;
}

function nodeSVG(n: GNode): string {
  const p = pos.get(n.path);
  if (!p) return "";
  const x = p.x, y = p.y;
  const cls = ["dz-node", "dz-t-" + n.type];
  if (n.problem) cls.push("dz-problem-" + n.problem);
  let ports = "";
  for (const s of portSpots(n)) {
    const kind = s.port.replace(/-\d+$/, "");
    ports += `<circle class="dz-port dz-port-${kind}${s.add ? " dz-port-add" : ""}" data-port="${s.port}" cx="${x + s.x}" cy="${y + s.y}" r="${s.add ? 5 : 6}" aria-label="${portTitle(n, s)}"></circle>`;
  }
  const mx = x + NODE_W - 14, my = y + 12;
  const marker = n.problem ? `<g class="dz-marker-${n.problem}"><circle cx="${mx}" cy="${my}" r="7"></circle><text x="${mx}" y="${my + 4}">!</text><title>${esc((n.messages || []).join("\n"))}</title></g>` : "";
  const fr = frames.get(n.path);
  const fb = fr ? fr.y + fr.h : NODE_H;
  const end = n.end ? `<path class="dz-end" d="M${x + NODE_W / 2},${y + fb} v17"></path><circle class="dz-end-dot" cx="${x + NODE_W / 2}" cy="${y + fb + 25}" r="6"></circle>` : "";
  const frame = fr ? `<rect class="dz-frame" x="${x + fr.x}" y="${y + fr.y - 8}" width="${fr.w}" height="${fr.h + 8}" rx="14"></rect>` : "";
  return `<g class="${cls.join(" ")}" data-state-path="${esc(n.path)}" data-state-type="${esc(n.type)}" data-state-name="${esc(n.name)}">` +
    `${frame}${end}<rect class="dz-node-box" x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="9"></rect><rect class="dz-node-bar" width="5" height="${NODE_H - 12}" x="${x + 7}" y="${y + 6}" rx="2.5"></rect>` +
    `<text class="dz-node-name" x="${x + 20}" y="${y + 20}">${esc(clip(n.name, 22))}</text><text class="dz-node-type" x="${x + 20}" y="${y + 36}">${esc(n.type)}</text>${marker}${ports}</g>`;
}

function portTitle(n: GNode, s: PortSpot): string {
  if (s.add) return s.port.startsWith("choice") ? "Drag to add a Choice rule" : "Drag to add a Catch";
  if (s.port === "next") return "Next: drag to a state";
  if (s.port === "default") return "Default: drag to a state";
  if (s.port.startsWith("choice-")) return "Rule " + (Number(s.port.slice(7)) + 1) + ": drag to a state";
  return "Catch " + (Number(s.port.slice(6)) + 1) + ": drag to a state";
}

function laneSVG(): string {
  const boxes = laneBoxes();
  let out = "";
  // Outer lanes first so inner ones paint on top.
  const conts = view.graph.containers.slice().sort((a, b) => boxes.get(b.id)!.w * boxes.get(b.id)!.h - boxes.get(a.id)!.w * boxes.get(a.id)!.h);
  for (const c of conts) {
    const b = boxes.get(c.id)!;
    const owner = nodeByPath.get(c.state);
    const title = c.kind === "processor" ? "Items" : "Branch " + (c.index + 1);
    const op = pos.get(c.state);
    const link = op ? `<path class="dz-lane-link" d="M${op.x + NODE_W / 2},${op.y + NODE_H} L${op.x + NODE_W / 2},${b.y}"></path>` : "";
    const remove = c.kind === "branch" && view.graph.containers.filter((k) => k.state === c.state).length > 1
      ? `<g class="dz-lane-remove" data-remove-branch="${esc(c.state)}" data-branch-index="${c.index}" transform="translate(${b.x + b.w - 20},${b.y + 14})"><title>Remove this branch</title><circle r="8"></circle><path d="M-3,-3 L3,3 M3,-3 L-3,3"></path></g>` : "";
    out += `${link}<g class="dz-lane dz-lane-${c.kind}" data-lane="${esc(c.id)}" data-lane-owner="${esc(owner?.name || "")}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="12"></rect>` +
      `<text x="${b.x + 12}" y="${b.y + 19}">${esc(title)}</text>${remove}</g>`;
  }
  // "Add branch" buttons next to each Parallel's last lane.
  for (const n of view.graph.nodes) {
    if (n.type !== "Parallel") continue;
    const lanes = view.graph.containers.filter((c) => c.state === n.path);
    if (!lanes.length) continue;
    const last = boxes.get(lanes[lanes.length - 1].id)!;
    out += `<g class="dz-add-branch" data-add-branch="${esc(n.name)}" transform="translate(${last.x + last.w + 18},${last.y + 14})"><title>Add a branch</title><circle r="10"></circle><path d="M-4,0 H4 M0,-4 V4"></path></g>`;
  }
  return out;
}

// What is drawn, by key (a state's path; a transition's source and port),
// with the markup it was made from: render() replaces an element only when
// its markup changed, so an edit redraws what it touched, not the diagram.
interface Drawn<T> { el: SVGGElement; html: string; item: T }
const drawnNodes = new Map<string, Drawn<GNode>>();
const drawnEdges = new Map<string, Drawn<GEdge>>();
// The transition an element draws (for clicks and drops on transitions).
const edgeOfEl = new WeakMap<Element, GEdge>();
// Transitions by the states they touch (for moving states).
let edgeEls = new Map<string, SVGGElement[]>();
let lanesHTML: string | null = null;

function edgeKey(e: GEdge): string {
  return e.from + "\n" + e.port + "\n" + e.container;
}

// sync makes group show the wanted elements: unchanged ones stay, changed
// ones are replaced in place, new ones are added (parsed in one batch), gone
// ones are removed.
function sync<T>(group: SVGGElement, drawn: Map<string, Drawn<T>>, want: { key: string; html: string; item: T }[], partial = false): SVGGElement[] {
  const keep = new Set<string>();
  const fresh: { key: string; html: string; item: T }[] = [];
  for (const w of want) {
    if (!w.html) continue;
    keep.add(w.key);
    const d = drawn.get(w.key);
    if (d && d.html === w.html) { d.item = w.item; continue; }
    fresh.push(w);
  }
  if (!partial) {
    for (const [k, d] of drawn) {
      if (!keep.has(k)) { d.el.remove(); drawn.delete(k); }
    }
  }
  const made: SVGGElement[] = [];
  if (!fresh.length) return made;
  const tmp = document.createElementNS(SVGNS, "g");
  tmp.innerHTML = fresh.map((f) => f.html).join("");
  const els = Array.from(tmp.children) as SVGGElement[];
  fresh.forEach((f, i) => {
    const el = els[i];
    const old = drawn.get(f.key);
    if (old) old.el.replaceWith(el);
    else group.appendChild(el);
    drawn.set(f.key, { el, html: f.html, item: f.item });
    made.push(el);
  });
  return made;
}

// Markup is remembered with what it was made from (a state: its node, place
// and frame; a transition: itself, its source state's and its target's
// place), so an answer that changed one state builds the markup of that
// state alone, and unchanged markup compares as the same string.
const nodeMemo = new Map<string, { sig: string; html: string }>();
const edgeMemo = new Map<string, { sig: string; html: string }>();

function nodeHTML(n: GNode): string {
  const p = pos.get(n.path), f = frames.get(n.path);
  const sig = JSON.stringify(n) + (p ? `|${p.x},${p.y}` : "|") + (f ? `|${f.x},${f.y},${f.w},${f.h}` : "");
  const m = nodeMemo.get(n.path);
  if (m && m.sig === sig) return m.html;
  const html = nodeSVG(n);
  nodeMemo.set(n.path, { sig, html });
  return html;
}

function edgeHTML(e: GEdge): string {
  const tp = pos.get(e.to);
  const from = e.from ? nodeMemo.get(e.from)?.sig ?? "?" : "";
  const sig = JSON.stringify(e) + "|" + from + (tp ? `|${tp.x},${tp.y}` : "|");
  const key = edgeKey(e);
  const m = edgeMemo.get(key);
  if (m && m.sig === sig) return m.html;
  const html = edgeSVG(e);
  edgeMemo.set(key, { sig, html });
  return html;
}

// drawDiagram brings lanes, transitions and states up to date with the view
// and the positions. With moved, only those states (which must have no
// lanes) and their transitions are looked at.
function drawDiagram(moved?: Set<string>) {
  if (moved && [...moved].some((p) => frames.has(p) || nodeByPath.get(p)?.container)) moved = undefined;
  let nodes = view.graph.nodes, edges = view.graph.edges;
  if (moved) {
    nodes = [...moved].map((p) => nodeByPath.get(p)).filter(Boolean) as GNode[];
    edges = edges.filter((e) => moved!.has(e.from) || moved!.has(e.to));
  } else {
    computeFrames();
    const lanes = laneSVG();
    if (lanes !== lanesHTML) { containersG.innerHTML = lanes; lanesHTML = lanes; }
  }
  const selKey = selectedEdge ? edgeKey(selectedEdge) : "";
  const wantNodes = nodes.map((n) => ({ key: n.path, html: nodeHTML(n), item: n }));
  const wantEdges = edges.map((e) => ({ key: edgeKey(e), html: edgeHTML(e), item: e }));
  if (!moved) {
    // Forget the markup of what is gone.
    for (const k of nodeMemo.keys()) if (!nodeByPath.has(k)) nodeMemo.delete(k);
    if (edgeMemo.size > wantEdges.length) {
      const keep = new Set(wantEdges.map((w) => w.key));
      for (const k of edgeMemo.keys()) if (!keep.has(k)) edgeMemo.delete(k);
    }
  }
  for (const el of sync(edgesG, drawnEdges, wantEdges, !!moved)) {
    if (selKey && drawnEdges.get(selKey)?.el === el) el.classList.add("selected");
  }
  for (const el of sync(nodesG, drawnNodes, wantNodes, !!moved)) {
    if (selected.has(el.dataset.statePath!)) el.classList.add("selected");
  }
  edgeEls = new Map();
  for (const d of drawnEdges.values()) {
    edgeOfEl.set(d.el, d.item);
    for (const p of [d.item.from, d.item.to]) {
      if (!p) continue;
      const l = edgeEls.get(p);
      if (l) l.push(d.el);
      else edgeEls.set(p, [d.el]);
    }
  }
}

// (No performance.mark here: Chromium forwards every user timing mark to
// the browser process, a few milliseconds per answer on a slow machine.)
function render() {
  redrawPaths?.clear();
  localMoves.clear();
  const hint = renderHint;
  renderHint = null;
  if (hint) perf.partial.push([...hint].sort().join(","));
  drawDiagram(hint ?? undefined);
  applyTransform();
  renderSide();
  setStatus();
  updateButtons();
}

let shownTransform = "";
function applyTransform() {
  const t = `translate(${panX},${panY}) scale(${zoom})`;
  // Only when it changed (every answer used to set it again).
  if (t !== shownTransform) { viewportG.setAttribute("transform", t); shownTransform = t; }
  // Far out, names and ports are unreadable: leave them out of painting.
  svg.classList.toggle("dz-far", zoom < 0.4);
  if (!minimapQueued) {
    minimapQueued = true;
    requestAnimationFrame(() => { minimapQueued = false; renderMinimap(); });
  }
}

let minimapQueued = false;

function bounds(): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of pos.values()) { x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x + NODE_W); y1 = Math.max(y1, p.y + NODE_H + 30); }
  for (const b of laneBoxes().values()) { x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h); }
  if (!isFinite(x0)) return { x: 0, y: 0, w: 400, h: 300 };
  return { x: x0, y: y0 - 50, w: x1 - x0, h: y1 - y0 + 50 };
}

// The minimap's states are redrawn only when the picture changes; the
// view's rectangle follows pan and zoom.
const miniNodes = document.createElementNS(SVGNS, "g");
const miniView = document.createElementNS(SVGNS, "rect");
miniView.setAttribute("class", "dz-mini-view");
minimap.append(miniNodes, miniView);
minimap.setAttribute("viewBox", "0 0 180 120");
let miniHTML = "";
function renderMinimap() {
  const b = bounds();
  const W = 180, H = 120;
  const s = Math.min(W / (b.w + 40), H / (b.h + 40));
  const r = canvasRect();
  const vx = (-panX / zoom - b.x + 20) * s, vy = (-panY / zoom - b.y + 20) * s;
  let out = "";
  for (const p of pos.values()) out += `<rect x="${(p.x - b.x + 20) * s}" y="${(p.y - b.y + 20) * s}" width="${Math.max(2, NODE_W * s)}" height="${Math.max(1.5, NODE_H * s)}"></rect>`;
  if (out !== miniHTML) { miniNodes.innerHTML = out; miniHTML = out; }
  miniView.setAttribute("x", String(vx));
  miniView.setAttribute("y", String(vy));
  miniView.setAttribute("width", String((r.width / zoom) * s));
  miniView.setAttribute("height", String((r.height / zoom) * s));
  minimap.dataset.scale = String(s);
  minimap.dataset.ox = String(b.x - 20);
  minimap.dataset.oy = String(b.y - 20);
}

function fit() {
  const b = bounds();
  const r = canvasRect();
  if (!r.width || !r.height) return;
  zoom = Math.min(1.2, Math.max(0.1, Math.min((r.width - 60) / b.w, (r.height - 60) / b.h)));
  // Too big to fit even at the smallest zoom: show the start (top left).
  panX = b.w * zoom > r.width ? 30 - b.x * zoom : (r.width - b.w * zoom) / 2 - b.x * zoom;
  panY = b.h * zoom > r.height ? 30 - b.y * zoom : (r.height - b.h * zoom) / 2 - b.y * zoom;
  applyTransform();
}

function zoomAt(factor: number, cx: number, cy: number) {
  const nz = Math.min(3, Math.max(0.08, zoom * factor));
  panX = cx - ((cx - panX) * nz) / zoom;
  panY = cy - ((cy - panY) * nz) / zoom;
  zoom = nz;
  applyTransform();
}

function setStatus(text?: string) {
  if (text) { statusLine.textContent = text; return; }
  const errs = view.diagnostics.filter((d) => d.severity === "ERROR").length;
  const warns = view.diagnostics.length - errs;
  const parts = [`Saved · version ${view.version}`];
  if (errs) parts.push(`${errs} error${errs > 1 ? "s" : ""}`);
  if (warns) parts.push(`${warns} warning${warns > 1 ? "s" : ""}`);
  const line = parts.join(" · ");
  if (statusLine.textContent !== line) statusLine.textContent = line;
  statusLine.classList.toggle("dz-has-errors", errs > 0);
}

function updateButtons() {
  (root.querySelector('[data-action="undo"]') as HTMLButtonElement).disabled = !view.canUndo;
  (root.querySelector('[data-action="redo"]') as HTMLButtonElement).disabled = !view.canRedo;
}

// While a state is pressed (it may be dragged next), the side panel waits:
// loading the inspector during a drag would cost frames.
let sideHeld = false, sidePending = false;
function holdSide(on: boolean) {
  sideHeld = on;
  if (!on && sidePending) { sidePending = false; renderSide(); }
}

let problemsHTML = "";
let problemsFor: Diag[] | null = null;
function renderSide() {
  if (sideHeld) { sidePending = true; return; }
  updateCode(view);
  // An answer that did not change the diagnostics has the very same list.
  if (view.diagnostics !== problemsFor) {
    problemsFor = view.diagnostics;
    const problems = view.diagnostics.length
      ? view.diagnostics.map((d) => `<li class="dz-diag-${d.severity.toLowerCase()}"${d.state ? ` data-diag-state="${esc(d.state)}" tabindex="0" role="button"` : ""}><strong>${esc(d.state || "Definition")}</strong> ${esc(d.message)}</li>`).join("")
      : '<li class="muted">No problems.</li>';
    if (problems !== problemsHTML) { problemsEl.innerHTML = problems; problemsHTML = problems; }
  }
  const sel = [...selected].map((p) => nodeByPath.get(p)).filter(Boolean) as GNode[];
  inspectorForm.show(sel.length === 1 ? sel[0].name : "", view.version);
  if (!sel.length) selectionEl.innerHTML = '<p class="muted">Select a state to see it here.</p>';
  else if (sel.length > 1) selectionEl.innerHTML = `<p>${sel.length} states selected.</p>`;
  else {
    const n = sel[0];
    const out = view.graph.edges.filter((e) => e.from === n.path).map((e) => `<li>${esc(e.kind === "next" ? "Next" : e.label || e.kind)} → ${esc(nodeByPath.get(e.to)?.name || e.to)}</li>`).join("");
    selectionEl.innerHTML = `<p><strong>${esc(n.name)}</strong> <span class="muted">${esc(n.type)}</span></p>` +
      (n.comment ? `<p class="muted">${esc(n.comment)}</p>` : "") +
      (out ? `<ul class="dz-out">${out}</ul>` : "") +
      ((n.messages || []).length ? `<ul class="dz-problems">${n.messages!.map((m) => `<li class="dz-diag-${n.problem === "error" ? "error" : "warning"}">${esc(m)}</li>`).join("")}</ul>` : "") +
      `<div class="dz-side-actions"><button type="button" class="btn btn-quiet" data-action="rename">Rename</button><button type="button" class="btn btn-quiet" data-action="duplicate">Duplicate</button><button type="button" class="btn btn-quiet" data-action="delete">Delete</button></div>`;
  }
}

function announce(msg: string) {
  announceEl.textContent = "";
  setTimeout(() => (announceEl.textContent = msg), 30);
}

let toastTimer = 0;
function toast(msg: string) {
  toastEl.textContent = msg;
  toastEl.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (toastEl.hidden = true), 5000);
}

function describeSelection() {
  const sel = [...selected].map((p) => nodeByPath.get(p)).filter(Boolean) as GNode[];
  if (!sel.length) { announce("Nothing selected."); return; }
  if (sel.length > 1) { announce(`${sel.length} states selected.`); return; }
  const n = sel[0];
  const outs = view.graph.edges.filter((e) => e.from === n.path).length;
  const probs = (n.messages || []).length;
  announce(`${n.type} state ${n.name}${n.start ? ", start" : ""}${n.end ? ", end" : ""}. ${outs} outgoing transition${outs === 1 ? "" : "s"}.${probs ? ` ${probs} problem${probs > 1 ? "s" : ""}: ${n.messages![0]}` : ""}`);
}

function select(paths: string[], add = false) {
  if (!add) selected.clear();
  for (const p of paths) {
    if (add && selected.has(p)) selected.delete(p);
    else selected.add(p);
  }
  selectedEdge = null;
  for (const [p, d] of drawnNodes) {
    const on = selected.has(p);
    if (d.el.classList.contains("selected") !== on) d.el.classList.toggle("selected", on);
  }
  for (const el of edgesG.querySelectorAll(".dz-edge.selected")) el.classList.remove("selected");
  renderSide();
  describeSelection();
}

// ---------- coordinates ----------

// canvasRect is the canvas's box on screen, measured once per size change
// (reading it after a change to the diagram would force a layout).
let canvasBox: DOMRect | null = null;
function canvasRect(): DOMRect {
  if (!canvasBox) canvasBox = svg.getBoundingClientRect();
  return canvasBox;
}
new ResizeObserver(() => { canvasBox = null; }).observe(svg);
window.addEventListener("resize", () => { canvasBox = null; });
window.addEventListener("scroll", () => { canvasBox = null; }, true);

function toCanvas(clientX: number, clientY: number): Pt {
  const r = canvasRect();
  return { x: (clientX - r.left - panX) / zoom, y: (clientY - r.top - panY) / zoom };
}

function containerAt(clientX: number, clientY: number, exclude?: Set<string>): string {
  // The innermost lane under the point that is not inside a dragged state.
  const p = toCanvas(clientX, clientY);
  let best = "", area = Infinity;
  for (const [id, b] of laneBoxes()) {
    if (p.x < b.x || p.y < b.y || p.x > b.x + b.w || p.y > b.y + b.h) continue;
    if (exclude && [...exclude].some((s) => id === s || id.startsWith(s + "/"))) continue;
    if (b.w * b.h < area) { best = id; area = b.w * b.h; }
  }
  return best;
}

function descendants(path: string): string[] {
  return view.graph.nodes.filter((n) => n.path.startsWith(path + "/")).map((n) => n.path);
}

// ---------- gestures ----------

type Drag =
  | { kind: "node"; start: Pt; paths: string[]; orig: Map<string, Pt>; moved: boolean; els: SVGGElement[]; edges: Set<SVGGElement> }
  | { kind: "pan"; sx: number; sy: number; px: number; py: number; moved: boolean }
  | { kind: "box"; start: Pt; add: boolean }
  | { kind: "wire"; from: GNode; port: string; a: Pt & { side: string }; line: SVGPathElement; over: string | null }
  | { kind: "palette"; type?: string; pattern?: string; ghost: HTMLElement; sx: number; sy: number; moved: boolean }
  | { kind: "mini" };

let drag: Drag | null = null;

// shield covers the canvas with the drag layer while a gesture runs: the
// pointer then hovers nothing in the diagram, so no hover style changes and
// no hit test of the whole diagram happen per move (the canvas keeps the
// pointer capture and gets the events). mode is "move", "wire", "box" or ""
// (off).
let shieldMode = "";
function shield(mode: string) {
  if (mode === shieldMode) return;
  if (shieldMode) dragLayer.classList.remove("dz-shield-" + shieldMode);
  if (mode) dragLayer.classList.add("dz-shield-" + mode);
  shieldMode = mode;
}

// nodeAt finds the state drawn at a canvas point: a state's box, else the
// smallest Parallel or Map frame around the point.
function nodeAt(p: Pt): GNode | null {
  const nodes = view.graph.nodes;
  let best: GNode | null = null, area = Infinity;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const q = pos.get(n.path);
    if (!q) continue;
    if (p.x >= q.x && p.x <= q.x + NODE_W && p.y >= q.y && p.y <= q.y + NODE_H) return n;
    const f = frames.get(n.path);
    if (f && p.x >= q.x + f.x && p.x <= q.x + f.x + f.w && p.y >= q.y + f.y - 8 && p.y <= q.y + f.y + f.h && f.w * f.h < area) {
      best = n;
      area = f.w * f.h;
    }
  }
  return best;
}

function edgeForTarget(t: Element | null): GEdge | null {
  const g = t?.closest?.(".dz-edge");
  return (g && edgeOfEl.get(g)) || null;
}

svg.addEventListener("pointerdown", (ev) => {
  if (ev.button !== 0) return;
  const t = ev.target as Element;
  svg.classList.remove("dz-kbd");
  svg.focus({ preventScroll: true });
  const addBranch = t.closest("[data-add-branch]") as SVGGElement | null;
  if (addBranch) { send({ op: "addBranch", state: addBranch.dataset.addBranch! }); return; }
  const rm = t.closest("[data-remove-branch]") as SVGGElement | null;
  if (rm) {
    const owner = nodeByPath.get(rm.dataset.removeBranch!);
    if (owner) send({ op: "removeBranch", state: owner.name, index: Number(rm.dataset.branchIndex) });
    return;
  }
  const portEl = t.closest("[data-port]") as SVGGElement | null;
  const nodeEl = t.closest("[data-state-path]") as SVGGElement | null;
  if (portEl && nodeEl) {
    const from = nodeByPath.get(nodeEl.dataset.statePath!)!;
    const port = portEl.dataset.port!;
    const a = portPoint(from, port);
    const line = document.createElementNS(SVGNS, "path");
    line.setAttribute("class", "dz-wire");
    dragVp.setAttribute("transform", viewportG.getAttribute("transform") || "");
    dragVp.appendChild(line);
    drag = { kind: "wire", from, port, a, line, over: null };
    shield("wire");
    svg.setPointerCapture(ev.pointerId);
    ev.preventDefault();
    return;
  }
  if (nodeEl) {
    const path = nodeEl.dataset.statePath!;
    if (ev.shiftKey) { select([path], true); return; }
    if (!selected.has(path)) { holdSide(true); select([path]); }
    // Moving a container state moves what it holds.
    const paths = new Set<string>();
    for (const p of selected) { paths.add(p); for (const d of descendants(p)) paths.add(d); }
    const orig = new Map<string, Pt>();
    const els: SVGGElement[] = [];
    const edges = new Set<SVGGElement>();
    for (const p of paths) {
      const q = pos.get(p);
      if (q) orig.set(p, { ...q });
      const el = drawnNodes.get(p)?.el;
      if (el) els.push(el);
      for (const e of edgeEls.get(p) || []) edges.add(e);
    }
    drag = { kind: "node", start: toCanvas(ev.clientX, ev.clientY), paths: [...paths], orig, moved: false, els, edges };
    svg.setPointerCapture(ev.pointerId);
    ev.preventDefault();
    return;
  }
  const edge = edgeForTarget(t);
  if (edge && edge.from) {
    selected.clear();
    select([]);
    selectedEdge = edge;
    (t.closest(".dz-edge") as Element).classList.add("selected");
    announce(`Transition ${edge.label || edge.kind} from ${nodeByPath.get(edge.from)?.name} to ${nodeByPath.get(edge.to)?.name} selected. Press Delete to remove it.`);
    return;
  }
  if (ev.shiftKey) {
    drag = { kind: "box", start: toCanvas(ev.clientX, ev.clientY), add: true };
  } else {
    drag = { kind: "pan", sx: ev.clientX, sy: ev.clientY, px: panX, py: panY, moved: false };
  }
  svg.setPointerCapture(ev.pointerId);
});

let frameQueued = false;
let lastMove: PointerEvent | null = null;

svg.addEventListener("pointermove", (ev) => {
  if (!drag || drag.kind === "palette" || drag.kind === "mini") return;
  lastMove = ev;
  if (!frameQueued) {
    frameQueued = true;
    requestAnimationFrame(frame);
  }
});

let lastFrame = 0;
function frame(now: number) {
  frameQueued = false;
  if (lastFrame) perf.frames.push(now - lastFrame);
  lastFrame = now;
  const ev = lastMove;
  if (!ev || !drag) return;
  const w0 = performance.now();
  frameMove(ev);
  perf.frameWork.push(performance.now() - w0);
}

function frameMove(ev: PointerEvent) {
  if (!drag) return;
  if (drag.kind === "node") {
    const p = toCanvas(ev.clientX, ev.clientY);
    const dx = p.x - drag.start.x, dy = p.y - drag.start.y;
    if (!drag.moved && Math.hypot(dx, dy) * zoom < 3) return;
    if (!drag.moved) {
      shield("move");
      // Lift what moves onto the drag layer.
      dragVp.setAttribute("transform", viewportG.getAttribute("transform") || "");
      for (const el of drag.edges) dragEdges.appendChild(el);
      for (const el of drag.els) dragNodes.appendChild(el);
    }
    drag.moved = true;
    for (const [k, o] of drag.orig) pos.set(k, { x: o.x + dx, y: o.y + dy });
    // The lifted states keep their markup; one transform moves them all.
    dragNodes.setAttribute("transform", `translate(${dx},${dy})`);
    for (const el of drag.edges) {
      const e = edgeOfEl.get(el);
      const ends = e && edgeEnds(e);
      if (!ends) continue;
      const d = edgePath(ends[0], ends[1]);
      for (const path of el.querySelectorAll("path.dz-edge-hit, path.dz-edge-line")) path.setAttribute("d", d);
      el.querySelector("path.dz-edge-head")?.setAttribute("d", edgeHead(ends[0], ends[1]));
      const lbl = el.querySelector(".dz-edge-label");
      if (lbl) lbl.remove();
      const st = el.querySelector("circle.dz-start");
      if (st) { st.setAttribute("cx", String(ends[0].x)); st.setAttribute("cy", String(ends[0].y)); }
    }
  } else if (drag.kind === "pan") {
    if (!drag.moved) shield("move");
    drag.moved = true;
    panX = drag.px + ev.clientX - drag.sx;
    panY = drag.py + ev.clientY - drag.sy;
    applyTransform();
  } else if (drag.kind === "box") {
    const p = toCanvas(ev.clientX, ev.clientY);
    const x0 = Math.min(p.x, drag.start.x), y0 = Math.min(p.y, drag.start.y);
    if (boxRect.hidden) { boxRect.hidden = false; shield("box"); }
    boxRect.setAttribute("x", String(x0 * zoom + panX));
    boxRect.setAttribute("y", String(y0 * zoom + panY));
    boxRect.setAttribute("width", String(Math.abs(p.x - drag.start.x) * zoom));
    boxRect.setAttribute("height", String(Math.abs(p.y - drag.start.y) * zoom));
  } else if (drag.kind === "wire") {
    const p = toCanvas(ev.clientX, ev.clientY);
    drag.line.setAttribute("d", edgePath(drag.a, p));
    const over = nodeAt(p)?.path || null;
    if (over !== drag.over) {
      if (drag.over) drawnNodes.get(drag.over)?.el.classList.remove("dz-drop-target");
      if (over) drawnNodes.get(over)?.el.classList.add("dz-drop-target");
      drag.over = over;
    }
  }
}

svg.addEventListener("pointerup", (ev) => {
  const d = drag;
  if (!d || d.kind === "palette" || d.kind === "mini") return;
  drag = null;
  shield("");
  holdSide(false);
  if (d.kind === "node") {
    if (!d.moved) return;
    const p = toCanvas(ev.clientX, ev.clientY);
    const dx = p.x - d.start.x, dy = p.y - d.start.y;
    const positions: Record<string, Pt> = {};
    for (const [k, o] of d.orig) positions[k] = round({ x: o.x + dx, y: o.y + dy });
    for (const [k, q] of Object.entries(positions)) pos.set(k, q);
    settle(d.els, d.edges);
    // Dropped into another lane: move the selected states there.
    const tops = [...selected].filter((s) => nodeByPath.has(s));
    const target = containerAt(ev.clientX, ev.clientY, new Set(tops));
    const from = nodeByPath.get(tops[0]);
    if (from && tops.every((s) => nodeByPath.get(s)!.container === from.container) && target !== from.container) {
      const byName: Record<string, Pt> = {};
      for (const s of tops) byName[nodeByPath.get(s)!.name] = positions[s];
      send({ op: "reparent", states: tops.map((s) => nodeByPath.get(s)!.name), container: target, positions: byName });
      return;
    }
    send({ op: "move", positions });
  } else if (d.kind === "box") {
    boxRect.hidden = true;
    const p = toCanvas(ev.clientX, ev.clientY);
    const x0 = Math.min(p.x, d.start.x), y0 = Math.min(p.y, d.start.y), x1 = Math.max(p.x, d.start.x), y1 = Math.max(p.y, d.start.y);
    const hits = [...pos].filter(([, q]) => q.x >= x0 && q.y >= y0 && q.x + NODE_W <= x1 && q.y + NODE_H <= y1).map(([k]) => k);
    select(hits, false);
  } else if (d.kind === "pan") {
    if (!d.moved) select([]);
    else saveViewport();
  } else if (d.kind === "wire") {
    d.line.remove();
    if (d.over) drawnNodes.get(d.over)?.el.classList.remove("dz-drop-target");
    const to = nodeAt(toCanvas(ev.clientX, ev.clientY));
    if (to) send({ op: "connect", from: d.from.name, port: d.port, to: to.name });
  }
});

// A cancelled gesture (the browser took the pointer) leaves everything as
// it was before it.
svg.addEventListener("pointercancel", () => {
  const d = drag;
  if (!d || d.kind === "palette" || d.kind === "mini") return;
  drag = null;
  shield("");
  holdSide(false);
  if (d.kind === "node" && d.moved) {
    for (const [k, o] of d.orig) pos.set(k, o);
    settle(d.els, d.edges);
  } else if (d.kind === "box") {
    boxRect.hidden = true;
  } else if (d.kind === "wire") {
    d.line.remove();
    if (d.over) drawnNodes.get(d.over)?.el.classList.remove("dz-drop-target");
  }
});

const MOVE_GRACE_MS = 50;

// moveLocal puts states at new places before the server answers (whose
// answer then needs no redraw). The server usually answers within a
// millisecond or two: the moved states are drawn with its answer, so no
// frame of the big diagram is being rendered when the answer comes in. A
// slow answer does not hold the picture back longer than MOVE_GRACE_MS.
function moveLocal(positions: Record<string, Pt>) {
  for (const [p, q] of Object.entries(positions)) pos.set(p, q);
  for (const p of Object.keys(positions)) localMoves.add(p);
  if (!localTimer) localTimer = window.setTimeout(flushLocalMoves, MOVE_GRACE_MS);
}

let localMoves = new Set<string>();
let localTimer = 0;
function flushLocalMoves() {
  clearTimeout(localTimer);
  localTimer = 0;
  if (!localMoves.size) return;
  const p = localMoves;
  localMoves = new Set();
  drawDiagram(p);
}

// redrawSoon redraws moved states (and their transitions) at the start of
// the next frame rather than now: the edit's answer, which usually arrives
// before that frame, is then not kept waiting behind a render of the
// diagram, and the picture changes in the same frame either way.
let redrawPaths: Set<string> | null = null;
function redrawSoon(paths: Iterable<string>) {
  if (!redrawPaths) {
    redrawPaths = new Set();
    requestAnimationFrame(() => {
      const p = redrawPaths;
      redrawPaths = null;
      if (p && p.size) drawDiagram(p);
    });
  }
  for (const p of paths) redrawPaths.add(p);
}

// settle puts dragged states and their transitions back into the diagram:
// the lifted elements go, and the diagram draws them afresh at their new
// places (transitions with their labels).
function settle(els: SVGGElement[], edges: Set<SVGGElement>) {
  dragNodes.removeAttribute("transform");
  const moved = new Set<string>();
  for (const el of els) {
    el.remove();
    drawnNodes.delete(el.dataset.statePath!);
    moved.add(el.dataset.statePath!);
  }
  for (const el of edges) {
    el.remove();
    const e = edgeOfEl.get(el);
    if (e && drawnEdges.get(edgeKey(e))?.el === el) drawnEdges.delete(edgeKey(e));
  }
  redrawSoon(moved);
}

let viewportTimer = 0;
function saveViewport() {
  clearTimeout(viewportTimer);
  viewportTimer = window.setTimeout(() => send({ op: "viewport", viewport: { x: Math.round(panX), y: Math.round(panY), zoom } }), 800);
}

svg.addEventListener("wheel", (ev) => {
  ev.preventDefault();
  const r = canvasRect();
  if (ev.ctrlKey || ev.metaKey || Math.abs(ev.deltaY) > 0 && !ev.shiftKey) {
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  } else {
    panX -= ev.deltaX || ev.deltaY;
    applyTransform();
  }
  saveViewport();
}, { passive: false });

svg.addEventListener("dblclick", (ev) => {
  const nodeEl = (ev.target as Element).closest("[data-state-path]") as SVGGElement | null;
  if (nodeEl) { select([nodeEl.dataset.statePath!]); rename(); }
});

// Minimap: click or drag to move the view.
const miniWrap = root.querySelector(".dz-minimap") as HTMLElement;
function miniPan(ev: PointerEvent) {
  const r = minimap.getBoundingClientRect();
  const s = Number(minimap.dataset.scale), ox = Number(minimap.dataset.ox), oy = Number(minimap.dataset.oy);
  const sx = 180 / r.width;
  const cx = (ev.clientX - r.left) * sx / s + ox, cy = (ev.clientY - r.top) * sx / s + oy;
  const cr = canvasRect();
  panX = cr.width / 2 - cx * zoom;
  panY = cr.height / 2 - cy * zoom;
  applyTransform();
}
miniWrap.addEventListener("pointerdown", (ev) => { drag = { kind: "mini" }; miniWrap.setPointerCapture(ev.pointerId); miniPan(ev); });
miniWrap.addEventListener("pointermove", (ev) => { if (drag?.kind === "mini") miniPan(ev); });
miniWrap.addEventListener("pointerup", () => { if (drag?.kind === "mini") { drag = null; saveViewport(); } });

// Palette: drag an item onto the canvas (empty space or a transition), or
// press Enter on it.
for (const item of root.querySelectorAll<HTMLElement>("[data-palette-item], [data-palette-pattern]")) {
  item.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    ev.preventDefault();
    const ghost = item.cloneNode(true) as HTMLElement;
    ghost.classList.add("dz-ghost");
    ghost.removeAttribute("data-palette-item");
    ghost.removeAttribute("data-palette-pattern");
    ghost.style.left = ev.clientX - 20 + "px";
    ghost.style.top = ev.clientY - 20 + "px";
    ghost.hidden = true;
    document.body.appendChild(ghost);
    drag = { kind: "palette", type: item.dataset.paletteItem, pattern: item.dataset.palettePattern, ghost, sx: ev.clientX, sy: ev.clientY, moved: false };
  });
  item.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" && ev.key !== " ") return;
    ev.preventDefault();
    const r = canvasRect();
    const c = toCanvas(r.left + r.width / 2, r.top + r.height / 2);
    const at = round({ x: c.x - NODE_W / 2, y: c.y });
    const after = [...selected].map((p) => nodeByPath.get(p)).find((n) => n && n.ports.includes("next"));
    dropOp(item.dataset.paletteItem, item.dataset.palettePattern, at, after ? { from: after.name, port: "next" } : null, after?.container || "");
  });
}

document.addEventListener("pointermove", (ev) => {
  if (drag?.kind !== "palette") return;
  const d = drag;
  if (!d.moved && Math.hypot(ev.clientX - d.sx, ev.clientY - d.sy) < 4) return;
  d.moved = true;
  d.ghost.hidden = false;
  d.ghost.style.left = ev.clientX - 20 + "px";
  d.ghost.style.top = ev.clientY - 20 + "px";
  const over = document.elementFromPoint(ev.clientX, ev.clientY);
  for (const el of edgesG.querySelectorAll(".dz-drop-edge")) el.classList.remove("dz-drop-edge");
  over?.closest(".dz-edge")?.classList.add("dz-drop-edge");
});

document.addEventListener("pointerup", (ev) => {
  if (drag?.kind !== "palette") return;
  const d = drag;
  drag = null;
  d.ghost.remove();
  for (const el of edgesG.querySelectorAll(".dz-drop-edge")) el.classList.remove("dz-drop-edge");
  if (!d.moved) return;
  const over = document.elementFromPoint(ev.clientX, ev.clientY);
  if (!over || !svg.contains(over)) return;
  // Keyboard shortcuts (undo, delete, arrows) apply to what was dropped.
  svg.focus({ preventScroll: true });
  const p = toCanvas(ev.clientX, ev.clientY);
  const at = round({ x: p.x - NODE_W / 2, y: p.y - NODE_H / 2 });
  const edge = edgeForTarget(over);
  if (edge) {
    dropOp(d.type, d.pattern, at, edge.from ? { from: nodeByPath.get(edge.from)!.name, port: edge.port } : { port: "start", container: edge.container }, edge.container);
  } else {
    dropOp(d.type, d.pattern, at, null, containerAt(ev.clientX, ev.clientY));
  }
});

function dropOp(type: string | undefined, pattern: string | undefined, at: Pt, edge: { from?: string; port: string; container?: string } | null, container: string) {
  const base: Op = pattern ? { op: "pattern", pattern } : { op: edge ? "insert" : "add", type };
  if (edge) Object.assign(base, { op: pattern ? "pattern" : "insert", ...edge });
  Object.assign(base, { container: edge?.container ?? container, pos: at });
  send(base).then((v) => {
    if (!v) return;
    // Select what was just added: the states that were not there before.
    const before = new Set(Object.keys(v.layout.positions));
    void before;
    const added = v.graph.nodes.filter((n) => { const p = v.layout.positions[n.path]; return p && p.x === at.x && p.y === at.y; });
    if (added.length) select([added[0].path]);
  });
}

// ---------- keyboard ----------

function selectedNames(): string[] {
  return [...selected].map((p) => nodeByPath.get(p)?.name).filter(Boolean) as string[];
}

function rename() {
  const n = [...selected].map((p) => nodeByPath.get(p)).find(Boolean);
  if (!n) return;
  const to = prompt(`Rename the state "${n.name}" to:`, n.name);
  if (to && to !== n.name) send({ op: "rename", state: n.name, to }).then((v) => { if (v) select([v.graph.nodes.find((x) => x.name === to)?.path || ""]); });
}

function removeSelection() {
  if (selectedEdge && selectedEdge.from) {
    send({ op: "disconnect", from: nodeByPath.get(selectedEdge.from)!.name, port: selectedEdge.port });
    return;
  }
  const names = selectedNames();
  if (names.length) send({ op: "delete", states: names });
}

svg.addEventListener("keydown", (ev) => {
  svg.classList.add("dz-kbd");
  const ctrl = ev.ctrlKey || ev.metaKey;
  const k = ev.key;
  if (k === "Tab") {
    const order = view.graph.nodes.map((n) => n.path);
    if (!order.length) return;
    ev.preventDefault();
    const cur = [...selected][0];
    let i = cur ? order.indexOf(cur) : -1;
    i = ev.shiftKey ? (i <= 0 ? order.length - 1 : i - 1) : (i + 1) % order.length;
    select([order[i]]);
    reveal(order[i]);
    return;
  }
  if (k === "Delete" || k === "Backspace") { ev.preventDefault(); removeSelection(); return; }
  if (k === "Enter") { ev.preventDefault(); inspector.focus(); return; }
  if (k === "F2") { ev.preventDefault(); rename(); return; }
  if (k === "Escape") { select([]); return; }
  if (ctrl && (k === "z" || k === "Z")) { ev.preventDefault(); send({ op: ev.shiftKey ? "redo" : "undo" }); return; }
  if (ctrl && (k === "y" || k === "Y")) { ev.preventDefault(); send({ op: "redo" }); return; }
  if (ctrl && k === "c") { ev.preventDefault(); copy(); return; }
  if (ctrl && k === "v") { ev.preventDefault(); paste(); return; }
  if (ctrl && k === "d") { ev.preventDefault(); if (selected.size) send({ op: "duplicate", states: selectedNames() }); return; }
  if (ctrl && k === "a") { ev.preventDefault(); select(view.graph.nodes.map((n) => n.path)); return; }
  if (k === "+" || k === "=") { const r = canvasRect(); zoomAt(1.2, r.width / 2, r.height / 2); return; }
  if (k === "-") { const r = canvasRect(); zoomAt(1 / 1.2, r.width / 2, r.height / 2); return; }
  if (k === "f" && !ctrl) { fit(); return; }
  const arrows: Record<string, Pt> = { ArrowLeft: { x: -1, y: 0 }, ArrowRight: { x: 1, y: 0 }, ArrowUp: { x: 0, y: -1 }, ArrowDown: { x: 0, y: 1 } };
  if (arrows[k] && selected.size) {
    ev.preventDefault();
    const step = ev.shiftKey ? 50 : 10;
    const positions: Record<string, Pt> = {};
    const paths = new Set<string>();
    for (const p of selected) { paths.add(p); for (const d of descendants(p)) paths.add(d); }
    for (const p of paths) {
      const q = pos.get(p);
      if (q) positions[p] = { x: q.x + arrows[k].x * step, y: q.y + arrows[k].y * step };
    }
    moveLocal(positions);
    send({ op: "move", positions });
  }
});

function reveal(path: string) {
  const p = pos.get(path);
  if (!p) return;
  const r = canvasRect();
  const sx = p.x * zoom + panX, sy = p.y * zoom + panY;
  if (sx < 20 || sy < 20 || sx + NODE_W * zoom > r.width - 20 || sy + NODE_H * zoom > r.height - 20) {
    panX = r.width / 2 - (p.x + NODE_W / 2) * zoom;
    panY = r.height / 2 - (p.y + NODE_H / 2) * zoom;
    applyTransform();
  }
}

async function copy() {
  const names = selectedNames();
  if (!names.length) return;
  const v = await send({ op: "copy", states: names });
  if (v?.clipboard) {
    clipboard = v.clipboard;
    try { await navigator.clipboard.writeText(clipboard); } catch { /* the page keeps its own copy */ }
    announce(`Copied ${names.length} state${names.length > 1 ? "s" : ""}.`);
  }
}

function paste() {
  if (!clipboard) { toast("Copy states first (Ctrl+C)."); return; }
  const r = canvasRect();
  const c = toCanvas(r.left + r.width / 2, r.top + r.height / 2);
  send({ op: "paste", clipboard, container: "", pos: round(c) });
}

// ---------- import ----------

// Import replaces the workflow with a definition from a file (JSON or YAML,
// chosen with the toolbar's Import… or dropped on the canvas); it is one
// undoable operation, laid out afresh.
async function importFile(file: File) {
  const t0 = performance.now();
  if (file.size > 4 << 20) { toast(`${file.name} is larger than 4 MB.`); return; }
  const text = await file.text();
  setStatus("Importing " + file.name + "…");
  const a = await new Promise<Answer>((resolve) => {
    queue = queue.then(async () => {
      try { resolve(await post("import", { version: view.version, text, format: "" })); } catch (e) { resolve({ status: 0, body: { error: String(e) } }); }
    });
  });
  if (a.status !== 200) {
    if (a.status === 409 && a.body.draft) apply(a.body.draft as DraftView);
    toast(`Could not import ${file.name}: ${a.body.error || "the server answered " + a.status}`);
    setStatus();
    return;
  }
  apply(a.body as DraftView);
  // Timed to the first paint of the imported diagram.
  requestAnimationFrame(() => setTimeout(() => perf.imports.push(performance.now() - t0), 0));
  announce(`Imported ${file.name}: ${view.graph.nodes.length} states.`);
}

const importInput = root.querySelector("[data-import]") as HTMLInputElement | null;
importInput?.addEventListener("change", () => {
  const f = importInput.files?.[0];
  importInput.value = "";
  if (f) void importFile(f);
});
const canvasWrap = svg.parentElement as HTMLElement;
canvasWrap.addEventListener("dragover", (ev) => {
  if (!ev.dataTransfer?.types.includes("Files")) return;
  ev.preventDefault();
  canvasWrap.classList.add("dz-file-over");
});
canvasWrap.addEventListener("dragleave", () => canvasWrap.classList.remove("dz-file-over"));
canvasWrap.addEventListener("drop", (ev) => {
  canvasWrap.classList.remove("dz-file-over");
  const f = ev.dataTransfer?.files?.[0];
  if (!f) return;
  ev.preventDefault();
  void importFile(f);
});

// ---------- toolbar ----------

root.addEventListener("click", (ev) => {
  const b = (ev.target as Element).closest("[data-action]") as HTMLElement | null;
  if (!b) return;
  const r = canvasRect();
  switch (b.dataset.action) {
    case "undo": send({ op: "undo" }); break;
    case "redo": send({ op: "redo" }); break;
    case "zoom-in": zoomAt(1.2, r.width / 2, r.height / 2); break;
    case "zoom-out": zoomAt(1 / 1.2, r.width / 2, r.height / 2); break;
    case "fit": fit(); break;
    case "tidy": tidy(); break;
    case "save": save(); break;
    case "rename": rename(); break;
    case "duplicate": if (selected.size) send({ op: "duplicate", states: selectedNames() }); break;
    case "delete": removeSelection(); break;
    case "cancel-save": (root.querySelector("[data-save-dialog]") as HTMLDialogElement).close(); break;
  }
});

async function tidy() {
  setStatus("Laying out…");
  const ans = await elk(elkGraph());
  if (!ans.positions) { toast("Layout failed: " + ans.error); setStatus(); return; }
  const positions: Record<string, Pt> = {};
  for (const [k, v] of elkPositions(ans.positions)) positions[k] = round(v);
  await send({ op: "move", positions });
  fit();
}

const dialog = root.querySelector("[data-save-dialog]") as HTMLDialogElement;
const saveForm = root.querySelector("[data-save-form]") as HTMLFormElement;
const saveError = root.querySelector("[data-save-error]") as HTMLElement;

async function postSave(body: Record<string, string>) {
  await queue;
  const res = await fetch(draftURL + "/save", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  return { ok: res.ok, body: await res.json().catch(() => ({ error: "The server answered " + res.status })) };
}

async function save() {
  if (!root.dataset.machine) {
    saveError.textContent = "";
    dialog.showModal();
    return;
  }
  setStatus("Saving the state machine…");
  const r = await postSave({});
  setStatus();
  if (r.ok) { announce("Saved as the definition of " + r.body.machine + "."); toast("Saved: " + r.body.machine + " now runs this definition."); }
  else toast(r.body.error);
}

saveForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const fd = new FormData(saveForm);
  const r = await postSave({ name: String(fd.get("name") || ""), type: String(fd.get("type") || "STANDARD") });
  if (!r.ok) { saveError.textContent = r.body.error; return; }
  dialog.close();
  root.dataset.machine = r.body.machine;
  location.assign(r.body.url);
});

mountRun(root, draftURL, csrf, () => queue);

// Palette search.
const search = root.querySelector("[data-palette-search]") as HTMLInputElement;
search.addEventListener("input", () => {
  const q = search.value.trim().toLowerCase();
  let shown = 0;
  for (const item of root.querySelectorAll<HTMLElement>("[data-search]")) {
    const hit = !q || item.dataset.search!.toLowerCase().includes(q);
    item.parentElement!.hidden = !hit;
    if (hit) shown++;
  }
  (root.querySelector("[data-palette-empty]") as HTMLElement).hidden = shown > 0;
});

window.addEventListener("resize", () => renderMinimap());

// ---------- start ----------

if (view.layout.viewport) {
  panX = view.layout.viewport.x; panY = view.layout.viewport.y; zoom = view.layout.viewport.zoom || 1;
}
apply(view);
setTimeout(poll, 2000);
connect();
// Start the layout worker (ELK compiles for a while) when "Tidy up" comes
// near the pointer or the keyboard, so the click does not wait for it.
const tidyButton = root.querySelector('[data-action="tidy"]');
const warmLayout = () => { void elk({ id: "root", children: [] }); };
tidyButton?.addEventListener("pointerenter", warmLayout, { once: true });
tidyButton?.addEventListener("focus", warmLayout, { once: true });
