import type { PresenceState } from '../../connection/types.js';
import type { PresenceMeta, PresenceStatus } from '../../connection/wire.js';

/** One person in the room, however many tabs they have open. */
export interface Person {
  id: string;
  name: string;
  color: string;
  /** A checked image URL, or undefined (initials are shown). */
  avatar?: string;
  /** Away only when every tab is away (hidden or idle). */
  status: PresenceStatus;
  /** When they arrived (their earliest tab), epoch ms. */
  since: number;
  tabs: number;
  self: boolean;
}

/**
 * Merges each user's tabs into one person: name, colour and avatar from the tab that changed
 * last, active if any tab is, here since the first tab arrived. Pure, so it is tested with
 * tables of cases.
 */
export function peopleFrom(presence: PresenceState, selfId: string | undefined): Person[] {
  const people: Person[] = [];
  for (const [id, metas] of presence) {
    if (metas.length === 0) continue;
    const latest = metas.reduce((a, b) => (b.since > a.since ? b : a));
    people.push({
      id,
      name: latest.name,
      color: latest.color,
      ...(latest.avatar ? { avatar: latest.avatar } : {}),
      status: metas.some((m: PresenceMeta) => m.status === 'active') ? 'active' : 'away',
      since: Math.min(...metas.map((m) => m.since)),
      tabs: metas.length,
      self: id === selfId,
    });
  }
  return people;
}

/** The current user first (or last), then everyone else by arrival, then name. */
export function orderPeople(people: readonly Person[], selfLast: boolean): Person[] {
  const others = people.filter((p) => !p.self).sort((a, b) => a.since - b.since || a.name.localeCompare(b.name));
  const self = people.filter((p) => p.self);
  return selfLast ? [...others, ...self] : [...self, ...others];
}

/** Up to two letters for a name: first letters of the first two words, else its first two. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length >= 2 ? [words[0], words[1]].map((w) => [...w!][0]) : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toLocaleUpperCase() || '?';
}

/**
 * Where an avatar image may come from: https, or this page's own origin. Anything else from a
 * peer (http, data:, javascript:, another scheme) is not loaded; the initials show instead.
 */
export function isAvatarUrl(value: string | undefined, origin = location.origin): value is string {
  if (!value) return false;
  try {
    const url = new URL(value, origin);
    return url.protocol === 'https:' || url.origin === origin;
  } catch {
    return false;
  }
}

/** Black or white text, whichever reads better on `hex` (WCAG relative luminance). */
export function textOn(hex: string): '#000' | '#fff' {
  const m = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex);
  if (!m) return '#fff';
  const full = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white is 1.05/(L+0.05); with black (L+0.05)/0.05: pick the larger.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? '#fff' : '#000';
}
