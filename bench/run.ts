import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** A benchmark module: its default export runs it, prints as it goes, and returns its figures. */
type Bench = {
  default: () => Promise<Record<string, unknown>>;
  /** Runs only when asked for by `<bench>-<variant>` (e.g. `load-soak`), never by a plain `npm run bench`. */
  variants?: Record<string, () => Promise<Record<string, unknown>>>;
};

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const resultsFile = `${benchDir}results.json`;

/**
 * `npm run bench [-- name …]`: runs every `bench/*.bench.ts` (or those whose name contains a
 * given word) one after another, and merges their figures into bench/results.json so running
 * one benchmark keeps the others' last figures. `<name>-<variant>` runs a variant the bench
 * exports (`npm run bench -- load-soak`), saved under that key.
 */
async function main(filters: string[]): Promise<void> {
  const all = (await readdir(benchDir)).filter((f) => f.endsWith('.bench.ts')).sort();
  const runs: { file: string; name: string; variant?: string }[] = [];
  for (const file of all) {
    const name = file.replace(/\.bench\.ts$/, '');
    if (!filters.length || filters.some((w) => file.includes(w))) runs.push({ file, name });
    // A word that names a bench of its own (`chat-insert`) is that bench, not a variant of `chat`.
    for (const w of filters) if (w.startsWith(`${name}-`) && !all.includes(`${w}.bench.ts`)) runs.push({ file, name: w, variant: w.slice(name.length + 1) });
  }
  if (runs.length === 0) throw new Error(`no benchmark matches ${filters.join(', ')}; have ${all.join(', ')}`);

  for (const { file, name, variant } of runs) {
    console.log(`\n=== ${name} ===`);
    const bench = (await import(`./${file}`)) as Bench;
    const run = variant === undefined ? bench.default : bench.variants?.[variant];
    if (!run) throw new Error(`${file} has no variant '${variant}'`);
    const figures = await run();
    // Read just before writing: a long run (a 10-minute soak) must not undo figures others wrote meanwhile.
    let results: Record<string, unknown> = {};
    try {
      results = JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, unknown>;
    } catch {
      // First run, or an unreadable file: start afresh.
    }
    results[name] = {
      ...figures,
      measuredAt: new Date().toISOString(),
      machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
    };
    await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  }
  console.log(`\nwrote ${resultsFile}`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
