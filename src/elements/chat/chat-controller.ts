import type { LiveList } from '../live/live-list.js';
import { RoomController, type RoomHost } from '../room-controller.js';
import { ChatDrafts } from './drafts.js';
import { chatHistory } from './history.js';
import { applyEdit, unsentMessages } from './pending.js';
import type { ChatMessage } from './timeline.js';
import type { Row } from '../../connection/types.js';

export interface ChatOptions {
  pageSize(): number;
  /** Something changed: render. */
  changed(): void;
  /** A message from someone else arrived live (not from a page load or catch-up). */
  arrived(message: ChatMessage): void;
  /** A message this user sent was refused by the server. */
  failed(message: ChatMessage, reason: string): void;
  /** An edit or delete was refused: it was rolled back. */
  refused(reason: string, message: ChatMessage | undefined): void;
}

/**
 * The room's messages as `<flock-chat>` shows them: the history (history.ts, a LiveList) merged
 * with this user's drafts (drafts.ts: sends, edits and deletes still in the outbox). Held
 * messages come in server order with queued edits drawn applied, and unconfirmed sends last.
 */
export class ChatController extends RoomController {
  readonly history: LiveList<ChatMessage>;
  readonly drafts: ChatDrafts;
  #sorted: ChatMessage[] | undefined;

  constructor(host: RoomHost, options: ChatOptions) {
    super(host);
    const changed = () => {
      this.#sorted = undefined;
      options.changed();
    };
    this.history = chatHistory(host, { pageSize: options.pageSize, changed, arrived: options.arrived, reloaded: () => this.drafts.writesChanged() });
    this.drafts = new ChatDrafts(host, this.history, { messages: () => this.messages, changed, failed: options.failed, refused: options.refused });
  }

  /** Every message held, in server order, unconfirmed sends last; with queued edits applied. */
  get messages(): readonly ChatMessage[] {
    return (this.#sorted ??= this.#build());
  }

  #build(): ChatMessage[] {
    const room = this.room;
    const edits = new Map<string, Row>();
    for (const { id, values } of this.drafts.edits.values()) edits.set(id, { ...edits.get(id), ...values });
    const held = this.history.items.map((m) => {
      const edit = edits.get(m.id);
      return edit && !m.deletedAt ? { ...applyEdit(m, edit), state: 'pending' as const } : m;
    });
    // A local send the outbox has already let go of (sent, its row not yet here) stays pending.
    return [...held, ...unsentMessages(room?.writes ?? [], room?.name ?? '', this.history, this.drafts.local)];
  }
}
