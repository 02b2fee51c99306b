import type { Field, JsonStep } from './ast.ts';

/**
 * The lexical layer of PostgREST's query-string grammar (src/PostgREST/ApiRequest/QueryParams.hs):
 * a cursor with Parsec-like errors, and the pieces every parameter shares (field names,
 * quoted values, JSON paths). Unlike PostgREST's Parsec parsers, every entry point built on
 * it requires the whole input to be consumed: trailing garbage is an error, not ignored.
 */

/** Where and why the input stopped matching; `parse.ts` words it as PostgREST's PGRST100. */
export class GrammarError extends Error {
  override name = 'GrammarError';
  constructor(
    /** 1-based, like Parsec's column. */
    readonly column: number,
    /** `unexpected "x"`, or a message of its own (`unknown single value operator noop`). */
    readonly problem: string,
    readonly expecting: readonly string[] = [],
  ) {
    super(expecting.length ? `${problem} expecting ${joinOr(expecting)}` : problem);
  }
  get details(): string {
    return this.message;
  }
}

const IDENT_CHAR = /[\p{L}\p{N}_ $]/u;

export class Cursor {
  i = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(offset = 0): string | undefined {
    return this.s[this.i + offset];
  }
  startsWith(text: string): boolean {
    return this.s.startsWith(text, this.i);
  }
  eat(text: string): boolean {
    if (!this.startsWith(text)) return false;
    this.i += text.length;
    return true;
  }
  expect(text: string): void {
    if (!this.eat(text)) this.fail([`"${text}"`]);
  }
  ws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }
  /** Reads one identifier character (a whole code point), or returns false. */
  identChar(): boolean {
    const cp = this.s.codePointAt(this.i);
    if (cp === undefined) return false;
    const ch = String.fromCodePoint(cp);
    if (!IDENT_CHAR.test(ch)) return false;
    this.i += ch.length;
    return true;
  }
  fail(expecting: string[], at = this.i): never {
    const found = this.s[at];
    throw new GrammarError(at + 1, found === undefined ? 'unexpected end of input' : `unexpected ${JSON.stringify(found)}`, expecting);
  }
  end(): void {
    if (!this.done) this.fail(['end of input']);
  }
  /** Tries `a`; on failure rewinds and tries `b`, reporting whichever got further, as Parsec does. */
  either<T>(a: () => T, b: () => T): T {
    const start = this.i;
    try {
      return a();
    } catch (first) {
      if (!(first instanceof GrammarError)) throw first;
      this.i = start;
      try {
        return b();
      } catch (second) {
        if (!(second instanceof GrammarError) || first.column < second.column) throw second;
        if (first.column > second.column) throw first;
        // Both stopped at the same place: say everything that would have been accepted there.
        if (first.problem !== second.problem) throw second;
        throw new GrammarError(second.column, second.problem, [...new Set([...first.expecting, ...second.expecting])]);
      }
    }
  }
}

export function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

export function fieldName(c: Cursor): string {
  if (c.peek() === '"') return quotedValue(c);
  const parts: string[] = [];
  for (;;) {
    const start = c.i;
    while (c.identChar());
    if (c.i === start) c.fail(['field name (* or [a..z0..9_$])']);
    parts.push(c.s.slice(start, c.i).trim());
    // A dash joins name parts (`my-col`) unless it starts a JSON arrow.
    if (c.peek() === '-' && c.peek(1) !== '>') c.i++;
    else return parts.join('-');
  }
}

export function quotedValue(c: Cursor): string {
  c.expect('"');
  let out = '';
  for (;;) {
    const ch = c.peek();
    if (ch === undefined) c.fail(['"\\""']);
    c.i++;
    if (ch === '"') return out;
    if (ch === '\\') {
      const escaped = c.peek();
      if (escaped === undefined) c.fail(['escaped character']);
      c.i++;
      out += escaped;
    } else out += ch;
  }
}

export function identifier(c: Cursor): string {
  const start = c.i;
  while (c.identChar());
  if (c.i === start) c.fail(['letter or digit']);
  return c.s.slice(start, c.i).trim();
}

function atJsonOperandEnd(c: Cursor): boolean {
  return c.done || c.startsWith('->') || c.startsWith('::') || c.peek() === '.' || c.peek() === ',';
}

export function jsonPath(c: Cursor): JsonStep[] {
  const steps: JsonStep[] = [];
  for (;;) {
    const arrow = c.startsWith('->>') ? '->>' : c.startsWith('->') ? '->' : undefined;
    if (!arrow) return steps;
    c.i += arrow.length;
    const start = c.i;
    c.eat('-');
    while (/[0-9]/.test(c.peek() ?? '')) c.i++;
    const digits = c.s.slice(start, c.i);
    if (/\d/.test(digits) && atJsonOperandEnd(c)) {
      steps.push({ arrow, operand: { kind: 'index', index: digits } });
    } else {
      c.i = start;
      steps.push({ arrow, operand: { kind: 'key', key: fieldName(c) } });
    }
  }
}

export function field(c: Cursor): Field {
  c.ws();
  const name = fieldName(c);
  const json = jsonPath(c);
  c.ws();
  return { name, json };
}
