import { css } from 'lit';

/**
 * Every panel the kit opens (status details, inbox, avatar list, avatar tooltip, mention
 * suggestions) is a `popover` in the top layer, so no ancestor's `overflow`, `transform` or
 * stacking context clips or covers it, placed by CSS anchor positioning against its trigger:
 * below it and running toward the inline end, else toward the inline start, else centred under
 * it and shifted inside the viewport; above it when there is more room there. Its size is capped
 * by the space left (it scrolls inside), so it never leaves the viewport or widens the page.
 *
 * An element names its trigger with `anchor-name` and its panel with `position-anchor` (both in
 * its own shadow root: anchor names are scoped to a tree). Browsers without anchor positioning
 * get the same placement from `fallback.ts`.
 */
export const popoverStyles = css`
  [popover] {
    position: fixed;
    inset: auto;
    box-sizing: border-box;
    margin: var(--_popover-gap, 0.25rem) 0;
    color: inherit;
    position-area: block-end span-inline-end;
    position-try-fallbacks:
      flip-inline,
      block-end span-all,
      flip-block,
      flip-block flip-inline,
      block-start span-all;
    position-try-order: most-block-size;
    inline-size: max-content;
    max-inline-size: min(var(--_popover-max-inline, 24rem), calc(100vw - 1rem));
    max-block-size: min(var(--_popover-max-block, 28rem), calc(100% - 2 * var(--_popover-gap, 0.25rem)));
    overflow: auto;
    overscroll-behavior: contain;
  }
  [popover]:not(:popover-open) {
    display: none;
  }
`;
