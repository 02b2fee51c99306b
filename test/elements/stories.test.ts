import { expect } from '@esm-bundle/chai';
import { render, type TemplateResult } from 'lit';
import '../../src/index.js';
import * as avatarStories from '../../stories/avatars.stories.js';
import * as bellStories from '../../stories/bell.stories.js';
import * as cursorStories from '../../stories/cursors.stories.js';
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

for (const module of [statusStories, avatarStories, cursorStories, bellStories] as unknown as StoryModule[]) {
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
