import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingMatches, matches, runQuery } from '../../src/connection/memory/rows.js';
import type { RowFilter } from '../../src/connection/types.js';

/**
 * MemoryRoom's filters answer as PostgREST over Postgres does (server/rest/filter-grammar.ts
 * parses the same operators): each case is a filter and the ids of the rows it keeps.
 */

const rows = [
  { id: 'a', body: 'Hello world', n: 1, read_at: null, pinned: true },
  { id: 'b', body: 'hello there', n: 2, read_at: '2026-01-01T00:00:00Z', pinned: false },
  { id: 'c', body: '50% off_now', n: 3, read_at: null, pinned: null },
  { id: 'd', body: null, n: 10, read_at: null, pinned: false },
];

const cases: [string, RowFilter, string[]][] = [
  ['eq', { column: 'n', op: 'eq', value: 2 }, ['b']],
  ['neq skips nulls', { column: 'body', op: 'neq', value: 'Hello world' }, ['b', 'c']],
  ['lt / numbers compare as numbers', { column: 'n', op: 'lt', value: 3 }, ['a', 'b']],
  ['gte', { column: 'n', op: 'gte', value: 3 }, ['c', 'd']],
  ['lte', { column: 'n', op: 'lte', value: 1 }, ['a']],
  ['gt', { column: 'n', op: 'gt', value: 2 }, ['c', 'd']],
  ['is null', { column: 'read_at', op: 'is', value: null }, ['a', 'c', 'd']],
  ['is true', { column: 'pinned', op: 'is', value: true }, ['a']],
  ['not.is.null', { column: 'read_at', op: 'is', value: null, not: true }, ['b']],
  ['in', { column: 'id', op: 'in', value: ['a', 'c', 'z'] }, ['a', 'c']],
  ['in, numbers', { column: 'n', op: 'in', value: [1, 10] }, ['a', 'd']],
  ['not.in keeps no null', { column: 'body', op: 'in', value: ['Hello world'], not: true }, ['b', 'c']],
  ['like is case-sensitive, % any run', { column: 'body', op: 'like', value: 'Hello%' }, ['a']],
  ['like takes * for %', { column: 'body', op: 'like', value: '*world' }, ['a']],
  ['like _ is one character, the rest literal', { column: 'body', op: 'like', value: '50_ off_now' }, ['c']],
  ['ilike', { column: 'body', op: 'ilike', value: 'HELLO%' }, ['a', 'b']],
  ['match (POSIX regex)', { column: 'body', op: 'match', value: '^h.*e$' }, ['b']],
  ['imatch', { column: 'body', op: 'imatch', value: '^h' }, ['a', 'b']],
  ['not.eq: a null column passes neither way', { column: 'body', op: 'eq', value: 'hello there', not: true }, ['a', 'c']],
  ['not.like', { column: 'body', op: 'ilike', value: 'hello%', not: true }, ['c']],
  ['isdistinct counts null as a value', { column: 'body', op: 'isdistinct', value: 'Hello world' }, ['b', 'c', 'd']],
];

for (const [name, filter, expected] of cases) {
  test(`filter ${name}`, () => {
    assert.deepEqual(rows.filter((row) => matches(row, [filter])).map((row) => row.id), expected);
  });
}

test('filters combine with and; the query keeps order, limit and count', () => {
  const result = runQuery(rows, { table: 'flock_messages', where: [{ column: 'n', op: 'lt', value: 10 }, { column: 'body', op: 'ilike', value: '%o%' }], order: [{ column: 'n', ascending: false }], limit: 2, count: true });
  assert.deepEqual(result.rows.map((row) => row.id), ['c', 'b']);
  assert.equal(result.count, 3);
});

test('postgres_changes bindings take Realtime\'s eq, neq, lt, lte, gt, gte and in, and nothing else', () => {
  const row = { room: 'lobby', n: 5 };
  const table: [string, boolean][] = [
    ['room=eq.lobby', true],
    ['room=neq.lobby', false],
    ['n=lt.10', true],
    ['n=lte.5', true],
    ['n=gt.5', false],
    ['n=gte.5', true],
    ['n=in.(1,5,7)', true],
    ['room=in.(hall,lobby)', true],
    ['room=like.lob%', false],
  ];
  for (const [filter, expected] of table) {
    assert.equal(bindingMatches({ event: '*', table: 'flock_messages', filter }, 'flock_messages', 'INSERT', row), expected, filter);
  }
  assert.equal(bindingMatches({ event: 'UPDATE', table: 'flock_messages' }, 'flock_messages', 'INSERT', row), false);
});
