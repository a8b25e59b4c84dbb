// Times the jsonata-js reference implementation over the same suite
// expressions as BenchmarkSuite in ../bench_test.go, and prints the median
// time per expression (compile + evaluate), for comparison with the Go figure.
//
// Run from the repository root (after `npm install`):
//   node engine/jsonata/bench/bench.mjs
// and compare with:
//   go test ./engine/jsonata -run XXX -bench BenchmarkSuite -benchtime 1x
//
// Optional: STEPWISE_CONFORMANCE=/path/to/conformance overrides where the
// suite is read from (default: ../shared/conformance beside the repository).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const require = createRequire(path.join(repo, 'package.json'));
const jsonata = require('jsonata');

const corpus = process.env.STEPWISE_CONFORMANCE || path.resolve(repo, '..', 'shared', 'conformance');
const suite = path.join(corpus, 'jsonata-suite');
const baselineFile = path.join(here, '..', 'testdata', 'suite-baseline.txt');
const baseline = new Set(
  fs.readFileSync(baselineFile, 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t')[0]),
);

const datasets = {};
function dataset(name) {
  if (!(name in datasets)) {
    datasets[name] = JSON.parse(fs.readFileSync(path.join(suite, 'datasets', name + '.json'), 'utf8'));
  }
  return datasets[name];
}

// Same selection rules as benchCases in bench_test.go.
const cases = [];
for (const group of fs.readdirSync(path.join(suite, 'groups')).sort()) {
  const dir = path.join(suite, 'groups', group);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const list = Array.isArray(parsed) ? parsed : [parsed];
    list.forEach((c, i) => {
      const name = `${group}/${file.replace(/\.json$/, '')}` + (Array.isArray(parsed) ? `#${i}` : '');
      if (baseline.has(name) || c.timelimit || name.startsWith('function-formatNumber/issue785')) return;
      const expr = c.expr !== undefined ? c.expr : fs.readFileSync(path.join(dir, c['expr-file']), 'utf8');
      let input;
      if ('data' in c) input = c.data;
      else if (c.dataset) input = dataset(c.dataset);
      cases.push({ name, expr, input, bindings: c.bindings || {} });
    });
  }
}

// timePerIteration runs f at least three times and for at least 2ms and
// returns the mean time of one run in nanoseconds.
async function timePerIteration(f) {
  const start = process.hrtime.bigint();
  let iters = 0;
  for (;;) {
    try {
      await f();
    } catch (e) {
      // errors are outcomes too; they are timed like results
    }
    iters++;
    const elapsed = Number(process.hrtime.bigint() - start);
    if (iters >= 3 && elapsed >= 2e6) return elapsed / iters;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[s.length >> 1]);
};

const per = [];
const perEval = [];
for (const c of cases) {
  per.push(await timePerIteration(() => jsonata(c.expr).evaluate(c.input, c.bindings)));
  let compiled;
  try {
    compiled = jsonata(c.expr);
  } catch (e) {
    continue;
  }
  perEval.push(await timePerIteration(() => compiled.evaluate(c.input, c.bindings)));
}
const version = require('jsonata/package.json').version;
console.log(`jsonata-js ${version}: ${cases.length} exprs, median ${median(per)} ns/expr (compile+evaluate), ${median(perEval)} ns/eval (evaluate only)`);
