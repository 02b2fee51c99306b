/**
 * flock-kit/status: registers `<flock-status>` and the `<flock-room>` it needs, and nothing else, so
 * a page that uses only this element ships only its code.
 * @packageDocumentation
 */
import './room.js';
import { FlockStatus } from '../elements/status/status.js';
import { defineFlockElement } from '../elements/register.js';

defineFlockElement('flock-status', FlockStatus);

export { FlockStatus };
