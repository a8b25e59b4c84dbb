// Shapes of the JSON the server answers with (designer.View in Go).

export interface Pt { x: number; y: number }

export interface GNode {
  path: string; name: string; type: string; container: string;
  comment?: string; start?: boolean; end?: boolean; ports: string[];
  problem?: string; messages?: string[];
}

export interface GContainer {
  id: string; state: string; kind: string; index: number; startAt: string; parent: string; collapsed?: boolean;
}

export interface GEdge {
  from: string; to: string; kind: string; index: number; port: string; label?: string; container: string;
}

export interface Diag {
  code: string; severity: string; message: string; path: string; line: number; column: number; state?: string; field?: string;
}

export interface Layout {
  positions: Record<string, Pt>;
  collapsed?: Record<string, boolean>;
  viewport?: { x: number; y: number; zoom: number };
}

export interface DraftView {
  id: string; machine: string; version: number; canUndo: boolean; canRedo: boolean;
  graph: { nodes: GNode[]; edges: GEdge[]; containers: GContainer[] };
  asl: string; diagnostics: Diag[]; sameAsl?: boolean; layout: Layout; clipboard?: string; url: string;
}

export interface Op { op: string; [key: string]: unknown }

// Messages to and from the ELK worker.
export interface LayoutRequest { id: number; graph: unknown }
export interface LayoutAnswer { id: number; positions?: Record<string, Pt>; error?: string; ms?: number }
