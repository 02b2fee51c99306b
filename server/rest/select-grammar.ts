import type { Field, OrderTerm, SelectItem } from './ast.ts';
import { Cursor, field, fieldName, identifier } from './cursor.ts';

/** `select=`, `order=`, `columns=` and `on_conflict=`. */

function embedHints(c: Cursor): void {
  for (let n = 0; n < 2 && c.eat('!'); n++) fieldName(c);
}

/** `alias:` before a select item (but not the `::` of a cast). */
function optionalAlias(c: Cursor): string | undefined {
  return c.either<string | undefined>(
    () => {
      const name = fieldName(c);
      if (c.peek() !== ':' || c.peek(1) === ':') c.fail(['":"']);
      c.i++;
      return name;
    },
    () => undefined,
  );
}

function selectItem(c: Cursor): SelectItem {
  c.ws();
  if (c.eat('...') || c.eat('..')) {
    const relation = fieldName(c);
    embedHints(c);
    c.expect('(');
    selectForest(c);
    c.expect(')');
    c.ws();
    return { kind: 'embed', relation };
  }
  return c.either<SelectItem>(
    () => {
      optionalAlias(c);
      const relation = fieldName(c);
      embedHints(c);
      if (c.peek() !== '(') c.fail(['"("']);
      c.i++;
      selectForest(c);
      c.expect(')');
      c.ws();
      return { kind: 'embed', relation };
    },
    () => {
      if (c.eat('*')) {
        c.ws();
        selectItemEnd(c);
        return { kind: 'star' };
      }
      const alias = optionalAlias(c);
      const f = field(c);
      const cast = c.eat('::') ? identifier(c) : undefined;
      c.ws();
      selectItemEnd(c);
      return { kind: 'field', field: f, ...(alias !== undefined && { alias }), ...(cast !== undefined && { cast }) };
    },
  );
}

function selectItemEnd(c: Cursor): void {
  if (!c.done && c.peek() !== ',' && c.peek() !== ')') c.fail(['"->>"', '"->"', '"::"', '")"', '","', 'end of input']);
}

function selectForest(c: Cursor): SelectItem[] {
  const items = [selectItem(c)];
  while (c.eat(',')) items.push(selectItem(c));
  return items;
}

/** `select=a,alias:b,c::text,data->>key,*`; embedded resources come back as `embed` items. */
export function parseSelect(input: string): SelectItem[] {
  const c = new Cursor(input);
  const items = selectForest(c);
  c.end();
  return items;
}

function orderTerm(c: Cursor, relations: string[]): OrderTerm {
  c.ws();
  const start = c.i;
  const name = fieldName(c);
  let f: Field;
  if (c.peek() === '(') {
    // `rel(col).desc`: ordering by an embedded resource.
    c.i++;
    f = field(c);
    c.expect(')');
    relations.push(name);
  } else {
    c.i = start;
    f = field(c);
  }
  const term: OrderTerm = { field: f };
  if (c.eat('.asc')) term.direction = 'asc';
  else if (c.eat('.desc')) term.direction = 'desc';
  if (c.eat('.nullsfirst')) term.nulls = 'first';
  else if (c.eat('.nullslast')) term.nulls = 'last';
  c.ws();
  if (!c.done && c.peek() !== ',') {
    c.fail(term.direction || term.nulls ? ['","', 'end of input'] : ['"asc"', '"desc"', '"nullsfirst"', '"nullslast"']);
  }
  return term;
}

/** `order=created_at.desc,id.desc.nullslast`. */
export function parseOrder(input: string): { terms: OrderTerm[]; relations: string[] } {
  const c = new Cursor(input);
  const relations: string[] = [];
  const terms = [orderTerm(c, relations)];
  while (c.eat(',')) terms.push(orderTerm(c, relations));
  c.end();
  return { terms, relations };
}

/** `columns="id","room"` and `on_conflict=id`: a comma-separated list of (maybe quoted) names. */
export function parseColumnList(input: string): string[] {
  const c = new Cursor(input);
  const names: string[] = [];
  do {
    c.ws();
    names.push(fieldName(c));
    c.ws();
  } while (c.eat(','));
  c.end();
  return names;
}
