/**
 * Keeps what the reader is looking at in place while the list above or below it changes
 * (a page of history added, the window moved, a message above edited): before the change,
 * note the first message visible and where it sits; after it, scroll by however far that
 * message moved. Done by hand (the list sets `overflow-anchor: none`) because browsers without
 * scroll anchoring, and anchoring at scroll position 0, would otherwise jump.
 */
export class ScrollAnchor {
  #held: { id: string; top: number } | undefined;

  constructor(private readonly itemSelector: string) {}

  /** Notes the first visible item of `scroller`. */
  capture(scroller: HTMLElement): void {
    const top = scroller.getBoundingClientRect().top;
    for (const item of scroller.querySelectorAll<HTMLElement>(this.itemSelector)) {
      const box = item.getBoundingClientRect();
      if (box.bottom > top) {
        this.#held = { id: item.dataset.id ?? '', top: box.top - top };
        return;
      }
    }
    this.#held = undefined;
  }

  /** Scrolls so the noted item is where it was; false when there was none (or it is gone). */
  restore(scroller: HTMLElement): boolean {
    const held = this.#held;
    this.#held = undefined;
    if (!held) return false;
    const item = scroller.querySelector<HTMLElement>(`${this.itemSelector}[data-id="${CSS.escape(held.id)}"]`);
    if (!item) return false;
    const moved = item.getBoundingClientRect().top - scroller.getBoundingClientRect().top - held.top;
    if (moved !== 0) scroller.scrollTop += moved;
    return true;
  }
}
