import { bundledSize, cdnSize, elementSize, ELEMENTS, kitSize, type Size } from './support/bundle-size.ts';
import { featureCosts } from './support/feature-cost.ts';
import { SIZE_BUDGETS } from './support/size-budgets.ts';

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
const line = (label: string, s: Size): string =>
  `${label.padEnd(44)} min ${kb(s.min).padStart(9)}   gzip ${kb(s.gzip).padStart(8)}   brotli ${kb(s.brotli).padStart(8)}`;

/** The peers, bundled and minified the same way in the same run: what a page pays for each alone. */
const PEERS = {
  lit: `export * from 'lit';`,
  '@supabase/supabase-js': `export { createClient } from '@supabase/supabase-js';`,
  '@liveblocks/client': `export { createClient } from '@liveblocks/client';`,
} as const;

/**
 * What the kit weighs on a page, measured by the same bundler and minifier that build it: (a) the
 * kit's own code with lit and supabase-js left out, (b) each element alone (with `<flock-room>`
 * and the connection it needs), (c) the script-tag file whole; beside lit, supabase-js and
 * Liveblocks' client measured the same way. `npm run build` first, for (c). Last, what (a) would
 * lose without each required feature, against the gap to its budget.
 */
export default async function sizeBench(): Promise<Record<string, unknown>> {
  const kit = await kitSize();
  console.log(line('(a) the kit: all elements + connection', kit));
  const elements: Record<string, Size> = {};
  for (const tag of Object.keys(ELEMENTS) as (keyof typeof ELEMENTS)[]) {
    elements[tag] = await elementSize(tag);
    console.log(line(`(b)   <${tag}> alone${tag === 'flock-room' ? '' : ' (+ <flock-room>)'}`, elements[tag]));
  }
  const cdn = await cdnSize();
  console.log(line('(c) dist/flock.js, everything inside', cdn));
  const peers: Record<string, Size> = {};
  for (const [name, source] of Object.entries(PEERS)) {
    peers[name] = await bundledSize(source);
    console.log(line(`    peer: ${name}`, peers[name]));
  }
  const liveblocks = peers['@liveblocks/client']!;
  console.log(`\nbudgets (gzip): kit ${kb(kit.gzip)} of ${kb(SIZE_BUDGETS.kitGzip)} (×${(kit.gzip / SIZE_BUDGETS.kitGzip).toFixed(2)}); ` +
    `dist/flock.js ${kb(cdn.gzip)} of ${kb(SIZE_BUDGETS.cdnGzip)} (×${(cdn.gzip / SIZE_BUDGETS.cdnGzip).toFixed(2)})`);
  console.log(`the kit's own code is ×${(kit.gzip / liveblocks.gzip).toFixed(2)} of @liveblocks/client alone (gzip), which has no UI; ` +
    `dist/flock.js, with lit and supabase-js inside, is ×${(cdn.gzip / liveblocks.gzip).toFixed(2)}`);
  const costs = await featureCosts();
  if (costs.whole !== kit.gzip) throw new Error(`the feature-cost route gives ${costs.whole} B for the whole kit, not (a)'s ${kit.gzip} B`);
  console.log(`\nwhat (a) would lose without each feature (gzip, approximate; the kit is ${kb(SIZE_BUDGETS.kitGzip - kit.gzip)} under its budget):`);
  for (const [feature, bytes] of Object.entries(costs.features)) console.log(`  ${feature.padEnd(50)} ${kb(bytes).padStart(8)}`);
  console.log(`  ${'all of them at once'.padEnd(50)} ${kb(costs.all).padStart(8)}   → the kit at about ${kb(kit.gzip - costs.all)}`);
  const featureCostsGzip = { ...costs.features, 'all of them at once': costs.all };
  return { kit, elements, cdn, peers, budgets: SIZE_BUDGETS, kitToLiveblocks: kit.gzip / liveblocks.gzip, featureCosts: featureCostsGzip };
}
