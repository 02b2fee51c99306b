import { expect } from '@esm-bundle/chai';
import { render, type TemplateResult } from 'lit';
import '../../src/index.js';
import * as avatarStories from '../../stories/avatars.stories.js';
import * as bellStories from '../../stories/bell.stories.js';
import * as chatStories from '../../stories/chat.stories.js';
import * as cursorStories from '../../stories/cursors.stories.js';
import * as roomStories from '../../stories/room.stories.js';
import * as statusStories from '../../stories/status.stories.js';
import { expectNoAxeViolations } from '../support/axe.js';

/**
 * Every story renders with no server (MemoryRoom only), shows its element with content, and
 * passes axe — the same stories a designer browses in Storybook.
 */

type Story = { args?: Record<string, unknown>; render?: (args: never) => TemplateResult };
type StoryModule = Record<string, unknown> & { default: { render: (args: never) => TemplateResult; component: string } };

function storiesOf(module: StoryModule): [string, Story][] {
  return Object.entries(module).filter(([name]) => name !== 'default') as [string, Story][];
}

for (const module of [statusStories, avatarStories, cursorStories, bellStories, chatStories, roomStories] as unknown as StoryModule[]) {
  const meta = module.default;
  describe(`stories of <${meta.component}>`, () => {
    for (const [name, story] of storiesOf(module)) {
      it(`${name} renders and passes axe`, async () => {
        const container = document.createElement('div');
        document.body.append(container);
        try {
          const template = (story.render ?? meta.render)((story.args ?? {}) as never);
          render(template, container);
          const el = container.querySelector(meta.component) as (HTMLElement & { updateComplete: Promise<unknown> }) | null;
          expect(el, 'the element').to.not.equal(null);
          await el!.updateComplete;
          await new Promise((r) => setTimeout(r, 50)); // MemoryRoom delivers presence on the next tick
          await el!.updateComplete;
          expect(el!.shadowRoot!.childElementCount).to.be.greaterThan(0);
          await expectNoAxeViolations(container);
        } finally {
          container.remove();
        }
      });
    }
  });
}

const renderChat = (args: unknown) => (chatStories.default.render as unknown as (args: never) => TemplateResult)((args ?? {}) as never);

describe('stories of <flock-chat> show their state', () => {
  const cases: [keyof typeof chatStories, string, string][] = [
    ['OnePersonTyping', '[part="typing"]', 'Ada Lovelace is typing…'],
    ['TwoPeopleTyping', '[part="typing"]', 'Ada Lovelace and Bo Diddley are typing…'],
    ['FivePeopleTyping', '[part="typing"]', 'Several people are typing…'],
    ['Empty', '.state', 'No messages yet. Say hello!'],
    ['Loading', '.state', 'Loading messages…'],
  ];
  for (const [name, selector, text] of cases) {
    it(`${name}: ${text}`, async () => {
      const container = document.createElement('div');
      document.body.append(container);
      try {
        const story = chatStories[name] as Story;
        render(renderChat(story.args), container);
        const chat = container.querySelector('flock-chat')!;
        const deadline = Date.now() + 5000;
        while (chat.shadowRoot?.querySelector(selector)?.textContent !== text && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(chat.shadowRoot!.querySelector(selector)!.textContent).to.equal(text);
      } finally {
        container.remove();
      }
    });
  }

  it('PendingAndFailed and OfflineWithQueue show each message\'s state', async () => {
    for (const [name, states] of [
      ['PendingAndFailed', ['failed', 'pending']],
      ['OfflineWithQueue', ['pending', 'pending', 'pending']],
    ] as const) {
      const container = document.createElement('div');
      document.body.append(container);
      try {
        render(renderChat(chatStories[name].args), container);
        const chat = container.querySelector('flock-chat')!;
        const drawn = () => [...chat.shadowRoot!.querySelectorAll<HTMLElement>('[part~="message"]:not([data-state="sent"])')].map((m) => m.dataset.state);
        const deadline = Date.now() + 5000;
        while (drawn().length < states.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(drawn()).to.deep.equal([...states]);
      } finally {
        container.remove();
      }
    }
  });
});
