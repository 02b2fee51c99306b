import { LIST } from '../live/live-list.js';
import type { ChatController } from './chat-controller.js';
import { ListWindow } from './list-window.js';
import { ScrollAnchor } from './scroll-anchor.js';
import type { ChatMessage } from './timeline.js';

/** Within this many pixels of an end counts as near it: history loads, the window moves. */
const NEAR_PX = 400;
/** Within this many pixels of the bottom counts as reading the newest. */
const BOTTOM_PX = 32;

export interface ListScrollHost {
  list(): HTMLElement | null;
  requestUpdate(): void;
  /** The reader reached the newest message. */
  reachedBottom(): void;
}

/**
 * How the message list scrolls: which window of messages is drawn (`ListWindow`), moving it and
 * loading older pages as the reader nears an end, keeping the reader's place across every
 * render (`ScrollAnchor`), and staying at the bottom while following the conversation.
 */
export class ListScroll {
  readonly window = new ListWindow();
  readonly #anchor = new ScrollAnchor('[part~="message"]');
  #ids: { of: readonly ChatMessage[]; list: string[]; index: Map<string, number> } | undefined;

  constructor(
    private readonly host: ListScrollHost,
    private readonly chat: ChatController,
  ) {}

  /** Following the newest messages (the list sticks to the bottom). */
  get following(): boolean {
    return this.window.following;
  }

  /** The `[start, end)` of `messages` to draw. */
  range(messages: readonly ChatMessage[]): [number, number] {
    const ids = this.#idsOf(messages);
    return this.window.range(ids.list, (id) => ids.index.get(id) ?? -1);
  }

  /** Before a render: note what the reader sees (unless following, when the bottom is the place). */
  beforeUpdate(): void {
    const list = this.host.list();
    if (list && !this.window.following) this.#anchor.capture(list);
  }

  /** After a render: put it back, or stay at the bottom; fetch history a short list can't be scrolled to. */
  afterUpdate(): void {
    const list = this.host.list();
    if (!list) return;
    if (!this.#anchor.restore(list) && this.window.following) list.scrollTop = list.scrollHeight;
    if (list.scrollHeight <= list.clientHeight && this.chat.history.hasOlder && !this.chat.history.loadingOlder && this.chat.history.status === LIST.complete) void this.chat.history.older();
  }

  /** At the newest message, with nothing newer beyond the window. */
  atBottom(): boolean {
    const list = this.host.list();
    return !!list && list.scrollHeight - list.scrollTop - list.clientHeight <= BOTTOM_PX;
  }

  /** Back to the newest messages. */
  latest(): void {
    this.window.latest();
    this.host.requestUpdate();
  }

  readonly onScroll = (): void => {
    const list = this.host.list();
    if (!list) return;
    const ids = this.#idsOf(this.chat.messages);
    const indexOf = (id: string) => ids.index.get(id) ?? -1;
    const fromBottom = list.scrollHeight - list.scrollTop - list.clientHeight;
    if (list.scrollTop < NEAR_PX) {
      if (this.window.up(ids.list, indexOf)) this.host.requestUpdate();
      else if (this.chat.history.hasOlder && !this.chat.history.loadingOlder) {
        this.window.detach(ids.list, indexOf);
        void this.chat.history.older().then(() => {
          const next = this.#idsOf(this.chat.messages);
          if (this.window.up(next.list, (id) => next.index.get(id) ?? -1)) this.host.requestUpdate();
        });
      }
    } else if (fromBottom < NEAR_PX && !this.window.following) {
      if (this.window.down(ids.list, indexOf)) this.host.requestUpdate();
    }
    if (fromBottom <= BOTTOM_PX && this.window.range(ids.list, indexOf)[1] >= ids.list.length) {
      if (!this.window.following) {
        this.window.following = true;
        this.host.requestUpdate();
      }
      this.host.reachedBottom();
    } else if (fromBottom > BOTTOM_PX && this.window.following) {
      this.window.detach(ids.list, indexOf);
      this.host.requestUpdate();
    }
  };

  #idsOf(messages: readonly ChatMessage[]) {
    if (this.#ids?.of !== messages) {
      const list = messages.map((m) => m.id);
      this.#ids = { of: messages, list, index: new Map(list.map((id, i) => [id, i])) };
    }
    return this.#ids;
  }
}
