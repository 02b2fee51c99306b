import type { StorybookConfig } from '@storybook/web-components-vite';

/** Every element in every state on MemoryRooms: no server, no account. `npm run storybook`. */
const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true },
};

export default config;
