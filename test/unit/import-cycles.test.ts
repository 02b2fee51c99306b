import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * No import cycle in src/ or server/: a module graph with a cycle makes the load order decide
 * which binding is still undefined, and says two files are really one. Every relative import
 * counts, `import type` included (a type-only cycle is the same tangle of responsibilities).
 * Each tree is checked on its own so a failure says where it is, listing each cycle as a path.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Cycles known today, each to be deleted by the change that removes it. The one in src/ is
 * removed by the `conn` helper's branch (one Room over a memory transport); when that lands,
 * this entry must go and the test then guards src/ fully.
 */
const EXPECTED_CYCLES_TO_DELETE: Record<string, readonly string[]> = {
  src: ['src/connection/memory/network.ts -> src/connection/memory/room.ts -> src/connection/memory/network.ts'],
  server: [],
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The file a relative specifier names: `./a.js` and `./a` may mean `./a.ts`, `./dir` its index. */
function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.(m?js)$/, '.ts'), base.replace(/\.jsx$/, '.tsx'), `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')];
  return candidates.find((c) => known.has(c));
}

/** Every module of `files` and the modules it imports (static, re-exports, type-only and dynamic). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => resolveSpecifier(file, f.fileName, known)).filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/** One cycle per strongly connected component with more than one module (or a self-import), as a path that returns to its start. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm (recursive: a source tree's import depth is small).
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    indexes.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexes.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexes.get(w)!));
    }
    if (low.get(v) === indexes.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexes.has(v)) visit(v);

  // Within each component, the shortest path from its first module back to itself.
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of graph.get(v) ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          const path = [start];
          for (let at = v; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
          return [...path, start];
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}

const show = (cycle: string[]): string => cycle.map((f) => relative(ROOT, f)).join(' -> ');

for (const tree of ['src', 'server'] as const) {
  test(`no import cycle in ${tree}/`, () => {
    const cycles = findCycles(importGraph(tsFiles(join(ROOT, tree)))).map(show);
    const expected = EXPECTED_CYCLES_TO_DELETE[tree]!;
    const unexpected = cycles.filter((c) => !expected.includes(c));
    assert.deepEqual(unexpected, [], `import cycles in ${tree}/:\n  ${unexpected.join('\n  ')}`);
    // An allow-listed cycle that is gone must leave the list, so the list cannot hide a new one later.
    const gone = expected.filter((c) => !cycles.includes(c));
    assert.deepEqual(gone, [], `remove from EXPECTED_CYCLES_TO_DELETE.${tree}, no longer a cycle:\n  ${gone.join('\n  ')}`);
  });
}

test('the cycle finder reports a cycle through type-only imports, re-exports and index files as a path', () => {
  const graph = new Map([
    ['/a.ts', ['/b.ts']],
    ['/b.ts', ['/c/index.ts']],
    ['/c/index.ts', ['/a.ts', '/d.ts']],
    ['/d.ts', []],
    ['/e.ts', ['/e.ts']],
  ]);
  const cycles = findCycles(graph).sort((x, y) => x[0]!.localeCompare(y[0]!));
  assert.deepEqual(cycles, [
    ['/a.ts', '/b.ts', '/c/index.ts', '/a.ts'],
    ['/e.ts', '/e.ts'],
  ]);
  assert.deepEqual(findCycles(new Map([['/a.ts', ['/b.ts']], ['/b.ts', []]])), []);
});

test('the import parser sees `import type`, `export … from` and `import()`, resolving .js to .ts', () => {
  const text = `import type { A } from './a.js';\nexport { B } from './b.ts';\nconst c = await import('./c');\nimport 'node:fs';`;
  const names = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName).sort();
  assert.deepEqual(names, ['./a.js', './b.ts', './c', 'node:fs']);
  const known = new Set(['/x/a.ts', '/x/b.ts', '/x/c.ts']);
  assert.deepEqual(names.map((n) => resolveSpecifier('/x/m.ts', n, known)), ['/x/a.ts', '/x/b.ts', '/x/c.ts', undefined]);
});
