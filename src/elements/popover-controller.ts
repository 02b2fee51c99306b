import type { ReactiveController, ReactiveControllerHost } from 'lit';

type PopoverHost = ReactiveControllerHost & HTMLElement & { open: boolean; renderRoot: HTMLElement | DocumentFragment };

/**
 * A button-anchored popover's keyboard and pointer behaviour, for any element with an `open`
 * property: focus moves into the panel when it opens (not on first render), Escape closes it
 * and gives focus back to the button, a pointer press outside closes it. The outside listener
 * exists only while open, and goes with the element.
 */
export class PopoverController implements ReactiveController {
  #listening = false;
  #wasOpen: boolean | undefined;

  constructor(
    private readonly host: PopoverHost,
    private readonly selectors: { button: string; panel: string },
  ) {
    host.addController(this);
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
}
