import type { Filter } from './ast.ts';

/**
 * Keeps `match` / `imatch` filters to patterns Postgres evaluates in about linear time.
 *
 * PGlite runs on the server's event loop and cannot cut a statement off (it ignores
 * `statement_timeout`: measured, a backreference match set to 200 ms ran 836 ms), so one slow
 * regex froze heartbeats, health and every other client for as long as it ran. Postgres's
 * regex engine (Spencer's, regexec.c) answers `~` with DFAs alone unless the pattern has a
 * back reference (REG_UBACKREF), which needs backtracking whose cost grows as a power of the
 * text: measured in PGlite, `^(.*)(.*)(.*)\3\2\1$` on 200 / 400 / 800 characters took
 * 162 ms / 1.5 s / 14.3 s, while backreference-free patterns built to be slow elsewhere
 * (`^(.*)(.*)(.*)$`, `(a|aa)*c`, `((a+)+)+c`, `(.*a){30}`) took 0.4-4.6 ms at 800, the
 * worst found (`(.*){1,200}z`) 61 ms. So a pattern with a back reference is refused before
 * anything runs, with Postgres's code for a pattern it cannot use (2201B); everything else is
 * Postgres's own regex, unchanged.
 */

/**
 * Whether an advanced regular expression has a back reference: `\` then a digit 1-9 (`\1`…`\99`),
 * not itself escaped. Conservative: a `\1` inside a bracket expression is refused too, and a
 * pattern made literal by a `***=` director is not.
 */
export function hasBackReference(pattern: string): boolean {
  if (pattern.startsWith('***=')) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1];
    if (next !== undefined && next >= '1' && next <= '9') return true;
    i++; // skip the escaped character, so `\\1` is a backslash then a literal 1
  }
  return false;
}

/** The first `match`/`imatch` filter whose pattern (or any pattern of its `any`/`all` list) has a back reference. */
export function slowPattern(filters: readonly Filter[]): Filter | undefined {
  return filters.find((f) => f.operation.kind === 'value' && (f.operation.op === 'match' || f.operation.op === 'imatch') && hasBackReference(f.operation.value));
}

export const SLOW_PATTERN_MESSAGE = 'invalid regular expression: back references are not supported by the local server';
export const SLOW_PATTERN_DETAILS =
  'A back reference makes Postgres backtrack, at a cost that grows as a power of the text, and the local server cannot cut a running statement off';
