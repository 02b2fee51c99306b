import { expect } from '@esm-bundle/chai';
import fc from 'fast-check';
import { isSafeUrl, parseCursor, parsePresenceMeta, parseTyping, WIRE_LIMITS } from '../../src/connection/wire.js';

/** The v1 wire validators: what a peer may send, what is refused, and that nothing throws. */

const NOW = Date.UTC(2026, 10, 23);
const meta = { v: 1, id: 'u1', name: 'Ada', color: '#3366ff', status: 'active', since: NOW - 1000 };

describe('presence meta validation', () => {
  it('accepts a v1 meta and keeps only its known keys', () => {
    expect(parsePresenceMeta({ ...meta, presence_ref: 'abc', avatar: 'https://example.com/a.png' }, NOW)).to.deep.equal({
      ...meta,
      avatar: 'https://example.com/a.png',
    });
  });

  const refused: [string, unknown][] = [
    ['null', null],
    ['an array', [meta]],
    ['a string', JSON.stringify(meta)],
    ['another version', { ...meta, v: 2 }],
    ['a missing id', { ...meta, id: undefined }],
    ['an empty id', { ...meta, id: '' }],
    ['a numeric id', { ...meta, id: 7 }],
    ['a huge name', { ...meta, name: 'x'.repeat(WIRE_LIMITS.name + 1) }],
    ['a huge id', { ...meta, id: 'x'.repeat(WIRE_LIMITS.id + 1) }],
    ['a colour that is CSS, not hex', { ...meta, color: 'red; background: url(x)' }],
    ['an unknown status', { ...meta, status: 'busy' }],
    ['NaN since', { ...meta, since: Number.NaN }],
    ['infinite since', { ...meta, since: Number.POSITIVE_INFINITY }],
    ['since far in the future', { ...meta, since: NOW + 2 * WIRE_LIMITS.futureSkewMs }],
    ['a javascript: avatar', { ...meta, avatar: 'javascript:alert(1)' }],
    ['a data: avatar', { ...meta, avatar: 'data:image/svg+xml,<svg onload=alert(1)>' }],
    ['nested objects', { ...meta, name: { first: 'Ada' } }],
    ['too many keys', { ...meta, ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])) }],
  ];
  for (const [what, value] of refused) {
    it(`refuses ${what}`, () => {
      expect(parsePresenceMeta(value, NOW)).to.equal(undefined);
    });
  }
});

describe('cursor and typing validation', () => {
  it('accepts positions inside the target and the gone marker', () => {
    expect(parseCursor({ v: 1, id: 'u1', x: 0, y: 1 })).to.deep.equal({ v: 1, id: 'u1', x: 0, y: 1 });
    expect(parseCursor({ v: 1, id: 'u1', x: 0.25, y: 0.5 })).to.deep.equal({ v: 1, id: 'u1', x: 0.25, y: 0.5 });
    expect(parseCursor({ v: 1, id: 'u1', gone: true })).to.deep.equal({ v: 1, id: 'u1', gone: true });
  });

  for (const value of [
    { v: 1, id: 'u1', x: 1.5, y: 0 },
    { v: 1, id: 'u1', x: -0.1, y: 0 },
    { v: 1, id: 'u1', x: Number.NaN, y: 0 },
    { v: 1, id: 'u1', x: '0.5', y: 0 },
    { v: 1, id: 'u1', x: 0.5 },
    { v: 1, id: 'u1', x: 0.5, y: 0.5, label: '<img src=x onerror=alert(1)>' },
    { v: 1, id: 'u1', gone: 'yes' },
    { v: 1, id: 'u1', gone: true, x: 0.5 },
    { v: 1, x: 0.5, y: 0.5 },
  ]) {
    it(`refuses the cursor ${JSON.stringify(value)}`, () => {
      expect(parseCursor(value)).to.equal(undefined);
    });
  }

  it('accepts typing with a boolean and refuses anything else', () => {
    expect(parseTyping({ v: 1, id: 'u1', typing: true })).to.deep.equal({ v: 1, id: 'u1', typing: true });
    expect(parseTyping({ v: 1, id: 'u1', typing: 'true' })).to.equal(undefined);
    expect(parseTyping({ v: 1, id: 'u1', typing: false, extra: 1 })).to.equal(undefined);
  });
});

describe('URLs from peers', () => {
  it('allows http(s) and same-origin paths only', () => {
    expect(isSafeUrl('https://cdn.example/a.png')).to.equal(true);
    expect(isSafeUrl('http://localhost:5173/x')).to.equal(true);
    expect(isSafeUrl('/rooms/design')).to.equal(true);
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', '//evil.example/x', '/\\evil.example', 'vbscript:x', '', 'not a url', 42]) {
      expect(isSafeUrl(bad), String(bad)).to.equal(false);
    }
  });
});

describe('validators against arbitrary JSON (fast-check)', () => {
  const anyJson = fc.oneof(fc.jsonValue(), fc.anything());

  it('never throw, and only ever return a value that is itself valid', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        const m = parsePresenceMeta(value, NOW);
        if (m) expect(parsePresenceMeta(m, NOW)).to.deep.equal(m);
        const c = parseCursor(value);
        if (c) expect(parseCursor(c)).to.deep.equal(c);
        const t = parseTyping(value);
        if (t) expect(parseTyping(t)).to.deep.equal(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every well-formed meta and refuses it once any field is replaced by junk', () => {
    const wellFormed = fc.record({
      v: fc.constant(1 as const),
      id: fc.string({ minLength: 1, maxLength: WIRE_LIMITS.id }),
      name: fc.string({ maxLength: WIRE_LIMITS.name }),
      color: fc.constantFrom('#fff', '#123456', '#12345678'),
      status: fc.constantFrom('active' as const, 'away' as const),
      since: fc.integer({ min: 0, max: NOW }),
    });
    // Values no field accepts: wrong types, non-finite or negative numbers, over-long strings.
    const junk = fc.oneof(fc.constant(null), fc.constantFrom(Number.NaN, -1, Number.POSITIVE_INFINITY), fc.object(), fc.string({ minLength: 200 }));
    fc.assert(
      fc.property(wellFormed, fc.constantFrom('v', 'id', 'color', 'status', 'since'), junk, (m, key, value) => {
        expect(parsePresenceMeta(m, NOW)).to.deep.equal(m);
        const broken = { ...m, [key]: value };
        if (JSON.stringify(broken[key as keyof typeof broken]) !== JSON.stringify(m[key as keyof typeof m])) {
          expect(parsePresenceMeta(broken, NOW)).to.equal(undefined);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
