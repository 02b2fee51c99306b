import type { StorybookConfig } from '@storybook/web-components-vite';

/**
 * Every element in every state on MemoryRooms: no server, no account. `npm run storybook`;
 * `npm run build-storybook` writes storybook-static/ (test/e2e/storybook.test.ts visits it all).
 * The docs pages come from custom-elements.json (`npm run analyze`), set in preview.ts.
 */
const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true },
};

export default config;
