/**
 * A checkpoint is input like any other file: it may be damaged, or crafted. Before anything
 * reads it, the whole structure is checked — every field's type, every array's length against
 * the file's size (an array cannot hold more elements than the file has bytes), every step it
 * names against its own node list, every time finite and within Beam's range — and any failure
 * is a typed error naming the file and the field. The executor then checks the node list
 * against the graph, each operator checks its state when restored (its byte formats), and each
 * source its position (sources.ts).
 */
import { Instant } from '../../sdk/time/instant.js';
import { CheckpointFormatError } from './checkpoint-errors.js';
import type { Checkpoint } from './checkpoint-store.js';

export interface ValidationContext {
  readonly file: string;
  /** The file's size in bytes. */
  readonly size: number;
}

export function validateCheckpoint(value: unknown, ctx: ValidationContext): Checkpoint {
  const fail = (field: string, problem: string): never => {
    throw new CheckpointFormatError(ctx.file, field, problem);
  };
  if (!isRecord(value)) return fail('', `holds ${describe(value)}, not a checkpoint record`);
  checkArrays(value, ctx.size, '', fail, new Set());
  const v = value;
  if (v.version === 1 || v.version === 2) {
    fail('version', `is ${v.version}: written by an older Tributary, which did not record the job it belongs to, so it cannot be checked against this one`);
  }
  if (v.version !== 3) fail('version', `is ${describe(v.version)}, this runner reads version 3`);

  const identity = record(v.identity, 'identity', fail);
  if (typeof identity.pipeline !== 'string') fail('identity.pipeline', `is ${describe(identity.pipeline)}, not a digest string`);
  stringRecord(identity.steps, 'identity.steps', fail);
  stringRecord(identity.options, 'identity.options', fail);
  const inputs = record(identity.inputs, 'identity.inputs', fail);
  for (const [step, fields] of Object.entries(inputs)) stringRecord(fields, `identity.inputs.${step}`, fail);

  finiteNumber(v.savedAt, 'savedAt', fail);
  if (typeof v.finished !== 'boolean') fail('finished', `is ${describe(v.finished)}, not true or false`);
  if (!Number.isSafeInteger(v.sequence) || (v.sequence as number) < 0) fail('sequence', `is ${describe(v.sequence)}, not a count of checkpoints`);

  if (!Array.isArray(v.nodes)) return fail('nodes', `is ${describe(v.nodes)}, not a list of step ids`);
  const nodes = new Set<string>();
  v.nodes.forEach((id: unknown, i: number) => {
    if (typeof id !== 'string') fail(`nodes[${i}]`, `is ${describe(id)}, not a step id`);
    if (nodes.has(id as string)) fail(`nodes[${i}]`, `repeats step "${String(id)}"`);
    nodes.add(id as string);
  });
  const knownNode = (id: string, field: string) => {
    if (!nodes.has(id)) fail(field, `names step "${id}", which the checkpoint's node list does not have`);
  };

  if (!Array.isArray(v.rootsDone)) fail('rootsDone', `is ${describe(v.rootsDone)}, not a list of step ids`);
  (v.rootsDone as unknown[]).forEach((id, i) => {
    if (typeof id !== 'string') fail(`rootsDone[${i}]`, `is ${describe(id)}, not a step id`);
    knownNode(id as string, `rootsDone[${i}]`);
  });
  for (const id of Object.keys(record(v.roots, 'roots', fail))) knownNode(id, `roots.${id}`);

  finiteTime(v.processingTime, 'processingTime', fail);

  const watermarks = record(v.watermarks, 'watermarks', fail);
  for (const id of Object.keys(watermarks)) knownNode(id, `watermarks.${id}`);
  for (const id of nodes) {
    const w = watermarks[id];
    if (!Array.isArray(w) || w.length !== 4) fail(`watermarks.${id}`, `is ${describe(w)}, not [source watermark, hold, input, output]`);
    (w as unknown[]).forEach((t, i) => finiteTime(t, `watermarks.${id}[${i}]`, fail));
  }
  for (const id of Object.keys(record(v.operators, 'operators', fail))) knownNode(id, `operators.${id}`);
  return v as unknown as Checkpoint;
}

type Fail = (field: string, problem: string) => never;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function record(v: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (!isRecord(v)) fail(field, `is ${describe(v)}, not a record`);
  return v as Record<string, unknown>;
}

function stringRecord(v: unknown, field: string, fail: Fail): void {
  for (const [k, x] of Object.entries(record(v, field, fail))) if (typeof x !== 'string') fail(`${field}.${k}`, `is ${describe(x)}, not a string`);
}

function finiteNumber(v: unknown, field: string, fail: Fail): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `is ${describe(v)}, not a finite number`);
}

/** A time within Beam's timestamp range (its bounds are the job's ±∞). */
function finiteTime(v: unknown, field: string, fail: Fail): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < Instant.MIN || v > Instant.MAX) fail(field, `is ${describe(v)}, not a time between Beam's minimum and maximum timestamps`);
}

/**
 * No array anywhere may claim more elements than the file has bytes: each element takes at
 * least one. A sparse array of 2^32−1 holes would otherwise hang whatever walks it.
 */
function checkArrays(v: unknown, size: number, path: string, fail: Fail, seen: Set<object>): void {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || seen.has(v)) return;
  seen.add(v);
  if (Array.isArray(v)) {
    if (v.length > size) fail(path || '(root)', `is an array of ${v.length} elements in a file of ${size} bytes`);
    for (let i = 0; i < v.length; i++) checkArrays(v[i], size, `${path}[${i}]`, fail, seen);
  } else if (v instanceof Map) {
    for (const [k, x] of v) {
      checkArrays(k, size, `${path}.<key>`, fail, seen);
      checkArrays(x, size, `${path}.${String(k)}`, fail, seen);
    }
  } else if (v instanceof Set) {
    for (const x of v) checkArrays(x, size, `${path}.<member>`, fail, seen);
  } else {
    for (const [k, x] of Object.entries(v)) checkArrays(x, size, path ? `${path}.${k}` : k, fail, seen);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return 'bytes';
  return typeof v === 'object' ? 'a record' : `a ${typeof v}`;
}
