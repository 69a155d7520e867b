import { TributaryError } from '../sdk/errors.js';

/** The command line itself is wrong (flags, arguments); exit code 2. */
export class UsageError extends TributaryError {}
