import { css } from 'lit';

export const cursorsStyles = css`
  :host {
    display: contents;
  }
  /* One fixed layer over the viewport that never takes the pointer; cursors move by transform. */
  [part='layer'] {
    position: fixed;
    inset: 0;
    overflow: hidden;
    pointer-events: none;
    z-index: var(--flock-z-cursors, 2147483000);
    contain: strict;
  }
  /* Physical, as the transform that moves it is: with inset-inline-start as well, right to left
     pinned both edges and the box stretched to the width of the layer, the arrow off screen. */
  [part~='cursor'] {
    position: absolute;
    top: 0;
    left: 0;
    will-change: transform;
    transition: opacity 0.6s;
  }
  [part~='cursor'][data-hidden] {
    visibility: hidden;
  }
  [part~='cursor'][data-idle] {
    opacity: var(--flock-cursor-idle-opacity, 0.25);
  }
  svg {
    display: block;
    filter: drop-shadow(0 1px 1px rgb(0 0 0 / 0.35));
  }
  [part='label'] {
    position: absolute;
    top: 18px;
    left: 12px;
    max-inline-size: var(--flock-cursor-label-max, 16em);
    padding: 0.1em 0.45em;
    border-radius: var(--flock-radius-label, 0.4em);
    font: 600 var(--flock-cursor-font-size, 0.75rem) / 1.4 var(--flock-font, system-ui, sans-serif);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    unicode-bidi: isolate;
  }
  [part~='cursor'][data-flip] [part='label'] {
    left: auto;
    right: 4px;
  }
`;
