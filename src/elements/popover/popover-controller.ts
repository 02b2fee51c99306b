import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { AnchoredPopover } from './anchored-popover.js';

type PopoverHost = ReactiveControllerHost & HTMLElement & { open: boolean; renderRoot: HTMLElement | DocumentFragment };

/**
 * A button-anchored popover's keyboard and pointer behaviour, for any element with an `open`
 * property that renders its panel (a `popover`) only while open: the panel is shown in the top
 * layer against its button (`AnchoredPopover`), focus moves into it when it opens (not on first
 * render), Escape closes it and gives focus back to the button, and a pointer press outside or
 * focus moving out of the element closes it. The outside listener exists only while open, and
 * goes with the element.
 */
export class PopoverController implements ReactiveController {
  #listening = false;
  #wasOpen: boolean | undefined;

  constructor(
    private readonly host: PopoverHost,
    private readonly selectors: { button: string; panel: string },
  ) {
    // First, so the panel is shown (focusable) before this controller moves focus into it.
    new AnchoredPopover(host, [{ panel: selectors.panel, trigger: selectors.button }]);
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('focusout', this.#onFocusOut);
  }

  hostUpdated(): void {
    const open = this.host.open;
    if (open !== this.#listening) {
      if (open) document.addEventListener('pointerdown', this.#onOutside, true);
      else document.removeEventListener('pointerdown', this.#onOutside, true);
      this.#listening = open;
    }
    if (open && this.#wasOpen === false) this.host.renderRoot.querySelector<HTMLElement>(this.selectors.panel)?.focus();
    this.#wasOpen = open;
  }

  hostDisconnected(): void {
    document.removeEventListener('pointerdown', this.#onOutside, true);
    this.host.removeEventListener('focusout', this.#onFocusOut);
    this.#listening = false;
  }

  /** Put on the panel: Escape closes. */
  readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    this.close();
  };

  close(): void {
    this.host.open = false;
    this.host.renderRoot.querySelector<HTMLElement>(this.selectors.button)?.focus();
  }

  readonly #onOutside = (event: Event): void => {
    if (!event.composedPath().includes(this.host)) this.host.open = false;
  };

  /** Tab (or a click on something focusable) out of the element closes the panel; leaving the window does not. */
  readonly #onFocusOut = (event: FocusEvent): void => {
    const next = event.relatedTarget as Node | null;
    if (!this.host.open || !next) return;
    if (this.host.contains(next) || this.host.shadowRoot?.contains(next)) return;
    this.host.open = false;
  };
}
