/**
 * User colours. Every one carries white label text at 4.5:1 or better (WCAG AA) and stands
 * out at 3:1 or better against a dark page (#121212) as well as a light one, so a cursor or
 * avatar is legible in both colour schemes. A user's colour is stable: the same id always
 * gets the same colour, on every page and in every tab.
 */
export const PALETTE = Object.freeze([
  '#c2410c', '#b45309', '#4d7c0f', '#15803d', '#047857', '#0f766e', '#0e7490', '#0369a1',
  '#2563eb', '#7c3aed', '#9333ea', '#c026d3', '#db2777', '#be185d', '#e11d48', '#dc2626',
] as const);

/** FNV-1a over the id's UTF-16 code units: cheap, stable, and well spread for uuids. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function colorFor(id: string): string {
  return PALETTE[hash(id) % PALETTE.length]!;
}
