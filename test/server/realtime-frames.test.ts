import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChangeFilter, FilterSyntaxError } from '../../server/realtime/changes/filter-syntax.ts';
import { decodeBinary, decodeText, encodeBroadcastBinary, encodeText, FrameError } from '../../server/realtime/frames.ts';
import { TopicPresence } from '../../server/realtime/presence.ts';

/** The pure pieces of the Realtime server, by tables of cases: frames, filters, presence diffs. */

describe('realtime frames', () => {
  it('reads vsn 2.0.0 arrays and vsn 1.0.0 objects into the same frame', () => {
    const v2 = decodeText('["1","2","realtime:a","phx_join",{"x":1}]', '2.0.0');
    const v1 = decodeText('{"join_ref":"1","ref":"2","topic":"realtime:a","event":"phx_join","payload":{"x":1}}', '1.0.0');
    assert.deepEqual(v2, v1);
    assert.deepEqual(v2, { kind: 'message', joinRef: '1', ref: '2', topic: 'realtime:a', event: 'phx_join', payload: { x: 1 } });
  });

  for (const [text, vsn] of [
    ['not json', '2.0.0'],
    ['{"topic":"t","event":"e"}', '2.0.0'],
    ['[null,null,"t","e"]', '2.0.0'],
    ['[null,null,5,"e",{}]', '2.0.0'],
    ['["x",null,"t","e",{}]', '1.0.0'],
    ['{"topic":"t","event":7}', '1.0.0'],
  ] as const) {
    it(`refuses ${text} as vsn ${vsn}`, () => {
      assert.throws(() => decodeText(text, vsn), FrameError);
    });
  }

  it('writes replies in the socket’s own format', () => {
    const message = { joinRef: '1', ref: '2', topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } };
    assert.equal(encodeText(message, '2.0.0'), '["1","2","phoenix","phx_reply",{"status":"ok","response":{}}]');
    assert.deepEqual(JSON.parse(encodeText(message, '1.0.0')), { join_ref: '1', ref: '2', topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } });
  });

  /** A kind-3 push built byte by byte as realtime-js's serializer lays it out. */
  function push(fields: { joinRef: string; ref: string; topic: string; event: string; meta: string; encoding: number; payload: Uint8Array }): Uint8Array {
    const enc = new TextEncoder();
    const parts = [fields.joinRef, fields.ref, fields.topic, fields.event, fields.meta].map((s) => enc.encode(s));
    const header = [3, ...parts.map((p) => p.length), fields.encoding];
    return Uint8Array.from([...header, ...parts.flatMap((p) => [...p]), ...fields.payload]);
  }

  it('decodes a binary broadcast push with a JSON payload and UTF-8 fields', () => {
    const frame = decodeBinary(push({ joinRef: '4', ref: '9', topic: 'realtime:café', event: 'ping ✓', meta: '', encoding: 1, payload: new TextEncoder().encode('{"a":[1,2]}') }));
    assert.deepEqual(frame, { kind: 'broadcast', joinRef: '4', ref: '9', topic: 'realtime:café', event: 'ping ✓', body: { kind: 'json', value: { a: [1, 2] } }, meta: {} });
  });

  it('keeps a binary payload as bytes', () => {
    const frame = decodeBinary(push({ joinRef: '', ref: '', topic: 't', event: 'e', meta: '{"persist":true}', encoding: 0, payload: Uint8Array.from([0, 255, 7]) }));
    assert.equal(frame.kind, 'broadcast');
    if (frame.kind !== 'broadcast') return;
    assert.equal(frame.joinRef, null);
    assert.deepEqual(frame.meta, { persist: true });
    assert.deepEqual(frame.body, { kind: 'binary', bytes: Uint8Array.from([0, 255, 7]) });
  });

  for (const [name, bytes] of [
    ['an empty frame', new Uint8Array(0)],
    ['an unknown kind', Uint8Array.from([9, 0, 0, 0, 0, 0, 1])],
    ['a length past the end', Uint8Array.from([3, 0, 0, 40, 0, 0, 1, 65])],
    ['an unknown encoding', Uint8Array.from([3, 0, 0, 0, 0, 0, 7])],
    ['a JSON payload that is not JSON', Uint8Array.from([3, 0, 0, 0, 0, 0, 1, 123])],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.throws(() => decodeBinary(bytes), FrameError);
    });
  }

  it('encodes a kind-4 broadcast as realtime-js decodes it', () => {
    const frame = encodeBroadcastBinary('realtime:r', 'move', { kind: 'json', value: { x: 0.5 } }, { id: 'm1' })!;
    const dec = new TextDecoder();
    assert.deepEqual([...frame.subarray(0, 5)], [4, 10, 4, 11, 1]);
    assert.equal(dec.decode(frame.subarray(5, 15)), 'realtime:r');
    assert.equal(dec.decode(frame.subarray(15, 19)), 'move');
    assert.deepEqual(JSON.parse(dec.decode(frame.subarray(19, 30))), { id: 'm1' });
    assert.deepEqual(JSON.parse(dec.decode(frame.subarray(30))), { x: 0.5 });
  });

  it('falls back (undefined) when a header field outgrows its one-byte length', () => {
    assert.equal(encodeBroadcastBinary('t', 'e'.repeat(256), { kind: 'json', value: 1 }), undefined);
  });
});

describe('postgres_changes filters', () => {
  const cases: [string, unknown][] = [
    ['room=eq.lobby', [{ name: 'room', negated: false, operation: { kind: 'value', op: 'eq', value: 'lobby' } }]],
    ['n=gte.5', [{ name: 'n', negated: false, operation: { kind: 'value', op: 'gte', value: '5' } }]],
    ['id=in.(1,"a,b",3)', [{ name: 'id', negated: false, operation: { kind: 'in', values: ['1', 'a,b', '3'] } }]],
    ['deleted_at=is.null', [{ name: 'deleted_at', negated: false, operation: { kind: 'is', value: 'null' } }]],
    ['room=not.eq.x', [{ name: 'room', negated: true, operation: { kind: 'value', op: 'eq', value: 'x' } }]],
    [
      'room=eq.a,body=in.(x,y),n=lt.3',
      [
        { name: 'room', negated: false, operation: { kind: 'value', op: 'eq', value: 'a' } },
        { name: 'body', negated: false, operation: { kind: 'in', values: ['x', 'y'] } },
        { name: 'n', negated: false, operation: { kind: 'value', op: 'lt', value: '3' } },
      ],
    ],
    ['body=eq.a,b', [{ name: 'body', negated: false, operation: { kind: 'value', op: 'eq', value: 'a,b' } }]],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${input}`, () => {
      const parsed = parseChangeFilter(input).map((f) => ({ name: f.field.name, negated: f.negated, operation: f.operation }));
      assert.deepEqual(parsed, expected);
    });
  }

  for (const input of ['', 'room', '=eq.a', 'room=eq', 'room=fts.cat', 'room=eq(any).{a}', 'a b=eq.1', 'id=in.1']) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseChangeFilter(input), FilterSyntaxError);
    });
  }
});

describe('presence diffs', () => {
  it('joins a first track, then replaces it with phx_ref_prev and a leave of the old meta', () => {
    const presence = new TopicPresence<string>();
    const first = presence.track('tab1', 'ada', { status: 'active' })!;
    const ref = first.joins.ada!.metas[0]!.phx_ref;
    assert.deepEqual(first, { joins: { ada: { metas: [{ status: 'active', phx_ref: ref }] } }, leaves: {} });
    const second = presence.track('tab1', 'ada', { status: 'away' })!;
    const newRef = second.joins.ada!.metas[0]!.phx_ref;
    assert.notEqual(newRef, ref);
    assert.deepEqual(second, {
      joins: { ada: { metas: [{ status: 'away', phx_ref: newRef, phx_ref_prev: ref }] } },
      leaves: { ada: { metas: [{ status: 'active', phx_ref: ref }] } },
    });
  });

  it('changes nothing when the same payload is tracked again', () => {
    const presence = new TopicPresence<string>();
    presence.track('tab1', 'ada', { status: 'active' });
    assert.equal(presence.track('tab1', 'ada', { status: 'active' }), undefined);
  });

  it('keeps one key with a meta per tab, and leaves only the tab that goes', () => {
    const presence = new TopicPresence<string>();
    presence.track('tab1', 'ada', { tab: 1 });
    presence.track('tab2', 'ada', { tab: 2 });
    assert.deepEqual(Object.keys(presence.state()), ['ada']);
    assert.equal(presence.state().ada!.metas.length, 2);
    const leave = presence.untrack('tab1')!;
    assert.deepEqual(leave.leaves.ada!.metas.map((m) => m.tab), [1]);
    assert.deepEqual(presence.state().ada!.metas.map((m) => m.tab), [2]);
    assert.equal(presence.untrack('tab1'), undefined);
  });
});
