import { minifySync } from 'rolldown/utils';
import { bundleChunk, PEER_LIBRARIES, sizeOf } from './bundle-size.ts';

/**
 * Behaviour the element issues require, each held by modules of its own: what the kit would save
 * without it is the price an owner weighs against a size budget. Paths are module ids' endings.
 * Not here: what every element needs whatever it does (the composer, the message table, whose
 * strings would stay in the code without it).
 */
export const FEATURES = {
  'the offline outbox (IndexedDB store, outbox, write queue)': ['src/connection/outbox/outbox.ts', 'src/connection/outbox/idb-store.ts', 'src/connection/outbox/write-queue.ts'],
  'chat: long histories (windowing, scroll anchor)': ['src/elements/chat/list-window.ts', 'src/elements/chat/list-scroll.ts', 'src/elements/chat/scroll-anchor.ts'],
  'chat: read receipts and the unread divider': ['src/elements/chat/reads.ts'],
  'chat: links and mentions in message text': ['src/elements/chat/message-text.ts'],
  'chat: typing': ['src/elements/chat/typing.ts'],
} as const;

/**
 * Gzip bytes the kit (a) would lose without each feature in `FEATURES`: its modules are cut out of
 * the kit's unminified bundle and the rest is minified as the build does it (Oxc). Approximate,
 * since the cut modules' callers stay, but the cut is the same for every feature. `whole` is the
 * uncut bundle by the same route, which equals (a): the check that the route measures what ships;
 * `all` is every feature cut at once.
 */
export async function featureCosts(): Promise<{ whole: number; features: Record<string, number>; all: number }> {
  const chunk = await bundleChunk(`export * from '/src/index.ts';`, PEER_LIBRARIES, false);
  const gzipOf = (code: string): number => sizeOf(minifySync('kit.js', code, { module: true, compress: true, mangle: true }).code).gzip;
  const whole = gzipOf(chunk.code);
  const without = (code: string, endings: readonly string[]): string => {
    for (const ending of endings) {
      const rendered = Object.entries(chunk.modules).find(([id]) => id.endsWith(ending))?.[1].code;
      if (!rendered || !code.includes(rendered)) throw new Error(`feature cost: ${ending} is not in the kit's bundle as one piece`);
      code = code.replace(rendered, '');
    }
    return code;
  };
  const features: Record<string, number> = {};
  for (const [feature, endings] of Object.entries(FEATURES)) features[feature] = whole - gzipOf(without(chunk.code, endings));
  const all = whole - gzipOf(without(chunk.code, Object.values(FEATURES).flat()));
  return { whole, features, all };
}
