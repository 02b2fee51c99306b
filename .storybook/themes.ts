import { html } from 'lit';
import { ref } from 'lit/directives/ref.js';
import { action } from 'storybook/actions';
import type { Decorator } from '@storybook/web-components-vite';
import { CUSTOM_THEME, DARK, LIGHT } from '../stories/support.js';
import { EVENTS } from './manifest.js';

/**
 * The toolbar's Theme and Direction: a page's light or dark theme or a brand of its own, all
 * through `--flock-*` custom properties on the story's root, and `dir="rtl"` on the same root.
 * The URL form (`&globals=theme:dark;dir:rtl`) is what test/e2e/storybook.test.ts uses.
 */
export const THEMES = {
  light: { title: 'Light', page: '#ffffff', style: LIGHT },
  dark: { title: 'Dark', page: '#111827', style: DARK },
  brand: { title: 'Custom brand', page: '#ffffff', style: CUSTOM_THEME },
} as const;
type ThemeName = keyof typeof THEMES;

export const globalTypes = {
  theme: {
    description: 'The page theme, through --flock-* custom properties',
    toolbar: { title: 'Theme', icon: 'paintbrush', items: Object.entries(THEMES).map(([value, theme]) => ({ value, title: theme.title })), dynamicTitle: true },
  },
  dir: {
    description: 'Text direction of the story root',
    toolbar: {
      title: 'Direction',
      icon: 'transfer',
      items: [
        { value: 'ltr', title: 'Left to right' },
        { value: 'rtl', title: 'Right to left' },
      ],
      dynamicTitle: true,
    },
  },
};

export const initialGlobals = { theme: 'light', dir: 'ltr' };

const listening = new WeakSet<Element>();

/** Logs every `flock-*` event (they bubble and are composed) in the Actions panel. */
function logEvents(root: Element | undefined): void {
  if (!root || listening.has(root)) return;
  listening.add(root);
  for (const name of EVENTS) root.addEventListener(name, (event) => action(name)((event as CustomEvent).detail));
}

export const withTheme: Decorator = (story, context) => {
  const name: ThemeName = context.globals.theme in THEMES ? (context.globals.theme as ThemeName) : 'light';
  const theme = THEMES[name];
  const dir = context.globals.dir === 'rtl' ? 'rtl' : 'ltr';
  // The page around a single story takes the theme too; a docs page holds many stories and keeps its own.
  if (context.viewMode === 'story') document.body.style.background = theme.page;
  return html`<div class="flock-story" data-theme=${name} dir=${dir} style=${`${theme.style};padding:1rem`} ${ref(logEvents)}>${story()}</div>`;
};
