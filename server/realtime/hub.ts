import type { Vsn } from './frames.ts';
import { encodeBroadcastBinary, encodeText, type BroadcastBody } from './frames.ts';
import type { PresenceDiff } from './presence.ts';
import { TopicPresence } from './presence.ts';
import { RealtimeStats } from './stats.ts';

/**
 * Who is joined to which topic, in this process. Fan-out encodes each message once per
 * wire format and hands the same frame to every recipient, so a broadcast to N members
 * costs one JSON.stringify per serializer version, not N.
 */

/** What the hub needs of a joined channel. */
export interface HubMember {
  /** The hub's key: the wire topic, set apart for private channels, which public ones never reach. */
  readonly room: string;
  /** The topic on the wire, `realtime:<name>`. */
  readonly topic: string;
  readonly vsn: Vsn;
  readonly receivesOwnBroadcasts: boolean;
  readonly presenceEnabled: boolean;
  /** Sends an already-encoded frame. */
  sendFrame(frame: string | Uint8Array): void;
}

interface Topic {
  members: Set<HubMember>;
  presence: TopicPresence<HubMember>;
}

/** Encodes a message lazily, at most once per format. */
class FrameCache {
  private readonly frames = new Map<string, string | Uint8Array>();
  constructor(private readonly make: (format: string) => string | Uint8Array) {}
  get(format: string): string | Uint8Array {
    let frame = this.frames.get(format);
    if (frame === undefined) {
      frame = this.make(format);
      this.frames.set(format, frame);
    }
    return frame;
  }
}

export class RealtimeHub {
  private readonly topics = new Map<string, Topic>();
  readonly stats = new RealtimeStats();
  /** Open sockets, for the stats and for closing them all at shutdown. */
  readonly connections = new Set<{ readonly channelCount: number; close(code: number, reason: string): void }>();
  /**
   * Sockets counted against `maxConcurrentUsers`: each one from its first successful join
   * until it closes, leaving its channels or not (Realtime's `UsersCounter`, keyed by the
   * transport process), each with the address it connected from.
   */
  readonly users = new Map<object, string>();

  /** How many of the counted users connected from `address` (see `addressKey`). */
  usersFrom(address: string): number {
    let n = 0;
    for (const from of this.users.values()) if (from === address) n++;
    return n;
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = { members: new Set(), presence: new TopicPresence() };
      this.topics.set(name, topic);
    }
    return topic;
  }

  get channelCount(): number {
    let n = 0;
    for (const t of this.topics.values()) n += t.members.size;
    return n;
  }

  get topicCount(): number {
    return this.topics.size;
  }

  *members(): Iterable<HubMember> {
    for (const t of this.topics.values()) yield* t.members;
  }

  /** The hub key for a wire topic: private channels are a separate space, as in Supabase. */
  static room(topic: string, isPrivate: boolean): string {
    return isPrivate ? `private:${topic}` : topic;
  }

  add(member: HubMember): void {
    this.topic(member.room).members.add(member);
  }

  /** Removes a member and its presence; the other members get the leave. */
  remove(member: HubMember): void {
    const topic = this.topics.get(member.room);
    if (!topic?.members.delete(member)) return;
    const diff = topic.presence.untrack(member);
    if (diff) this.sendPresenceDiff(member.room, member.topic, diff);
    if (topic.members.size === 0) this.topics.delete(member.room);
  }

  presence(room: string): TopicPresence<HubMember> {
    return this.topic(room).presence;
  }

  /** Sends a presence diff to every presence-enabled member of the topic, the sender included. */
  sendPresenceDiff(room: string, wireTopic: string, diff: PresenceDiff): void {
    const topic = this.topics.get(room);
    if (!topic) return;
    this.fanOut(topic, (m) => m.presenceEnabled, new FrameCache((vsn) =>
      encodeText({ joinRef: null, ref: null, topic: wireTopic, event: 'presence_diff', payload: diff }, vsn as Vsn)));
  }

  /**
   * Delivers a user broadcast to the topic's members (the sender only if it asked for `self`).
   * v2 members get the binary kind-4 frame realtime-js decodes; v1 members get JSON text,
   * and binary payloads, which JSON cannot carry, are not sent to them.
   * Returns how many members it reached.
   */
  broadcast(
    room: string,
    topicName: string,
    sender: HubMember | undefined,
    event: string,
    body: BroadcastBody,
    meta?: Record<string, unknown>,
  ): number {
    const topic = this.topics.get(room);
    if (!topic) return 0;
    const frames = new FrameCache((vsn) => {
      if (vsn === '2.0.0') {
        const binary = encodeBroadcastBinary(topicName, event, body, meta);
        if (binary) return binary;
      }
      const payload = { type: 'broadcast', event, payload: body.kind === 'json' ? body.value : undefined, ...(meta ? { meta } : {}) };
      return encodeText({ joinRef: null, ref: null, topic: topicName, event: 'broadcast', payload }, vsn as Vsn);
    });
    return this.fanOut(
      topic,
      (m) => (m !== sender || m.receivesOwnBroadcasts) && (body.kind === 'json' || m.vsn === '2.0.0'),
      frames,
    );
  }

  private fanOut(topic: Topic, include: (m: HubMember) => boolean, frames: FrameCache): number {
    let sent = 0;
    for (const member of topic.members) {
      if (!include(member)) continue;
      member.sendFrame(frames.get(member.vsn));
      sent++;
    }
    this.stats.messagesOut.add(sent);
    return sent;
  }
}
