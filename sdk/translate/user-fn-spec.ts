/**
 * How the proto refers to user code: a FunctionSpec whose payload is a small JSON document with
 * the function's id (its transform's unique name and role) and descriptive fields. The function
 * object itself stays in the program; a re-run program registers the same ids.
 */
import { PipelineConstructionError } from '../errors.js';

export interface UserFnRef {
  readonly id: string;
  readonly [field: string]: unknown;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Deterministic JSON: keys sorted, so equal references encode to equal bytes. */
export function encodeUserFnRef(ref: UserFnRef): Uint8Array {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(ref).sort()) if (ref[key] !== undefined) sorted[key] = ref[key];
  return textEncoder.encode(JSON.stringify(sorted));
}

export function decodeUserFnRef(payload: Uint8Array | null | undefined, what: string): UserFnRef {
  let ref: UserFnRef;
  try {
    ref = JSON.parse(textDecoder.decode(payload ?? new Uint8Array())) as UserFnRef;
  } catch (e) {
    throw new PipelineConstructionError(`malformed user function reference in ${what}: ${(e as Error).message}`, { cause: e });
  }
  if (typeof ref?.id !== 'string') throw new PipelineConstructionError(`malformed user function reference in ${what}: no "id" field`);
  return ref;
}

export function userFnIdFor(owner: string, role: string): string {
  return `${owner}#${role}`;
}

/** The owner (the transform that registered it) and role of a user function id; undefined for
 *  an id `userFnIdFor` did not make. */
export function splitUserFnId(id: string): { owner: string; role: string } | undefined {
  const at = id.lastIndexOf('#');
  return at > 0 ? { owner: id.slice(0, at), role: id.slice(at + 1) } : undefined;
}
