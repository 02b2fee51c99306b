import type { ArgTypesEnhancer, InputType, StrictArgTypes } from 'storybook/internal/types';
import type { WebComponentsRenderer } from '@storybook/web-components-vite';
import manifest from '../custom-elements.json';

/**
 * What the Storybook docs and controls take from custom-elements.json (`npm run analyze`): the
 * docs page's tables come from it through `setCustomElementsManifest`, and this turns each of
 * an element's attributes into a control the story applies (stories/support.ts `attributes`).
 */

interface Attribute {
  name: string;
  description?: string;
  type?: { text: string };
}
interface Declaration {
  tagName?: string;
  attributes?: Attribute[];
  events?: { name: string }[];
}

const declarations = (manifest.modules as { declarations?: Declaration[] }[]).flatMap((module) => module.declarations ?? []);

export { manifest };

/** Every event any element documents: the Actions panel logs them. */
export const EVENTS = [...new Set(declarations.flatMap((declaration) => (declaration.events ?? []).map((event) => event.name)))].sort();

/** A control for an attribute of this type: a union of string literals becomes a choice. */
function controlFor(type: string | undefined): Partial<InputType> {
  const text = type?.trim() ?? 'string';
  // Controls in their full form: what an enhancer returns is not normalised like a story's argTypes.
  if (text === 'boolean') return { control: { type: 'boolean' }, type: { name: 'boolean' } };
  if (text === 'number') return { control: { type: 'number' }, type: { name: 'number' } };
  const literals = text.split('|').map((part) => /^\s*'([^']*)'\s*$/.exec(part)?.[1]);
  if (literals.every((literal) => literal !== undefined)) return { control: { type: 'inline-radio' }, options: literals, type: { name: 'enum', value: literals as string[] } };
  return { control: { type: 'text' }, type: { name: 'string' } };
}

/**
 * Controls for every attribute of the story's component; the rest of what the manifest lists
 * (properties, events, parts, CSS properties) stays in the docs table without a control, since
 * a story sets attributes as page markup would.
 */
export const attributeControls: ArgTypesEnhancer<WebComponentsRenderer> = (context) => {
  const tag = typeof context.component === 'string' ? context.component : undefined;
  const element = declarations.find((declaration) => declaration.tagName === tag);
  if (!element) return context.argTypes;
  const argTypes: StrictArgTypes = {};
  for (const [key, argType] of Object.entries(context.argTypes)) {
    const category = argType.table?.category;
    argTypes[key] = category && category !== 'attributes' ? { ...argType, control: false } : argType;
  }
  for (const attribute of element.attributes ?? []) {
    const existing = argTypes[attribute.name];
    argTypes[attribute.name] = {
      ...existing,
      name: attribute.name,
      ...(attribute.description ? { description: attribute.description } : {}),
      ...controlFor(attribute.type?.text),
      table: { ...existing?.table, category: 'attributes' },
    } as StrictArgTypes[string];
  }
  return argTypes;
};
