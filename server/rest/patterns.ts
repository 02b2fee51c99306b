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
 * worst found (`(.*){1,200}z`) 61 ms — but 0.15-0.23 s at 4,000 characters, and
 * `(.*){1,255}(.*){1,255}z` 2.8 s: bounded repetitions are compiled as copies. So a pattern with
 * a back reference, or whose bounded repetitions add more than MAX_REPETITION_COPIES copies, is
 * refused before anything runs, with Postgres's code for a pattern it cannot use (2201B);
 * everything else is Postgres's own regex, unchanged.
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

/**
 * Most copies of pattern pieces that bounded repetitions (`{m}`, `{m,}`, `{m,n}`) may add. Postgres
 * compiles `x{1,200}` into 200 copies of `x`, and its DFA's work per character grows with the
 * copies: measured on a 4,000-character text, `(.*){1,25}` four times (100 copies) 35 ms,
 * `((.*){1,10}){1,10}` (100) 151 ms, `(.*){1,200}z` 152-231 ms, `(.*){1,255}(.*){1,255}z` 2.8 s.
 * 64 keeps a pattern under about 0.1 s on the longest message and leaves every ordinary use
 * (`\d{4}-\d{2}-\d{2}`, `[0-9]{1,3}` four times, `.{0,50}`) alone.
 */
export const MAX_REPETITION_COPIES = 64;

/**
 * How many copies of pattern pieces the pattern's bounded repetitions add: its size with each
 * `{m,n}` expanded as Postgres compiles it, less its size with each repetition once. An atom
 * counts 1 (a character, an escape, a bracket expression), a group its contents, so nested
 * repetitions multiply.
 */
export function repetitionCopies(pattern: string): number {
  if (pattern.startsWith('***=')) return 0;
  return patternSize(pattern, true) - patternSize(pattern, false);
}

function patternSize(pattern: string, expand: boolean): number {
  // Per open group: its size so far, and the size of its last atom (what a quantifier repeats).
  const frames: { size: number; last: number }[] = [{ size: 0, last: 0 }];
  const atom = (size: number): void => {
    const frame = frames.at(-1)!;
    frame.size += size;
    frame.last = size;
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      atom(1);
    } else if (ch === '[') {
      i = bracketEnd(pattern, i);
      atom(1);
    } else if (ch === '(') {
      frames.push({ size: 0, last: 0 });
      if (pattern[i + 1] === '?') i++; // (?: (?= (?! count as a group
    } else if (ch === ')') {
      const group = frames.length > 1 ? frames.pop()! : { size: 0, last: 0 };
      atom(group.size);
    } else if (ch === '{') {
      const bound = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!bound) {
        atom(1);
        continue;
      }
      i += bound[0].length - 1;
      if (!expand) continue;
      // {m} m copies, {m,n} n, {m,} m then a star.
      const times = bound[3] ? Number(bound[3]) : bound[2] !== undefined ? Number(bound[1]) + 1 : Number(bound[1]);
      const frame = frames.at(-1)!;
      const added = frame.last * Math.max(0, times - 1);
      frame.size += added;
      frame.last += added;
    } else if (!'|*+?^$'.includes(ch)) {
      atom(1);
    }
  }
  while (frames.length > 1) atom(frames.pop()!.size);
  return frames[0]!.size;
}

/** The index of the `]` closing the bracket expression opened at `open` (`]` first is literal; [:x:], [.x.], [=x=] skipped whole). */
function bracketEnd(pattern: string, open: number): number {
  let j = open + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++;
  while (j < pattern.length && pattern[j] !== ']') {
    if (pattern[j] === '[' && ':.='.includes(pattern[j + 1] ?? '_')) {
      const close = pattern.indexOf(`${pattern[j + 1]}]`, j + 2);
      j = close < 0 ? pattern.length : close + 2;
    } else j++;
  }
  return j;
}

/** Why a pattern is refused, or undefined if Postgres may run it. */
export function slowPatternReason(pattern: string): string | undefined {
  if (hasBackReference(pattern)) return SLOW_PATTERN_MESSAGE;
  if (repetitionCopies(pattern) > MAX_REPETITION_COPIES) return REPETITION_MESSAGE;
  return undefined;
}

/** The first `match`/`imatch` filter whose pattern (or any pattern of its `any`/`all` list) would be slow, with why. */
export function slowPattern(filters: readonly Filter[]): string | undefined {
  for (const f of filters) {
    if (f.operation.kind !== 'value' || (f.operation.op !== 'match' && f.operation.op !== 'imatch')) continue;
    const reason = slowPatternReason(f.operation.value);
    if (reason) return reason;
  }
  return undefined;
}

export const SLOW_PATTERN_MESSAGE = 'invalid regular expression: back references are not supported by the local server';
export const REPETITION_MESSAGE = `invalid regular expression: bounded repetitions adding more than ${MAX_REPETITION_COPIES} copies are not supported by the local server`;
export const SLOW_PATTERN_DETAILS =
  'A back reference makes Postgres backtrack, at a cost that grows as a power of the text, and a large bounded repetition multiplies the work per character; the local server cannot cut a running statement off';
