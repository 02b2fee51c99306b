import {
  FTS_OPERATORS,
  QUANTIFIABLE_OPERATORS,
  VALUE_OPERATORS,
  type Field,
  type FtsOperator,
  type IsValue,
  type LogicTree,
  type Operation,
  type ValueOperator,
} from './ast.ts';
import { Cursor, field, fieldName, GrammarError, jsonPath, quotedValue } from './cursor.ts';

/** Filter values (`eq.5`, `in.(a,"b,c")`, `is.null`, `fts(english).cat`), filter keys and `and`/`or` trees. */

const TRILEANS: readonly IsValue[] = ['not_null', 'null', 'unknown', 'true', 'false'];

/** A top-level filter's value runs to the end; inside a logic tree it stops at `,` or `)`. */
type ValueMode = 'rest' | 'logic';

/** A value inside `or=(...)`: quoted, a `{...}` array literal, or up to the next `,` or `)`. */
function logicValue(c: Cursor): string {
  const start = c.i;
  if (c.peek() === '"') {
    try {
      const value = quotedValue(c);
      if (c.done || c.peek() === ',' || c.peek() === ')') return value;
    } catch (error) {
      if (!(error instanceof GrammarError)) throw error;
    }
    c.i = start;
  }
  if (c.peek() === '{') {
    const close = c.s.indexOf('}', c.i);
    const inner = close < 0 ? '' : c.s.slice(c.i + 1, close);
    if (close >= 0 && !inner.includes('{')) {
      c.i = close + 1;
      return c.s.slice(start, c.i);
    }
  }
  while (!c.done && c.peek() !== ',' && c.peek() !== ')') c.i++;
  return c.s.slice(start, c.i);
}

function singleValue(c: Cursor, mode: ValueMode): string {
  if (mode === 'logic') return logicValue(c);
  const value = c.s.slice(c.i);
  c.i = c.s.length;
  return value;
}

/** `(a,"b,c",d)`: quoted elements may hold commas and parentheses. */
function listValue(c: Cursor): string[] {
  c.ws();
  c.expect('(');
  c.ws();
  const values: string[] = [];
  do {
    const start = c.i;
    let value: string | undefined;
    if (c.peek() === '"') {
      try {
        const quoted = quotedValue(c);
        if (c.peek() === ',' || c.peek() === ')') value = quoted;
      } catch (error) {
        if (!(error instanceof GrammarError)) throw error;
      }
      if (value === undefined) c.i = start;
    }
    if (value === undefined) {
      while (!c.done && c.peek() !== ',' && c.peek() !== ')') c.i++;
      value = c.s.slice(start, c.i);
    }
    values.push(value);
  } while (c.eat(','));
  c.ws();
  c.expect(')');
  c.ws();
  return values;
}

function trilean(c: Cursor): IsValue {
  const rest = c.s.slice(c.i).toLowerCase();
  const match = TRILEANS.find((t) => rest.startsWith(t));
  if (!match) c.fail(['null or trilean value (unknown, true, false)']);
  c.i += match.length;
  return match;
}

function operation(c: Cursor, mode: ValueMode): Operation {
  if (c.eat('in.')) return { kind: 'in', values: listValue(c) };
  if (c.eat('is.')) return { kind: 'is', value: trilean(c) };

  const ftsMatch = /^([a-z]+)(?:\(([^)]*)\))?\./.exec(c.s.slice(c.i));
  if (ftsMatch && (FTS_OPERATORS as readonly string[]).includes(ftsMatch[1] ?? '')) {
    c.i += ftsMatch[0].length;
    const language = ftsMatch[2]?.trim();
    const op = ftsMatch[1] as FtsOperator;
    const value = singleValue(c, mode);
    return language ? { kind: 'fts', op, language, value } : { kind: 'fts', op, value };
  }

  const dot = c.s.indexOf('.', c.i);
  if (dot < 0) c.fail(['delimiter (.)'], c.s.length);
  const opText = c.s.slice(c.i, dot);
  c.i = dot + 1;
  const quantified = /^([a-z]+)\((any|all)\)$/.exec(opText);
  const name = quantified ? quantified[1] : opText;
  const op = VALUE_OPERATORS.find((o) => o === name);
  if (!op || (quantified && !QUANTIFIABLE_OPERATORS.includes(op))) {
    throw new GrammarError(c.i + 1, `unknown single value operator ${opText}`);
  }
  const value = singleValue(c, mode);
  const quantifier = quantified?.[2] as 'any' | 'all' | undefined;
  return quantifier ? { kind: 'value', op: op as ValueOperator, quantifier, value } : { kind: 'value', op, value };
}

function opExpr(c: Cursor, mode: ValueMode): { negated: boolean; operation: Operation } {
  return c.either<{ negated: boolean; operation: Operation }>(
    () => {
      c.expect('not.');
      return { negated: true, operation: operation(c, mode) };
    },
    () => ({ negated: false, operation: operation(c, mode) }),
  );
}

/** The value of a column filter: `eq.5`, `not.in.(1,2)`, `is.null`, `fts(english).cat`. */
export function parseFilterValue(input: string): { negated: boolean; operation: Operation } {
  const c = new Cursor(input);
  const result = opExpr(c, 'rest');
  c.end();
  return result;
}

/** A filter's key: a column, maybe with a JSON path; `rel.col` yields an embed path. */
export function parseTreePath(input: string): { path: string[]; field: Field } {
  const c = new Cursor(input);
  const names = [fieldName(c)];
  while (c.eat('.')) names.push(fieldName(c));
  const json = jsonPath(c);
  c.end();
  const name = names.pop() ?? '';
  return { path: names, field: { name, json } };
}

function logicTree(c: Cursor): LogicTree {
  return c.either<LogicTree>(
    () => {
      const f = field(c);
      c.expect('.');
      const { negated, operation: op } = opExpr(c, 'logic');
      return { kind: 'filter', filter: { field: f, negated, operation: op } };
    },
    () => {
      const negated = c.eat('not.');
      const op = c.eat('and') ? 'and' : c.eat('or') ? 'or' : c.fail(['logic operator (and, or)']);
      c.ws();
      c.expect('(');
      const children = [logicTree(c)];
      c.ws();
      while (c.eat(',')) children.push(logicTree(c));
      c.ws();
      c.expect(')');
      c.ws();
      return { kind: 'logic', op, negated, children };
    },
  );
}

/** `or(a.eq.1,and(b.gt.2,c.is.null))`: the operator is prefixed to the value, as PostgREST does. */
export function parseLogicTree(input: string): LogicTree {
  const c = new Cursor(input);
  const tree = logicTree(c);
  c.end();
  return tree;
}
