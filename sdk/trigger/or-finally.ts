/** `trigger.orFinally(until)` (Beam's OrFinally): see `OrFinallyTrigger` in trigger.ts. */
export { OrFinallyTrigger } from './trigger.js';
