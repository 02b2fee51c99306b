import { html, type TemplateResult } from 'lit';
import type { Room } from '../src/connection/types.js';

/** A story's element inside a `<flock-room>` that provides `room` instead of connecting. */
export function inRoom(room: Room, content: TemplateResult, options: { dir?: 'ltr' | 'rtl'; style?: string } = {}): TemplateResult {
  return html`<div dir=${options.dir ?? 'ltr'} style=${options.style ?? ''}><flock-room .api=${room}>${content}</flock-room></div>`;
}

/** A dark page, through the same custom properties a site would set. */
export const DARK =
  'background:#111827;color:#f3f4f6;padding:1rem;--flock-color-surface:#1f2937;--flock-color-text:#f3f4f6;--flock-color-border:#4b5563;--flock-color-muted:#9ca3af;--flock-color-focus:#93c5fd;--flock-color-selected:#374151';

/** A site's own theme: colours, radius and font through `--flock-*`, one piece through `::part`. */
export const CUSTOM_THEME =
  '--flock-font:Georgia,serif;--flock-radius:4px;--flock-color-surface:#fff7ed;--flock-color-border:#c2410c;--flock-color-text:#431407;--flock-color-focus:#c2410c;--flock-avatar-size:44px';

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
