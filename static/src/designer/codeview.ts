// The code view: CodeMirror 6 over the draft's ASL. Edits that parse as
// JSON replace the definition (one designer operation); answers from the
// server update the text in place (only the changed span, so the cursor
// and scroll stay), and the validator's diagnostics underline their span.
import { EditorState, Annotation } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput } from "@codemirror/language";
import { setDiagnostics, lintGutter, type Diagnostic } from "@codemirror/lint";

export interface CodeDiag { severity: string; message: string; path: string; state?: string }

// pointers maps every JSON pointer in text to the offset of its value. It
// runs on every answer of a large draft, so it scans by character code and
// decodes only keys that hold an escape.
export function pointers(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const n = text.length;
  let i = 0;
  const ws = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
    }
  };
  const str = (): string => {
    const start = i;
    let escaped = false;
    i++;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) { escaped = true; i++; continue; }
      if (c === 34) break;
    }
    i++;
    if (!escaped) return text.slice(start + 1, i - 1);
    try { return JSON.parse(text.slice(start, i)); } catch { return ""; }
  };
  const esc = (k: string) => (k.includes("~") || k.includes("/") ? k.replace(/~/g, "~0").replace(/\//g, "~1") : k);
  const value = (ptr: string, depth: number) => {
    ws();
    out.set(ptr, i);
    if (depth > 200) return;
    const c = text.charCodeAt(i);
    if (c === 123) { // {
      i++; ws();
      if (text.charCodeAt(i) === 125) { i++; return; }
      while (i < n) {
        ws();
        const k = str();
        ws(); i++; // colon
        value(ptr + "/" + esc(k), depth + 1);
        ws();
        if (text.charCodeAt(i) === 44) { i++; continue; }
        i++; return;
      }
    } else if (c === 91) { // [
      i++; ws();
      if (text.charCodeAt(i) === 93) { i++; return; }
      for (let k = 0; i < n; k++) {
        value(ptr + "/" + k, depth + 1);
        ws();
        if (text.charCodeAt(i) === 44) { i++; continue; }
        i++; return;
      }
    } else if (c === 34) {
      str();
    } else {
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
      }
    }
  };
  value("", 0);
  return out;
}

export interface CodeHost {
  initial: string;
  // edit is called with text that parses as JSON, after typing pauses.
  edit(text: string): void;
}

const remote = Annotation.define<boolean>();

// The page's Content-Security-Policy allows no inline <style>, which is
// how CodeMirror styles a document; in a shadow root it uses constructed
// style sheets instead, so the editor lives in one, with these styles.
const shadowCSS = `
:host { display: block; }
.cm-editor { max-height: 52vh; font-size: 12px; background: var(--bg); color: var(--text); }
.cm-scroller { font-family: var(--mono); line-height: 1.45; }
.cm-gutters { background: var(--surface-2); color: var(--muted); border-right: 1px solid var(--border); }
.cm-activeLine, .cm-activeLineGutter { background: color-mix(in srgb, var(--accent) 8%, transparent); }
.cm-editor.cm-focused { outline: 2px solid var(--accent); outline-offset: -1px; }
.cm-cursor { border-left-color: var(--text); }
.cm-tooltip { background: var(--surface); color: var(--text); border: 1px solid var(--border); }
`;

// A Splice says how text differs from base: the units from..to of base
// are insert in text (the socket's answers carry it).
export interface Splice { base: string; from: number; to: number; insert: string }

export function mountCodeView(el: HTMLElement, host: CodeHost) {
  let timer = 0;
  // shown is the text the editor holds when it is the last one the server
  // sent (null once the user typed): a splice of it applies as it is.
  let shown: string | null = host.initial;
  const parseLint = jsonParseLinter();
  const shadow = el.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(shadowCSS);
  shadow.adoptedStyleSheets = [sheet];
  const view = new EditorView({
    root: shadow,
    parent: shadow,
    state: EditorState.create({
      doc: host.initial,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), history(), indentOnInput(), bracketMatching(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }), json(), lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": "Definition (ASL JSON)" }),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged || u.transactions.some((t) => t.annotation(remote))) return;
          shown = null;
          clearTimeout(timer);
          timer = window.setTimeout(flush, 400);
        }),
      ],
    }),
  });

  function flush() {
    timer = 0;
    const text = view.state.doc.toString();
    const syntax = parseLint(view) as Diagnostic[];
    if (syntax.length) {
      view.dispatch(setDiagnostics(view.state, syntax));
      return;
    }
    host.edit(text);
  }

  // spanEnd finds the end of the JSON token at pos: a string, or a word.
  function spanEnd(doc: string, pos: number): number {
    if (doc[pos] === '"') {
      for (let i = pos + 1; i < doc.length; i++) {
        if (doc[i] === "\\") { i++; continue; }
        if (doc[i] === '"') return i + 1;
        if (doc[i] === "\n") return i;
      }
      return doc.length;
    }
    let i = pos;
    while (i < doc.length && !",}]\n".includes(doc[i])) i++;
    return Math.max(i, pos + 1);
  }

  // update shows text (only the changed span is replaced) and, when
  // diagsChanged, the diagnostics; unchanged diagnostics move with the text.
  function update(text: string, diags: CodeDiag[], diagsChanged = true, splice?: Splice) {
    if (splice && shown !== null && !timer && splice.base === shown) {
      // The answer's own splice of the text the editor holds: no need to
      // read the whole document back and compare it.
      view.dispatch({ changes: { from: splice.from, to: splice.to, insert: splice.insert }, annotations: remote.of(true) });
      shown = text;
      if (diagsChanged) showDiagnostics(text, diags);
      return;
    }
    const cur = view.state.doc.toString();
    // Typing in progress: the server's answer to an older text must not
    // overwrite it.
    if (text !== cur && !timer) {
      let a = 0;
      while (a < cur.length && a < text.length && cur[a] === text[a]) a++;
      let b = 0;
      while (b < cur.length - a && b < text.length - a && cur[cur.length - 1 - b] === text[text.length - 1 - b]) b++;
      view.dispatch({ changes: { from: a, to: cur.length - b, insert: text.slice(a, text.length - b) }, annotations: remote.of(true) });
    }
    const same = text === cur || !timer;
    shown = same ? text : null;
    if (diagsChanged && same) showDiagnostics(text, diags);
  }

  function showDiagnostics(text: string, diags: CodeDiag[]) {
    const doc = view.state.doc;
    const out: Diagnostic[] = [];
    const at = pointers(text);
    for (const d of diags) {
      // The offending value, or the nearest enclosing one that exists.
      let p = d.path === "/" ? "" : d.path;
      while (p && !at.has(p)) p = p.slice(0, p.lastIndexOf("/"));
      const from = at.get(p) ?? 0;
      let to = Math.min(spanEnd(text, from), doc.lineAt(from).to);
      if (to <= from) to = Math.min(from + 1, doc.length);
      out.push({ from, to, severity: d.severity === "ERROR" ? "error" : "warning", message: d.message, source: d.state || undefined });
    }
    view.dispatch(setDiagnostics(view.state, out));
  }

  return { update, view };
}
