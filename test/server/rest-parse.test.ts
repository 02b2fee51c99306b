import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Filter, LogicTree, RestQuery } from '../../server/rest/ast.ts';
import { RestError, statusForSqlState } from '../../server/rest/errors.ts';
import { negotiateMedia, parsePreferences, parseRangeHeader } from '../../server/rest/headers.ts';
import { parseQuery } from '../../server/rest/parse.ts';
import { readRange } from '../../server/rest/read.ts';
import { Binder, filterSql, ident, logicSql } from '../../server/rest/sql.ts';

const parse = (qs: string): RestQuery => parseQuery(new URLSearchParams(qs));
const only = (qs: string): Filter => {
  const { filters } = parse(qs);
  assert.equal(filters.length, 1);
  return filters[0]!;
};
const field = (name: string) => ({ name, json: [] });

function parseFailure(qs: string): RestError {
  try {
    parse(qs);
  } catch (error) {
    assert.ok(error instanceof RestError, `expected a RestError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${qs} to fail`);
}

describe('filters', () => {
  const cases: [string, Filter][] = [
    ['id=eq.5', { field: field('id'), negated: false, operation: { kind: 'value', op: 'eq', value: '5' } }],
    ['body=eq.a.b.c', { field: field('body'), negated: false, operation: { kind: 'value', op: 'eq', value: 'a.b.c' } }],
    ['body=eq.', { field: field('body'), negated: false, operation: { kind: 'value', op: 'eq', value: '' } }],
    ['body=neq."quoted"', { field: field('body'), negated: false, operation: { kind: 'value', op: 'neq', value: '"quoted"' } }],
    ['n=gte.10', { field: field('n'), negated: false, operation: { kind: 'value', op: 'gte', value: '10' } }],
    ['body=not.like.*abc*', { field: field('body'), negated: true, operation: { kind: 'value', op: 'like', value: '*abc*' } }],
    ['body=ilike.a%2Cb', { field: field('body'), negated: false, operation: { kind: 'value', op: 'ilike', value: 'a,b' } }],
    ['n=eq(any).{1,2}', { field: field('n'), negated: false, operation: { kind: 'value', op: 'eq', quantifier: 'any', value: '{1,2}' } }],
    ['d=isdistinct.x', { field: field('d'), negated: false, operation: { kind: 'value', op: 'isdistinct', value: 'x' } }],
    ['id=in.(1,2,3)', { field: field('id'), negated: false, operation: { kind: 'in', values: ['1', '2', '3'] } }],
    ['id=in.()', { field: field('id'), negated: false, operation: { kind: 'in', values: [''] } }],
    ['id=not.in.(1)', { field: field('id'), negated: true, operation: { kind: 'in', values: ['1'] } }],
    ['at=is.null', { field: field('at'), negated: false, operation: { kind: 'is', value: 'null' } }],
    ['at=is.NULL', { field: field('at'), negated: false, operation: { kind: 'is', value: 'null' } }],
    ['at=not.is.null', { field: field('at'), negated: true, operation: { kind: 'is', value: 'null' } }],
    ['ok=is.true', { field: field('ok'), negated: false, operation: { kind: 'is', value: 'true' } }],
    ['ok=is.unknown', { field: field('ok'), negated: false, operation: { kind: 'is', value: 'unknown' } }],
    ['t=fts(english).cat', { field: field('t'), negated: false, operation: { kind: 'fts', op: 'fts', language: 'english', value: 'cat' } }],
    ['t=wfts.cat dog', { field: field('t'), negated: false, operation: { kind: 'fts', op: 'wfts', value: 'cat dog' } }],
    ['%22my%20col%22=eq.1', { field: field('my col'), negated: false, operation: { kind: 'value', op: 'eq', value: '1' } }],
    [
      'data->>name=eq.x',
      { field: { name: 'data', json: [{ arrow: '->>', operand: { kind: 'key', key: 'name' } }] }, negated: false, operation: { kind: 'value', op: 'eq', value: 'x' } },
    ],
    [
      'data->0=eq.x',
      { field: { name: 'data', json: [{ arrow: '->', operand: { kind: 'index', index: '0' } }] }, negated: false, operation: { kind: 'value', op: 'eq', value: 'x' } },
    ],
  ];
  for (const [qs, expected] of cases) {
    it(`parses ${qs}`, () => assert.deepEqual(only(qs), expected));
  }

  it('keeps commas, quotes and parentheses inside quoted in-list elements', () => {
    const { operation } = only(`id=in.(${encodeURIComponent('"a,b",c,"d)e","f\\"g",(x')})`);
    assert.deepEqual(operation, { kind: 'in', values: ['a,b', 'c', 'd)e', 'f"g', '(x'] });
  });

  it('leaves injection attempts as plain values', () => {
    const value = "'; drop table flock_messages; --";
    assert.deepEqual(only(`body=eq.${encodeURIComponent(value)}`).operation, { kind: 'value', op: 'eq', value });
  });
});

describe('logic trees', () => {
  const leaf = (name: string, op: 'eq' | 'gt', value: string): LogicTree => ({
    kind: 'filter',
    filter: { field: field(name), negated: false, operation: { kind: 'value', op, value } },
  });

  it('parses nested and/or', () => {
    const { logic } = parse('or=(a.eq.1,and(b.gt.2,c.is.null))');
    assert.deepEqual(logic, [
      {
        kind: 'logic',
        op: 'or',
        negated: false,
        children: [
          leaf('a', 'eq', '1'),
          {
            kind: 'logic',
            op: 'and',
            negated: false,
            children: [leaf('b', 'gt', '2'), { kind: 'filter', filter: { field: field('c'), negated: false, operation: { kind: 'is', value: 'null' } } }],
          },
        ],
      },
    ]);
  });

  it('parses not.or and negated children', () => {
    const [tree] = parse('not.or=(a.eq.1,not.and(b.eq.2,c.not.eq.3))').logic;
    assert.equal(tree?.kind === 'logic' && tree.negated, true);
    const inner = tree?.kind === 'logic' ? tree.children[1] : undefined;
    assert.equal(inner?.kind === 'logic' && inner.negated, true);
  });

  const values: [string, string[]][] = [
    ['or=(body.eq."a,b",body.eq."c)d")', ['a,b', 'c)d']],
    ['or=(tags.cs.{a,b},body.eq.x y)', ['{a,b}', 'x y']],
    ['or=(body.like.*a*,body.eq.)', ['*a*', '']],
  ];
  for (const [qs, expected] of values) {
    it(`reads values in ${qs}`, () => {
      const [tree] = parse(qs.replaceAll('"', '%22')).logic;
      assert.ok(tree?.kind === 'logic');
      assert.deepEqual(
        tree.children.map((c) => (c.kind === 'filter' && c.filter.operation.kind === 'value' ? c.filter.operation.value : undefined)),
        expected,
      );
    });
  }

  it('reads in-lists inside a tree', () => {
    const [tree] = parse('or=(id.in.(1,"2,3"),id.eq.4)').logic;
    assert.ok(tree?.kind === 'logic');
    const first = tree.children[0];
    assert.deepEqual(first?.kind === 'filter' && first.filter.operation, { kind: 'in', values: ['1', '2,3'] });
  });
});

describe('select, order, ranges and lists', () => {
  it('parses columns, aliases, casts, JSON paths and quoted names', () => {
    assert.deepEqual(parse('select=id,alias:room,created_at::text,data->>key,%22odd%20name%22').select, [
      { kind: 'field', field: field('id') },
      { kind: 'field', field: field('room'), alias: 'alias' },
      { kind: 'field', field: field('created_at'), cast: 'text' },
      { kind: 'field', field: { name: 'data', json: [{ arrow: '->>', operand: { kind: 'key', key: 'key' } }] } },
      { kind: 'field', field: field('odd name') },
    ]);
  });

  it('defaults to * and reads embedded resources as embeds', () => {
    assert.deepEqual(parse('').select, [{ kind: 'star' }]);
    assert.deepEqual(parse('select=*,author:users!inner(id,name),...rooms(*)').select, [
      { kind: 'star' },
      { kind: 'embed', relation: 'users' },
      { kind: 'embed', relation: 'rooms' },
    ]);
  });

  it('parses order terms', () => {
    assert.deepEqual(parse('order=created_at.desc,id.desc.nullslast,room,name.nullsfirst').order, [
      { field: field('created_at'), direction: 'desc' },
      { field: field('id'), direction: 'desc', nulls: 'last' },
      { field: field('room') },
      { field: field('name'), nulls: 'first' },
    ]);
  });

  it('parses limit, offset, columns and on_conflict, and ignores apikey', () => {
    const q = parse('limit=50&offset=100&columns=%22id%22,%22room%22&on_conflict=id,room&apikey=abc');
    assert.equal(q.limit, 50);
    assert.equal(q.offset, 100);
    assert.deepEqual(q.columns, ['id', 'room']);
    assert.deepEqual(q.onConflict, ['id', 'room']);
    assert.deepEqual(q.filters, []);
  });

  it('records embedded filter, order and limit paths for PGRST108', () => {
    assert.deepEqual(parse('rel.col=eq.1&other.order=id&third.limit=1').embedPaths, ['rel', 'other', 'third']);
  });

  it('intersects limit/offset with a Range header', () => {
    assert.deepEqual(readRange({ limit: 50, offset: 100 }, undefined), { offset: 100, limit: 50 });
    assert.deepEqual(readRange({}, { from: 10, to: 19 }), { offset: 10, limit: 10 });
    assert.deepEqual(readRange({ limit: 5 }, { from: 2, to: 100 }), { offset: 2, limit: 3 });
    assert.deepEqual(readRange({ offset: 7 }, undefined), { offset: 7 });
  });
});

describe('bad input', () => {
  const cases: [string, string, RegExp][] = [
    ['id=noop.5', '"failed to parse filter (noop.5)" (line 1, column 6)', /unknown single value operator noop/],
    ['id=eq5', '"failed to parse filter (eq5)" (line 1, column 4)', /expecting delimiter/],
    ['id=in.1,2', '"failed to parse filter (in.1,2)" (line 1, column 4)', /unexpected "1" expecting "\("/],
    ['id=in.(1,2', '"failed to parse filter (in.(1,2)" (line 1, column 8)', /end of input expecting "\)"/],
    ['id=is.maybe', '"failed to parse filter (is.maybe)" (line 1, column 4)', /null or trilean/],
    ['id=is.nullx', '"failed to parse filter (is.nullx)" (line 1, column 8)', /expecting end of input/],
    ['id=neq(any).{1}', '"failed to parse filter (neq(any).{1})" (line 1, column 10)', /unknown single value operator neq\(any\)/],
    ['id=', '"failed to parse filter ()" (line 1, column 1)', /end of input/],
    ['or=(a.eq.1', '"failed to parse logic tree ((a.eq.1)" (line 1, column 10)', /end of input/],
    ['or=()', '"failed to parse logic tree (())" (line 1, column 4)', /expecting field name .* or logic operator \(and, or\)/],
    ['or=(id.in.1,2,id.eq.3)', '"failed to parse logic tree ((id.in.1,2,id.eq.3))" (line 1, column 10)', /expecting "\("/],
    ['order=id.ac', '"failed to parse order (id.ac)" (line 1, column 3)', /expecting "asc", "desc"/],
    ['select=id,', '"failed to parse select parameter (id,)" (line 1, column 4)', /field name/],
    ['select=na;me', '"failed to parse select parameter (na;me)" (line 1, column 3)', /unexpected ";"/],
    ['columns=', '"failed to parse columns parameter ()" (line 1, column 1)', /field name/],
    ['limit=abc', '"failed to parse limit parameter (abc)" (line 1, column 1)', /expecting digit/],
    ['id%3Bdrop=eq.1', '"failed to parse tree path (id;drop)" (line 1, column 3)', /unexpected ";"/],
  ];
  for (const [qs, message, details] of cases) {
    it(`refuses ${qs} with PGRST100`, () => {
      const error = parseFailure(qs);
      assert.equal(error.status, 400);
      assert.equal(error.body.code, 'PGRST100');
      assert.equal(error.body.message, message);
      assert.match(error.body.details ?? '', details);
    });
  }

  it('refuses a negative limit with 416 PGRST103', () => {
    const error = parseFailure('limit=-1');
    assert.equal(error.status, 416);
    assert.equal(error.body.code, 'PGRST103');
  });
});

describe('headers', () => {
  it('reads Prefer as PostgREST does: first of each kind wins, unknown ones collected', () => {
    const prefs = parsePreferences('return=representation, count=exact,return=minimal, resolution=merge-duplicates, bogus');
    assert.equal(prefs.return, 'representation');
    assert.equal(prefs.count, 'exact');
    assert.equal(prefs.resolution, 'merge-duplicates');
    assert.deepEqual(prefs.invalid, ['bogus']);
    assert.throws(() => parsePreferences('handling=strict, bogus'), (e) => e instanceof RestError && e.body.code === 'PGRST122');
  });

  it('negotiates Accept', () => {
    assert.deepEqual(negotiateMedia(undefined), { shape: 'array', stripNulls: false });
    assert.deepEqual(negotiateMedia('application/vnd.pgrst.object+json'), { shape: 'object', stripNulls: false });
    assert.deepEqual(negotiateMedia('application/vnd.pgrst.array+json;nulls=stripped'), { shape: 'array', stripNulls: true });
    assert.deepEqual(negotiateMedia('text/html, application/json;q=0.5'), { shape: 'array', stripNulls: false });
    assert.throws(() => negotiateMedia('text/csv'), (e) => e instanceof RestError && e.status === 406 && e.body.code === 'PGRST107');
  });

  it('reads Range headers', () => {
    assert.deepEqual(parseRangeHeader('0-9'), { from: 0, to: 9 });
    assert.deepEqual(parseRangeHeader('5-'), { from: 5 });
    assert.equal(parseRangeHeader('bytes'), undefined);
    assert.throws(() => parseRangeHeader('9-1'), (e) => e instanceof RestError && e.status === 416);
  });
});

describe('SQL rendering', () => {
  it('quotes identifiers and binds every value', () => {
    assert.equal(ident('we"ird'), '"we""ird"');
    const b = new Binder();
    const evil = "x'); drop table flock_messages; --";
    const sql = filterSql(only(`body=like.*${encodeURIComponent(evil)}*`), '"t"', b);
    assert.equal(sql, '"t"."body" LIKE $1');
    assert.deepEqual(b.values, [`%${evil}%`]);
  });

  it('renders in-lists as one array parameter and logic trees with NOT', () => {
    const b = new Binder();
    const [tree] = parse(`not.or=(id.in.(${encodeURIComponent('"a,b",c')}),body.is.null)`).logic;
    assert.equal(logicSql(tree!, '"t"', b), 'NOT ("t"."id" = ANY($1) OR "t"."body" IS NULL)');
    assert.deepEqual(b.values, ['{"a,b","c"}']);
  });
});

describe('SQLSTATE to HTTP status, as PostgREST maps it', () => {
  const cases: [string, string, boolean, number][] = [
    ['42501', 'permission denied for table t', false, 401],
    ['42501', 'new row violates row-level security policy for table "t"', true, 403],
    ['23505', 'duplicate key value violates unique constraint', true, 409],
    ['23503', 'insert or update on table violates foreign key constraint', true, 409],
    ['23514', 'new row violates check constraint', true, 400],
    ['23502', 'null value in column violates not-null constraint', true, 400],
    ['22P02', 'invalid input syntax for type uuid', true, 400],
    ['P0001', 'raised by a trigger', true, 400],
    ['42P01', 'relation does not exist', true, 404],
    ['42883', 'operator does not exist', true, 404],
    ['21000', 'DELETE requires a WHERE clause', true, 400],
    ['21000', 'more than one row returned by a subquery', true, 500],
    ['25006', 'cannot execute UPDATE in a read-only transaction', true, 405],
    ['53100', 'could not extend file', true, 503],
    ['54001', 'stack depth limit exceeded', true, 500],
    ['PT418', 'custom', true, 418],
    ['XX000', 'internal error', true, 500],
  ];
  for (const [code, message, authed, status] of cases) {
    it(`maps ${code} (${authed ? 'signed in' : 'anon'}) to ${status}`, () => assert.equal(statusForSqlState(code, message, authed), status));
  }
});
