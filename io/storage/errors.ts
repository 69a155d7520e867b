/**
 * Typed storage errors. Every error names the path, the operation and what to do about it, so a
 * pipeline that fails at start-up tells the user which flag or credential to fix.
 */

import { TributaryError } from '../../sdk/errors.js';

export type StorageOperation = 'list' | 'stat' | 'read' | 'write' | 'delete' | 'move' | 'validate' | 'resolve';

/** What went wrong, in a form callers can branch on. */
export type StorageProblem =
  | 'not-found'
  | 'bucket-not-found'
  | 'access-denied'
  /** No credentials were found at all (none configured), as opposed to credentials refused. */
  | 'no-credentials'
  /** The server could not be reached (connection refused, unknown host, timed out). */
  | 'unreachable'
  | 'unknown-scheme'
  | 'invalid-path'
  | 'invalid-range'
  | 'io';

export class StorageError extends TributaryError {
  override readonly name = 'StorageError';
  readonly path: string;
  readonly operation: StorageOperation;
  readonly problem: StorageProblem;
  readonly hint: string;

  constructor(args: {
    path: string;
    operation: StorageOperation;
    problem: StorageProblem;
    detail: string;
    hint?: string;
    cause?: unknown;
  }) {
    const hint = args.hint ?? defaultHint(args.problem);
    super(`${args.operation} ${args.path}: ${args.detail}${hint ? `. ${hint}` : ''}`, { cause: args.cause });
    this.path = args.path;
    this.operation = args.operation;
    this.problem = args.problem;
    this.hint = hint;
  }
}

function defaultHint(problem: StorageProblem): string {
  switch (problem) {
    case 'not-found':
      return 'Check that the path is spelled correctly and that the object was written';
    case 'bucket-not-found':
      return 'Create the bucket, or check the bucket name and the S3 endpoint/region options';
    case 'access-denied':
      return 'Check the credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the credentials option';
    case 'no-credentials':
      return 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or pass credentials in configureStorage({ s3: { credentials } })';
    case 'unreachable':
      return 'Check that the server is running and that the endpoint option (or AWS_ENDPOINT_URL_S3) points at it';
    case 'unknown-scheme':
      return 'Use an absolute path (/data/table), a file:// URL or s3://bucket/prefix';
    case 'invalid-path':
      return 'Use an absolute path (/data/table), a file:// URL or s3://bucket/prefix';
    case 'invalid-range':
      return 'Offsets and lengths of a ranged read must be non-negative integers; a file whose metadata gives other values is corrupt';
    case 'io':
      return '';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof StorageError && err.problem === 'not-found';
}
