import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** A benchmark module: its default export runs it, prints as it goes, and returns its figures. */
type Bench = { default: () => Promise<Record<string, unknown>> };

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const resultsFile = `${benchDir}results.json`;

/**
 * `npm run bench [-- name …]`: runs every `bench/*.bench.ts` (or those whose name contains a
 * given word) one after another, and merges their figures into bench/results.json so running
 * one benchmark keeps the others' last figures.
 */
async function main(filters: string[]): Promise<void> {
  const all = (await readdir(benchDir)).filter((f) => f.endsWith('.bench.ts')).sort();
  const chosen = filters.length ? all.filter((f) => filters.some((w) => f.includes(w))) : all;
  if (chosen.length === 0) throw new Error(`no benchmark matches ${filters.join(', ')}; have ${all.join(', ')}`);

  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    // First run, or an unreadable file: start afresh.
  }
  for (const file of chosen) {
    const name = file.replace(/\.bench\.ts$/, '');
    console.log(`\n=== ${name} ===`);
    const bench = (await import(`./${file}`)) as Bench;
    const figures = await bench.default();
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
