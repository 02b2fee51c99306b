/**
 * The Phoenix wire format as realtime-js speaks it (see PROTOCOL.md, "Frames").
 *
 * - vsn 1.0.0: text frames holding `{join_ref, ref, topic, event, payload}`.
 * - vsn 2.0.0: text frames holding `[join_ref, ref, topic, event, payload]`, plus binary
 *   frames for user broadcasts: kind 3 (client → server push) and kind 4 (server → client).
 */

export type Vsn = '1.0.0' | '2.0.0';
export const VSNS: readonly Vsn[] = ['1.0.0', '2.0.0'];

/** A user broadcast's payload: parsed JSON, or raw bytes from a binary-encoded push. */
export type BroadcastBody = { kind: 'json'; value: unknown } | { kind: 'binary'; bytes: Uint8Array };

/** One decoded client frame. `payload` is unvalidated: handlers parse it at their edge. */
export type InboundFrame =
  | { kind: 'message'; joinRef: string | null; ref: string | null; topic: string; event: string; payload: unknown }
  /** A binary user broadcast (kind 3): its event and body travel outside the JSON payload. */
  | { kind: 'broadcast'; joinRef: string | null; ref: string | null; topic: string; event: string; body: BroadcastBody; meta: unknown };

/** One server frame before encoding. */
export interface OutboundMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** Why a frame could not be read; the socket answers with it or closes. */
export class FrameError extends Error {
  override name = 'FrameError';
}

import { MAX_JSON_DEPTH, withinJsonDepth } from './json-depth.ts';

const PUSH_KIND = 3;
const BROADCAST_KIND = 4;
const BINARY_ENCODING = 0;
const JSON_ENCODING = 1;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function refOrNull(value: unknown, name: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new FrameError(`${name} must be a string or null`);
}

/** Refuses JSON nested past MAX_JSON_DEPTH (see json-depth.ts): the server could not relay it. */
function shallow<T>(value: T, name: string): T {
  if (!withinJsonDepth(value)) throw new FrameError(`${name} nests deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new FrameError(`${name} must be a string`);
  return value;
}

/** Decodes a text frame in the socket's serializer version. */
export function decodeText(data: string, vsn: Vsn): InboundFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new FrameError('malformed JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5) throw new FrameError('expected [join_ref, ref, topic, event, payload]');
    const [joinRef, ref, topic, event, payload] = parsed as unknown[];
    return {
      kind: 'message',
      joinRef: refOrNull(joinRef, 'join_ref'),
      ref: refOrNull(ref, 'ref'),
      topic: text(topic, 'topic'),
      event: text(event, 'event'),
      payload: shallow(payload, 'payload'),
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FrameError('expected {topic, event, payload, ref, join_ref}');
  }
  const o = parsed as Record<string, unknown>;
  return {
    kind: 'message',
    joinRef: refOrNull(o.join_ref, 'join_ref'),
    ref: refOrNull(o.ref, 'ref'),
    topic: text(o.topic, 'topic'),
    event: text(o.event, 'event'),
    payload: shallow(o.payload, 'payload'),
  };
}

/**
 * Decodes a binary frame: only kind 3, the v2 client's user broadcast push
 * (realtime-js `lib/serializer.ts` `_encodeUserBroadcastPush`).
 */
export function decodeBinary(data: Uint8Array): InboundFrame {
  const headerLength = 7;
  if (data.length < headerLength) throw new FrameError('binary frame too short');
  const kind = data[0];
  if (kind !== PUSH_KIND) throw new FrameError(`unknown binary frame kind ${String(kind)}`);
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = data.subarray(1, headerLength);
  if (encoding !== BINARY_ENCODING && encoding !== JSON_ENCODING) throw new FrameError(`unknown payload encoding ${String(encoding)}`);
  let offset = headerLength;
  const field = (length: number | undefined, name: string): string => {
    const end = offset + (length ?? 0);
    if (end > data.length) throw new FrameError(`binary frame truncated in ${name}`);
    try {
      return utf8.decode(data.subarray(offset, end));
    } catch {
      throw new FrameError(`${name} is not UTF-8`);
    } finally {
      offset = end;
    }
  };
  const joinRef = field(joinRefLen, 'join_ref');
  const ref = field(refLen, 'ref');
  const topic = field(topicLen, 'topic');
  const event = field(eventLen, 'event');
  const metaText = field(metaLen, 'metadata');
  const bytes = data.subarray(offset);
  let meta: unknown = {};
  if (metaText !== '') {
    try {
      meta = JSON.parse(metaText);
    } catch {
      throw new FrameError('metadata is not JSON');
    }
    shallow(meta, 'metadata');
  }
  let body: BroadcastBody;
  if (encoding === JSON_ENCODING) {
    try {
      body = { kind: 'json', value: JSON.parse(utf8.decode(bytes)) };
    } catch {
      throw new FrameError('broadcast payload is not JSON');
    }
    shallow(body.value, 'broadcast payload');
  } else {
    body = { kind: 'binary', bytes: Uint8Array.from(bytes) };
  }
  return { kind: 'broadcast', joinRef: joinRef || null, ref: ref || null, topic, event, body, meta };
}

/** Encodes a server message as text in the socket's serializer version. */
export function encodeText(message: OutboundMessage, vsn: Vsn): string {
  const { joinRef, ref, topic, event, payload } = message;
  return vsn === '2.0.0'
    ? JSON.stringify([joinRef, ref, topic, event, payload])
    : JSON.stringify({ join_ref: joinRef, ref, topic, event, payload });
}

const encoder = new TextEncoder();

/**
 * A user broadcast as the v2 client decodes it: kind 4 (realtime-js `_decodeUserBroadcast`),
 * with optional JSON metadata (the client exposes it as `meta`). Returns undefined when a
 * header field is too long for its one-byte length, so the caller falls back to JSON text.
 */
export function encodeBroadcastBinary(topic: string, event: string, body: BroadcastBody, meta?: Record<string, unknown>): Uint8Array | undefined {
  const topicBytes = encoder.encode(topic);
  const eventBytes = encoder.encode(event);
  const metaBytes = meta ? encoder.encode(JSON.stringify(meta)) : new Uint8Array(0);
  if (topicBytes.length > 255 || eventBytes.length > 255 || metaBytes.length > 255) return undefined;
  const payload = body.kind === 'json' ? encoder.encode(JSON.stringify(body.value ?? null)) : body.bytes;
  const header = 5;
  const frame = new Uint8Array(header + topicBytes.length + eventBytes.length + metaBytes.length + payload.length);
  frame[0] = BROADCAST_KIND;
  frame[1] = topicBytes.length;
  frame[2] = eventBytes.length;
  frame[3] = metaBytes.length;
  frame[4] = body.kind === 'json' ? JSON_ENCODING : BINARY_ENCODING;
  let offset = header;
  for (const part of [topicBytes, eventBytes, metaBytes, payload]) {
    frame.set(part, offset);
    offset += part.length;
  }
  return frame;
}
