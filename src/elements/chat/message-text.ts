/**
 * A message body as the list shows it: plain text cut into runs of text, links and mentions.
 * Nothing here produces HTML; the element renders each run as a text node, an `<a>` or a
 * `<mark>`, so a body can never add markup, and only http(s) URLs ever become an `href`.
 */

export type TextRun = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string } | { kind: 'mention'; text: string; key: string };

/**
 * Bidi embedding and override controls (LRE, RLE, PDF, LRO, RLO): they reorder the text that
 * follows them, which is how "txt.exe" is made to read "exe.txt". Isolates (LRI…PDI) are kept:
 * each body is isolated anyway, and they cannot reach past it.
 */
const BIDI_OVERRIDES = /[\u202A-\u202E]/g;

/** More than this many combining marks on one letter is "zalgo": the rest are not drawn. */
const MAX_MARKS = 4;
const MARK_PILES = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');

/**
 * The mention grammar the database trigger uses (supabase/migrations): an "@" not inside a word
 * or address, then letters, digits, "_", "." and "-", not ending in "." or "-", at most 40.
 */
const MENTION = /(^|[^\p{L}\p{N}_.-])@([\p{L}\p{N}_](?:[\p{L}\p{N}_.-]{0,38}[\p{L}\p{N}_])?)(?![\p{L}\p{N}_])/gu;

/** http(s) URLs; trailing punctuation that usually ends a sentence is left out of the link. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/giu;
const TRAILING = /[.,;:!?)\]}'"»]+$/u;

/** What a person's name is mentioned as: the name without spaces, lower-cased (as the trigger compares). */
export function mentionKey(name: string): string {
  return name.replace(/\s+/gu, '').toLowerCase();
}

/** The token to insert for a person: `@` plus their name without spaces. */
export function mentionToken(name: string): string {
  return '@' + name.replace(/\s+/gu, '');
}

/** Text safe to draw: no bidi overrides, and combining marks capped per letter. */
export function displayText(body: string): string {
  return body.replace(BIDI_OVERRIDES, '').replace(MARK_PILES, '$1');
}

/** The href for a URL found in text, or undefined when it is not a well-formed http(s) URL. */
export function linkHref(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Bodies already cut, because a render draws every visible message again. */
const cut = new Map<string, TextRun[]>();
const CUT_KEEP = 2000;

/** Cuts a body into text, link and mention runs, in order. */
export function textRuns(body: string): TextRun[] {
  let runs = cut.get(body);
  if (!runs) {
    if (cut.size >= CUT_KEEP) cut.clear();
    cut.set(body, (runs = cutRuns(body)));
  }
  return runs;
}

function cutRuns(body: string): TextRun[] {
  const text = displayText(body);
  const marks: { start: number; end: number; run: TextRun }[] = [];
  for (const found of text.matchAll(URL_PATTERN)) {
    const raw = found[0].replace(TRAILING, '');
    const href = linkHref(raw);
    if (href) marks.push({ start: found.index, end: found.index + raw.length, run: { kind: 'link', text: raw, href } });
  }
  for (const found of text.matchAll(MENTION)) {
    const start = found.index + found[1]!.length;
    const end = start + 1 + found[2]!.length;
    // A mention inside a link ("https://x.io/@ada") is part of the link.
    if (marks.some((m) => m.run.kind === 'link' && start < m.end && end > m.start)) continue;
    marks.push({ start, end, run: { kind: 'mention', text: text.slice(start, end), key: found[2]!.toLowerCase() } });
  }
  marks.sort((a, b) => a.start - b.start);
  const runs: TextRun[] = [];
  let at = 0;
  for (const mark of marks) {
    if (mark.start > at) runs.push({ kind: 'text', text: text.slice(at, mark.start) });
    runs.push(mark.run);
    at = mark.end;
  }
  if (at < text.length) runs.push({ kind: 'text', text: text.slice(at) });
  return runs;
}

/** The `@partial` being typed just before the caret, if any: where it starts and what is typed. */
export function mentionQuery(value: string, caret: number): { start: number; query: string } | undefined {
  const before = value.slice(0, caret);
  const found = /(^|[^\p{L}\p{N}_.-])@([\p{L}\p{N}_.-]{0,40})$/u.exec(before);
  if (!found) return undefined;
  return { start: found.index + found[1]!.length, query: found[2]! };
}

/** Length as the database counts it (`char_length`: code points, not UTF-16 units). */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
