import { html, nothing, type ReactiveElement, type TemplateResult } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Room } from '../src/connection/types.js';
import type { MemoryNetwork } from '../src/memory.js';

/**
 * A story's element inside a `<flock-room>` that provides `room` instead of connecting. With no
 * `dir`, the direction comes from the page (Storybook's Direction toolbar).
 */
export function inRoom(room: Room, content: TemplateResult, options: { dir?: 'ltr' | 'rtl'; style?: string } = {}): TemplateResult {
  return html`<div dir=${ifDefined(options.dir)} style=${options.style ?? ''}><flock-room .api=${room}>${content}</flock-room></div>`;
}

/** A value a control can give an attribute: absent (undefined, null, false), present (true) or a text. */
export type AttributeValue = string | number | boolean | null | undefined;

/**
 * Sets the element's attributes from a story's args: every arg named like one of the element's
 * attributes (`max`, `self-last`, `reduced-motion`…), found from the element's own reactive
 * properties, so each Storybook control changes the element the way a page's markup would.
 * Other args (the story's scenario: `people`, `count`…) are left alone.
 */
class AttributesDirective extends Directive {
  private readonly set = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('attributes() goes on an element: <flock-x ${attributes(args)}>');
  }

  render(_args: object) {
    return nothing;
  }

  override update(part: ElementPart, [args]: [object]) {
    const element = part.element;
    const values = args as Record<string, AttributeValue>;
    for (const name of attributeNames(element)) {
      const value = values[name];
      if (value === undefined || value === null || value === false) {
        if (this.set.delete(name)) element.removeAttribute(name);
      } else {
        element.setAttribute(name, value === true ? '' : String(value));
        this.set.add(name);
      }
    }
    return nothing;
  }
}

export const attributes = directive(AttributesDirective);

/** The attributes a Lit element observes, from its class (`static properties` or decorators alike). */
export function attributeNames(element: Element): string[] {
  const properties = (customElements.get(element.localName) as typeof ReactiveElement | undefined)?.elementProperties;
  return [...(properties ?? [])].flatMap(([name, options]) => {
    if (options.state || options.attribute === false) return [];
    return [typeof options.attribute === 'string' ? options.attribute : String(name).toLowerCase()];
  });
}

/** The page's own light theme: the default tokens, written out so a dark system setting doesn't change it. */
export const LIGHT =
  'background:#ffffff;color:#111827;--flock-color-surface:#ffffff;--flock-color-text:#111827;--flock-color-border:#d1d5db;--flock-color-muted:#4b5563;--flock-color-focus:#2563eb;--flock-color-selected:#e5e7eb;--flock-color-success:#15803d;--flock-color-warning:#b45309;--flock-color-danger:#b91c1c';

/** A dark page, through the same custom properties a site would set. */
export const DARK =
  'background:#111827;color:#f3f4f6;padding:1rem;--flock-color-surface:#1f2937;--flock-color-text:#f3f4f6;--flock-color-border:#4b5563;--flock-color-muted:#9ca3af;--flock-color-focus:#93c5fd;--flock-color-selected:#374151;--flock-color-success:#4ade80;--flock-color-warning:#fbbf24;--flock-color-danger:#f87171';

/** A site's own brand: colours, radii, font and sizes through `--flock-*` custom properties alone. */
export const CUSTOM_THEME =
  '--flock-font:Georgia,serif;--flock-radius:4px;--flock-color-surface:#fff7ed;--flock-color-border:#c2410c;--flock-color-text:#431407;--flock-color-focus:#c2410c;--flock-color-muted:#7c2d12;--flock-color-selected:#ffedd5;--flock-color-success:#15803d;--flock-color-warning:#b45309;--flock-color-danger:#b91c1c;--flock-color-accent:#c2410c;--flock-chat-mine:#ffedd5;--flock-radius-panel:4px;--flock-avatar-size:44px';

const NAMES = ['Ada Lovelace', 'Bo Diddley', 'Cy Twombly', 'Di Fosse', 'Ed Ruscha', 'Fa Yuen', 'Gu Kaifeng', 'Hé Lin', 'Ines Brandt', 'Jo Baer'];

/** `count` made-up people, some away. */
export function peers(count: number, away = 0): { id: string; name: string; status: 'active' | 'away'; since: number }[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `peer-${i}`,
    name: `${NAMES[i % NAMES.length]}${i >= NAMES.length ? ` ${Math.floor(i / NAMES.length) + 1}` : ''}`,
    status: i < away ? ('away' as const) : ('active' as const),
    since: Date.now() - (count - i) * 60_000,
  }));
}

/** Peers who move in slow loops over the canvas, 20 positions a second each, until the story goes. */
export function moving(network: MemoryNetwork, room: string, ids: string[], canvas: () => Element | null): void {
  const started = performance.now();
  const timer = window.setInterval(() => {
    if (!canvas()?.isConnected && performance.now() - started > 1000) return window.clearInterval(timer);
    const t = (performance.now() - started) / 1000;
    ids.forEach((id, i) => {
      const phase = (i / ids.length) * Math.PI * 2;
      const x = 0.5 + 0.4 * Math.sin(t * 0.7 + phase) * Math.cos(t * 0.3 + i);
      const y = 0.5 + 0.4 * Math.cos(t * 0.5 + phase);
      network.inject(room, 'cursor', { v: 1, id, x, y });
    });
  }, 50);
}
