/** A failed bundle's error text, and the UserCodeError a client reads back from a job server's message. */
import { describe, expect, it } from 'vitest';
import { errorText, userCodeErrorIn } from '../../runners/harness/error-text.js';
import { UserCodeError } from '../../sdk/errors.js';

const jobError = new Error('job job-1 on localhost:1 ended FAILED: ...');

describe('error text of a failed bundle', () => {
  it('a UserCodeError survives the text a job server passes on: transform, phase, the cause\'s name and message', () => {
    const cause = new TypeError('bad "value" {x}\non two lines');
    const text = errorText(new UserCodeError('Parse/Map', 'process', cause));
    expect(text).toContain('UserCodeError: transform "Parse/Map" failed in process: bad "value" {x}');
    const back = userCodeErrorIn([`bundle inst001 stage-001 failed:${text}`], jobError);
    expect(back).toBeInstanceOf(UserCodeError);
    expect(back!.message).toBe('transform "Parse/Map" failed in process: bad "value" {x}\non two lines');
    expect(back!.transform).toBe('Parse/Map');
    expect(back!.phase).toBe('process');
    const rebuilt = back!.cause as Error;
    expect(rebuilt.name).toBe('TypeError');
    expect(rebuilt.cause).toBe(jobError);
  });

  it('found inside a runner\'s own wrapping, with text after it on the same line (as a Java exception prints it)', () => {
    const text = errorText(new UserCodeError('Explode', 'finishBundle', new Error('boom')));
    const line = text.split('\n').at(-1)!;
    const wrapped = `java.lang.RuntimeException: Error received from SDK harness for instruction 3: ${text.replace(line, `${line} at org.apache.beam.Foo(Foo.java:1)`)}\n\tat more.Stack`;
    expect(userCodeErrorIn(['unrelated', wrapped], jobError)?.message).toBe('transform "Explode" failed in finishBundle: boom');
  });

  it('the UserCodeError deepest in the chain names it when a wrapper carries one as its cause', () => {
    const inner = new UserCodeError('Inner', 'process', new Error('why'));
    const text = errorText(new Error('bundle failed', { cause: inner }));
    expect(userCodeErrorIn([text], jobError)?.message).toBe('transform "Inner" failed in process: why');
  });

  it('no UserCodeError (a harness fault, a runner error): nothing to rebuild', () => {
    expect(userCodeErrorIn([errorText(new Error('state channel closed'))], jobError)).toBeUndefined();
    expect(userCodeErrorIn(['tributary-user-code-error: {not json'], jobError)).toBeUndefined();
    expect(userCodeErrorIn([], jobError)).toBeUndefined();
  });
});
