import type { Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import '../src/index.js';
import { attributeControls, manifest } from './manifest.js';
import { globalTypes, initialGlobals, withTheme } from './themes.js';

// The docs pages' descriptions and tables (attributes, properties, events, slots, parts, CSS properties).
setCustomElementsManifest(manifest);

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    layout: 'padded',
    controls: { expanded: true, sort: 'requiredFirst' },
  },
  globalTypes,
  initialGlobals,
  decorators: [withTheme],
  argTypesEnhancers: [attributeControls],
};

export default preview;
