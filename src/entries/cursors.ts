/**
 * flock-kit/cursors: registers `<flock-cursors>` and the `<flock-room>` it needs, and nothing else, so
 * a page that uses only this element ships only its code.
 * @packageDocumentation
 */
import './room.js';
import { FlockCursors } from '../elements/cursors/cursors.js';
import { defineFlockElement } from '../elements/register.js';

defineFlockElement('flock-cursors', FlockCursors);

export { FlockCursors };
