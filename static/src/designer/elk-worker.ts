// Web Worker: runs ELK's layered layout off the main thread. It receives an
// ELK graph and answers with the absolute top-left position of every node.
import ELK from "elkjs/lib/elk.bundled.js";
import type { LayoutAnswer, LayoutRequest, Pt } from "./types";

const elk = new ELK();

interface ElkOut { id: string; x?: number; y?: number; width?: number; height?: number; children?: ElkOut[] }

function collect(n: ElkOut, ox: number, oy: number, out: Record<string, Pt>) {
  for (const c of n.children || []) {
    const x = ox + (c.x || 0), y = oy + (c.y || 0);
    out[c.id] = { x, y };
    // Container nodes also report their size so the page can centre headers.
    if (c.children && c.children.length) out[c.id + "#size"] = { x: c.width || 0, y: c.height || 0 };
    collect(c, x, y, out);
  }
}

self.onmessage = async (ev: MessageEvent<LayoutRequest>) => {
  const t0 = performance.now();
  try {
    const res = (await elk.layout(ev.data.graph as never)) as ElkOut;
    const positions: Record<string, Pt> = {};
    collect(res, 0, 0, positions);
    const answer: LayoutAnswer = { id: ev.data.id, positions, ms: performance.now() - t0 };
    (self as unknown as Worker).postMessage(answer);
  } catch (e) {
    const answer: LayoutAnswer = { id: ev.data.id, error: String(e) };
    (self as unknown as Worker).postMessage(answer);
  }
};
