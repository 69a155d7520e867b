import { describe, expect, it } from 'vitest';
import {
  Coders,
  CoderMismatchError,
  Create,
  DoFn,
  DuplicateTransformNameError,
  GroupByKey,
  Map,
  ParDo,
  Partition,
  Pipeline,
  transform,
  type PBegin,
  View,
  kv,
  toPortable,
  type KV,
  type PCollection,
  type ProcessContext,
} from '../../sdk/index.js';

describe('pipeline construction', () => {
  it('an explicit duplicate name is an error naming it', () => {
    const p = new Pipeline();
    const xs = p.apply('Numbers', Create.of([1]));
    xs.apply('Double', Map.of((x: number) => x * 2));
    expect(() => xs.apply('Double', Map.of((x: number) => x * 3))).toThrow(DuplicateTransformNameError);
    expect(() => xs.apply('Double', Map.of((x: number) => x * 3))).toThrow(
      'a transform named "Double" already exists in this pipeline: give one of them a different name with apply("<name>", transform)',
    );
  });

  it('unnamed applications get deterministic unique names', () => {
    const p = new Pipeline();
    const xs = p.apply(Create.of([1]));
    xs.apply(Map.of((x: number) => x));
    xs.apply(Map.of((x: number) => x));
    const names = [...p.transforms()].map((t) => t.uniqueName);
    expect(names).toEqual(['Create', 'Create/Impulse', 'Create/Emit', 'Map', 'Map2']);
  });

  it('names with a slash are rejected', () => {
    const p = new Pipeline();
    expect(() => p.apply('a/b', Create.of([1]))).toThrow('transform name "a/b" must not contain "/": it separates composite levels');
  });

  it('apply of a plain function explains what to do', () => {
    const p = new Pipeline();
    const xs = p.apply(Create.of([1]));
    expect(() => xs.apply((() => 1) as never)).toThrow(/needs a PTransform, got a function \(anonymous\); wrap it, e.g. Map.of\(fn\)/);
  });

  it('ParDo.of rejects a plain function', () => {
    expect(() => ParDo.of((() => 1) as never)).toThrow('ParDo.of needs a DoFn with a process method: pass a DoFn instance, or use Map.of / FlatMap.of for a plain function');
  });

  it('GroupByKey on a PCollection with a non-KV coder is a coder mismatch naming the PCollection', () => {
    const p = new Pipeline();
    const strings = p.apply('Words', Create.of(['a'])).withCoder(Coders.string());
    strings.apply(GroupByKey.create<never, never>() as never);
    expect(() => toPortable(p)).toThrow(CoderMismatchError);
    expect(() => toPortable(p)).toThrow(/coder mismatch on PCollection "Words\/Emit": "GroupByKey" needs key\/value elements/);
  });

  it('a non-deterministic key coder is rejected', () => {
    const p = new Pipeline();
    p.apply(Create.of([kv(1.5, 'x')]))
      .withCoder(Coders.kv(Coders.double(), Coders.string()))
      .apply(GroupByKey.create<number, string>());
    expect(() => toPortable(p)).toThrow(/the key coder beam:coder:double:v1 is not deterministic/);
  });

  it('withCoder sets the coder in the proto', () => {
    const p = new Pipeline();
    p.apply(Create.of(['a'])).withCoder(Coders.string());
    const { proto } = toPortable(p);
    const pc = proto.components!.pcollections!['Create/Emit.out']!;
    expect(proto.components!.coders![pc.coderId!]!.spec!.urn).toBe('beam:coder:string_utf8:v1');
  });

  it('Partition needs a positive count; withOutputTags rejects reserved and repeated tags', () => {
    expect(() => Partition.of(0, () => 0)).toThrow('Partition.of needs a positive number of partitions, got 0');
    class F extends DoFn<number, number, { a: number }> {
      process(x: number, ctx: ProcessContext<number, { a: number }>): void {
        ctx.output(x);
      }
    }
    expect(() => ParDo.of(new F()).withOutputTags('a', 'a')).toThrow('output tags repeat: a, a');
  });

  it('types reject wrong pipelines at compile time', () => {
    const p = new Pipeline();
    const strings: PCollection<string> = p.apply(Create.of(['a']));
    const pairs: PCollection<KV<string, number>> = p.apply('Pairs', Create.of([kv('a', 1)]));
    // @ts-expect-error GroupByKey needs a PCollection of KV elements.
    const bad = () => strings.apply(GroupByKey.create<string, number>());
    void bad;
    pairs.apply(GroupByKey.create<string, number>());
    class NeedsNumber extends DoFn<string, string, {}, { n: number }> {
      process(s: string, ctx: ProcessContext<string, {}, { n: number }>): void {
        ctx.output(s + ctx.sideInput('n'));
      }
    }
    // @ts-expect-error a side input of the wrong type (a list where a number is read).
    ParDo.of(new NeedsNumber()).withSideInputs({ n: View.asList(strings) });
    // @ts-expect-error a side input under a name the DoFn does not declare.
    ParDo.of(new NeedsNumber()).withSideInputs({ m: View.asSingleton(p.apply('N', Create.of([1]))) });
    // @ts-expect-error a Map whose input type does not match the PCollection.
    const badMap = () => strings.apply(Map.of((x: number) => x + 1));
    void badMap;
    expect(true).toBe(true);
  });

  it('a composite whose expand applies nothing is reported at translation', () => {
    const p = new Pipeline();
    p.apply(
      transform<PBegin, void>('Nothing', () => undefined),
    );
    expect(() => toPortable(p)).toThrow('transform "Nothing" applied no transform and is not a primitive: its expand must apply something');
  });
});
