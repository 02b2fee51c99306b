import { expect } from '@esm-bundle/chai';
import fc from 'fast-check';
import { ListWindow } from '../../src/elements/chat/list-window.js';
import { displayText, mentionQuery, textRuns } from '../../src/elements/chat/message-text.js';
import { compareMessages, timeKey, timeline, type ChatMessage } from '../../src/elements/chat/timeline.js';

/** The chat's pure parts: text runs (links, mentions), server-time order, grouping, the list window. */

function message(id: string, userId: string, createdAt: string | undefined): ChatMessage {
  return { id, room: 'r', userId, authorName: userId, body: id, createdAt, editedAt: null, deletedAt: null, state: createdAt ? 'sent' : 'pending' };
}

describe('chat text', () => {
  it('links only http(s) URLs, leaves trailing punctuation out, and finds mentions as the trigger does', () => {
    expect(textRuns('see https://a.io/x?y=1, and javascript:alert(1) or data:text/html,hi')).to.deep.equal([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://a.io/x?y=1', href: 'https://a.io/x?y=1' },
      { kind: 'text', text: ', and javascript:alert(1) or data:text/html,hi' },
    ]);
    expect(textRuns('hi @Ada. mail a@b.com, @bo_1!').filter((r) => r.kind === 'mention')).to.deep.equal([
      { kind: 'mention', text: '@Ada', key: 'ada' },
      { kind: 'mention', text: '@bo_1', key: 'bo_1' },
    ]);
    expect(textRuns('https://x.io/@ada').map((r) => r.kind)).to.deep.equal(['link']);
  });

  it('never produces a link that is not http(s), and keeps every character of text that is not a control', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (body) => {
        const runs = textRuns(body);
        for (const run of runs) if (run.kind === 'link') expect(new URL(run.href).protocol).to.be.oneOf(['http:', 'https:']);
        expect(runs.map((r) => r.text).join('')).to.equal(displayText(body));
      }),
    );
  });

  it('strips bidi overrides and caps combining marks', () => {
    expect(displayText('a\u202Eb\u202Dc')).to.equal('abc');
    expect(displayText('e' + '\u0301'.repeat(30))).to.equal('e' + '\u0301'.repeat(4));
    expect(displayText('שלום \u2067x\u2069')).to.equal('שלום \u2067x\u2069');
  });

  it('finds the @query before the caret', () => {
    expect(mentionQuery('hi @bo', 6)).to.deep.equal({ start: 3, query: 'bo' });
    expect(mentionQuery('a@b', 3)).to.equal(undefined);
    expect(mentionQuery('@', 1)).to.deep.equal({ start: 0, query: '' });
  });
});

describe('chat order and grouping', () => {
  it('orders by server time to the microsecond, then id, in either timestamp form; pending last', () => {
    expect(timeKey('2026-11-23T10:00:00.000002+00:00') > timeKey('2026-11-23 10:00:00.000001+00')).to.equal(true);
    expect(timeKey('2026-11-23T11:00:00+01:00')).to.equal(timeKey('2026-11-23T10:00:00Z'));
    const list = [
      message('p', 'a', undefined),
      message('b', 'a', '2026-11-23T10:00:00.000001+00:00'),
      message('a', 'a', '2026-11-23 10:00:00.000001+00'),
      message('c', 'a', '2026-11-23T09:59:59.999999+00:00'),
    ].sort(compareMessages);
    expect(list.map((m) => m.id)).to.deep.equal(['c', 'a', 'b', 'p']);
  });

  it('adds day separators, groups an author\'s run, and places the unread divider', () => {
    const rows = timeline(
      [message('1', 'a', '2026-11-20T10:00:00Z'), message('2', 'a', '2026-11-20T10:01:00Z'), message('3', 'b', '2026-11-20T10:02:00Z'), message('4', 'b', '2026-11-22T10:00:00Z')],
      '3',
    );
    expect(rows.map((r) => (r.kind === 'message' ? `${r.key}${r.first ? '*' : ''}` : r.kind))).to.deep.equal(['day', '1*', '2', 'unread', '3*', 'day', '4*']);
  });

  it('moves the window by steps, keeps it on its first message as history grows, and follows the newest', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    const index = (list: string[]) => (id: string) => list.indexOf(id);
    const w = new ListWindow(60, 240);
    expect(w.range(ids, index(ids))).to.deep.equal([880, 1000]);
    expect(w.up(ids, index(ids))).to.equal(true);
    expect(w.range(ids, index(ids))).to.deep.equal([820, 1000]);
    for (let i = 0; i < 5; i++) w.up(ids, index(ids));
    expect(w.range(ids, index(ids))).to.deep.equal([520, 760]);
    const grown = [...Array.from({ length: 100 }, (_, i) => `old${i}`), ...ids];
    expect(w.range(grown, index(grown))).to.deep.equal([620, 860]);
    expect(w.down(grown, index(grown))).to.equal(true);
    expect(w.range(grown, index(grown))).to.deep.equal([680, 920]);
    w.latest();
    expect(w.range(grown, index(grown))).to.deep.equal([980, 1100]);
  });
});
