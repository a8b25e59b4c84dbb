// A fast layered layout (top-down) for large imports, where ELK in the
// worker would take seconds: layers by longest path from the start state
// (back edges of loops ignored), order inside a layer by the mean position of
// the predecessors, lanes of Parallel and Map states side by side under their
// header. It runs in a few milliseconds for hundreds of states; "Tidy up"
// still uses ELK.
import type { GContainer, GEdge, GNode, Pt } from "./types";

export interface QuickOptions { nodeW: number; nodeH: number; gapX: number; gapY: number; lanePad: number; laneHead: number }

interface Sized { w: number; h: number; place: (x: number, y: number, out: Map<string, Pt>) => void }

export function quickLayout(nodes: GNode[], edges: GEdge[], containers: GContainer[], o: QuickOptions): Map<string, Pt> {
  const byContainer = new Map<string, GNode[]>();
  for (const n of nodes) {
    const l = byContainer.get(n.container) || [];
    l.push(n);
    byContainer.set(n.container, l);
  }
  const out = new Map<string, Pt>();
  const edgesBy = new Map<string, GEdge[]>();
  for (const e of edges) {
    if (!e.from) continue;
    const l = edgesBy.get(e.container) || [];
    l.push(e);
    edgesBy.set(e.container, l);
  }
  const lanesOf = new Map<string, GContainer[]>();
  for (const c of containers) {
    const l = lanesOf.get(c.state) || [];
    l.push(c);
    lanesOf.set(c.state, l);
  }

  const sizeNode = (n: GNode, depth: number): Sized => {
    const lanes = depth < 32 ? lanesOf.get(n.path) || [] : [];
    if (!lanes.length) return { w: o.nodeW, h: o.nodeH, place: (x, y, m) => m.set(n.path, { x, y }) };
    const inner = lanes.map((c) => sizeMachine(c.id, depth + 1));
    const lanesW = inner.reduce((s, l) => s + l.w + 2 * o.lanePad, 0) + (inner.length - 1) * o.gapX;
    const w = Math.max(o.nodeW, lanesW);
    const h = o.nodeH + 50 + o.laneHead + 18 + Math.max(...inner.map((l) => l.h)) + 2 * o.lanePad;
    return {
      w, h,
      place: (x, y, m) => {
        m.set(n.path, { x: x + (w - o.nodeW) / 2, y });
        let lx = x + (w - lanesW) / 2;
        for (const l of inner) {
          l.place(lx + o.lanePad, y + o.nodeH + 50 + o.laneHead + 18 + o.lanePad, m);
          lx += l.w + 2 * o.lanePad + o.gapX;
        }
      },
    };
  };

  const sizeMachine = (id: string, depth: number): Sized => {
    const ns = byContainer.get(id) || [];
    if (!ns.length) return { w: o.nodeW, h: o.nodeH, place: () => {} };
    const byName = new Map(ns.map((n) => [n.path, n]));
    const succ = new Map<string, string[]>();
    for (const e of edgesBy.get(id) || []) {
      if (!byName.has(e.from) || !byName.has(e.to)) continue;
      const l = succ.get(e.from) || [];
      l.push(e.to);
      succ.set(e.from, l);
    }
    // Depth-first from the start (then from any unvisited state, in
    // definition order) to find the back edges of loops.
    const state = new Map<string, number>(); // 1 on stack, 2 done
    const back = new Set<string>();
    const order: string[] = [];
    const start = ns.find((n) => n.start) || ns[0];
    const roots = [start, ...ns];
    for (const r of roots) {
      if (state.has(r.path)) continue;
      const stack: [string, number][] = [[r.path, 0]];
      state.set(r.path, 1);
      while (stack.length) {
        const top = stack[stack.length - 1];
        const next = succ.get(top[0]) || [];
        if (top[1] < next.length) {
          const to = next[top[1]++];
          const s = state.get(to);
          if (s === 1) back.add(top[0] + "\u0000" + to);
          else if (!s) { state.set(to, 1); stack.push([to, 0]); }
        } else {
          state.set(top[0], 2);
          order.push(top[0]);
          stack.pop();
        }
      }
    }
    order.reverse(); // a topological order of the forward edges
    const layer = new Map<string, number>();
    for (const p of order) {
      const l = layer.get(p) || 0;
      layer.set(p, l);
      for (const to of succ.get(p) || []) {
        if (back.has(p + "\u0000" + to)) continue;
        layer.set(to, Math.max(layer.get(to) || 0, l + 1));
      }
    }
    const layers: string[][] = [];
    for (const p of order) {
      const l = layer.get(p)!;
      (layers[l] ||= []).push(p);
    }
    const sized = new Map(ns.map((n) => [n.path, sizeNode(n, depth)]));
    // Order each layer by the mean slot of its predecessors.
    const slot = new Map<string, number>();
    const preds = new Map<string, string[]>();
    for (const [from, tos] of succ) for (const to of tos) if (!back.has(from + "\u0000" + to)) (preds.get(to) || preds.set(to, []).get(to)!).push(from);
    for (const row of layers) {
      if (!row) continue;
      const key = (p: string) => {
        const ps = (preds.get(p) || []).filter((q) => slot.has(q));
        return ps.length ? ps.reduce((s, q) => s + slot.get(q)!, 0) / ps.length : Infinity;
      };
      const keys = new Map(row.map((p, i) => [p, [key(p), i] as const]));
      row.sort((a, b) => keys.get(a)![0] - keys.get(b)![0] || keys.get(a)![1] - keys.get(b)![1]);
      let x = 0;
      for (const p of row) { slot.set(p, x + sized.get(p)!.w / 2); x += sized.get(p)!.w + o.gapX; }
    }
    const rowW = layers.map((row) => (row || []).reduce((s, p) => s + sized.get(p)!.w, 0) + Math.max(0, (row || []).length - 1) * o.gapX);
    const rowH = layers.map((row) => Math.max(o.nodeH, ...(row || []).map((p) => sized.get(p)!.h)));
    const w = Math.max(o.nodeW, ...rowW);
    const h = rowH.reduce((s, x) => s + x, 0) + Math.max(0, layers.length - 1) * o.gapY;
    return {
      w, h,
      place: (x0, y0, m) => {
        let y = y0;
        layers.forEach((row, i) => {
          let x = x0 + (w - rowW[i]) / 2;
          for (const p of row || []) {
            sized.get(p)!.place(x, y, m);
            x += sized.get(p)!.w + o.gapX;
          }
          y += rowH[i] + o.gapY;
        });
      },
    };
  };

  sizeMachine("", 0).place(0, 0, out);
  return out;
}
