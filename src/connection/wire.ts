/**
 * The v1 wire shapes peers exchange (shared/DESIGN.md §3), and their validators. Everything
 * that arrives from another client passes through one of these before any element sees it:
 * a payload that is not exactly a v1 shape within its bounds is refused (`undefined`), and
 * the caller drops and counts it. Validators never throw, whatever they are given.
 */

export const WIRE_V = 1;

/** Largest sizes a peer may send; anything longer is refused, not truncated. */
export const WIRE_LIMITS = {
  id: 128,
  name: 80,
  url: 2048,
  /** Keys a presence meta may carry, ours plus realtime-js's `presence_ref` and room to grow. */
  metaKeys: 12,
  /** Milliseconds a `since` may lie in the future (clock skew between peers). */
  futureSkewMs: 24 * 60 * 60 * 1000,
} as const;

export type PresenceStatus = 'active' | 'away';

/** One tab's presence: many tabs of one user track metas under the same key, `id`. */
export interface PresenceMeta {
  v: 1;
  id: string;
  name: string;
  color: string;
  avatar?: string;
  status: PresenceStatus;
  /** When this tab arrived or last changed status, epoch milliseconds. */
  since: number;
}

/** A pointer over the target, as fractions of its width and scroll height; or gone. */
export type CursorMessage = { v: 1; id: string; x: number; y: number } | { v: 1; id: string; gone: true };

export interface TypingMessage {
  v: 1;
  id: string;
  typing: boolean;
}

type Json = Record<string, unknown>;

function record(value: unknown, maxKeys: number): Json | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return undefined;
  return Object.keys(value).length <= maxKeys ? (value as Json) : undefined;
}

function text(value: unknown, max: number, min = 0): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

function fraction(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/**
 * Whether `value` may become an `src` or `href`: an absolute http(s) URL, or a same-origin
 * relative path. `javascript:`, `data:`, protocol-relative `//host` and the rest are refused.
 */
export function isSafeUrl(value: unknown, maxLength: number = WIRE_LIMITS.url): value is string {
  if (!text(value, maxLength, 1)) return false;
  if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export function parsePresenceMeta(value: unknown, now = Date.now()): PresenceMeta | undefined {
  const m = record(value, WIRE_LIMITS.metaKeys);
  if (!m || m.v !== WIRE_V) return undefined;
  if (!text(m.id, WIRE_LIMITS.id, 1) || !text(m.name, WIRE_LIMITS.name)) return undefined;
  if (typeof m.color !== 'string' || !HEX_COLOR.test(m.color)) return undefined;
  if (m.status !== 'active' && m.status !== 'away') return undefined;
  const since = m.since;
  if (typeof since !== 'number' || !Number.isFinite(since) || since < 0 || since > now + WIRE_LIMITS.futureSkewMs) return undefined;
  if (m.avatar !== undefined && !isSafeUrl(m.avatar)) return undefined;
  const meta: PresenceMeta = { v: WIRE_V, id: m.id, name: m.name, color: m.color, status: m.status, since };
  if (m.avatar !== undefined) meta.avatar = m.avatar as string;
  return meta;
}

export function parseCursor(value: unknown): CursorMessage | undefined {
  const m = record(value, 4);
  if (!m || m.v !== WIRE_V || !text(m.id, WIRE_LIMITS.id, 1)) return undefined;
  if (m.gone === true && Object.keys(m).length === 3) return { v: WIRE_V, id: m.id, gone: true };
  if (Object.keys(m).length === 4 && fraction(m.x) && fraction(m.y)) return { v: WIRE_V, id: m.id, x: m.x, y: m.y };
  return undefined;
}

export function parseTyping(value: unknown): TypingMessage | undefined {
  const m = record(value, 3);
  if (!m || m.v !== WIRE_V || !text(m.id, WIRE_LIMITS.id, 1) || typeof m.typing !== 'boolean') return undefined;
  return { v: WIRE_V, id: m.id, typing: m.typing };
}

/** The broadcast events the kit sends, and the validator for each. */
export const BROADCAST_PARSERS = {
  cursor: parseCursor,
  typing: parseTyping,
} as const;

export type BroadcastEvent = keyof typeof BROADCAST_PARSERS;
export type BroadcastPayload<E extends BroadcastEvent> = NonNullable<ReturnType<(typeof BROADCAST_PARSERS)[E]>>;
