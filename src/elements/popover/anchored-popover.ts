import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { anchorsSupported, placePanel } from './fallback.js';

type Host = ReactiveControllerHost & HTMLElement;

/** One panel and what it is attached to, found in the host's shadow root after each render. */
export interface AnchoredPanel {
  /** The panel: an element with a `popover` attribute, rendered only while it is open. */
  panel: string;
  /** Its trigger (a selector, or a function for one that changes, as the hovered avatar). */
  trigger: string | (() => Element | null | undefined);
}

/**
 * Shows each rendered panel in the top layer (`showPopover()`), so it is open exactly while the
 * element renders it; CSS anchor positioning (`popover.styles.ts`) places it. Where the browser
 * has no anchor positioning, it places the panel itself after each render and on scroll and
 * resize while a panel is open.
 */
export class AnchoredPopover implements ReactiveController {
  readonly #native = anchorsSupported();
  #tracking = false;

  constructor(
    private readonly host: Host,
    private readonly panels: readonly AnchoredPanel[],
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    let open = false;
    for (const { panel: selector } of this.panels) {
      const panel = this.host.shadowRoot?.querySelector<HTMLElement>(selector);
      if (!panel?.isConnected) continue;
      open = true;
      if (!panel.matches(':popover-open')) panel.showPopover();
    }
    if (!this.#native) {
      this.#reposition();
      this.#track(open);
    }
  }

  hostDisconnected(): void {
    this.#track(false);
  }

  #track(on: boolean): void {
    if (on === this.#tracking) return;
    this.#tracking = on;
    const method = on ? 'addEventListener' : 'removeEventListener';
    window[method]('scroll', this.#reposition, { capture: true, passive: true } as AddEventListenerOptions);
    window[method]('resize', this.#reposition);
  }

  readonly #reposition = (): void => {
    for (const { panel: selector, trigger } of this.panels) {
      const panel = this.host.shadowRoot?.querySelector<HTMLElement>(selector);
      const anchor = typeof trigger === 'string' ? this.host.shadowRoot?.querySelector(trigger) : trigger();
      if (panel && anchor) placePanel(panel, anchor);
    }
  };
}
