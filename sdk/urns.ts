/**
 * URNs used in the portable proto. Beam's standard URNs where Beam has one (public facts of the
 * wire format); Tributary-only things get `tributary:` URNs, each documented in docs/concepts.md.
 */
export const URN = {
  // Primitive transforms.
  IMPULSE: 'beam:transform:impulse:v1',
  PAR_DO: 'beam:transform:pardo:v1',
  GROUP_BY_KEY: 'beam:transform:group_by_key:v1',
  FLATTEN: 'beam:transform:flatten:v1',
  WINDOW_INTO: 'beam:transform:window_into:v1',
  TEST_STREAM: 'beam:transform:teststream:v1',
  // Composite transforms a runner may execute as one (otherwise it runs their parts).
  COMBINE_PER_KEY: 'beam:transform:combine_per_key:v1',
  COMBINE_GLOBALLY: 'beam:transform:combine_globally:v1',
  COMBINE_GROUPED_VALUES: 'beam:transform:combine_grouped_values:v1',
  RESHUFFLE: 'beam:transform:reshuffle:v1',
  // Combiner lifting phases.
  COMBINE_PER_KEY_PRECOMBINE: 'beam:transform:combine_per_key_precombine:v1',
  COMBINE_PER_KEY_MERGE_ACCUMULATORS: 'beam:transform:combine_per_key_merge_accumulators:v1',
  COMBINE_PER_KEY_EXTRACT_OUTPUTS: 'beam:transform:combine_per_key_extract_outputs:v1',
  // Pipeline requirements (a runner must reject what it does not know).
  REQUIREMENT_SPLITTABLE_DOFN: 'beam:requirement:pardo:splittable_dofn:v1',
  REQUIREMENT_REQUIRES_STABLE_INPUT: 'beam:requirement:pardo:requires_stable_input:v1',
  // Side input access patterns.
  SIDE_INPUT_ITERABLE: 'beam:side_input:iterable:v1',
  SIDE_INPUT_MULTIMAP: 'beam:side_input:multimap:v1',
  // Tributary-only: a user function found by id in the re-run program (payload: JSON {id, kind, name}).
  DOFN: 'tributary:dofn:v1',
  COMBINE_FN: 'tributary:combinefn:v1',
  VIEW_FN: 'tributary:viewfn:v1',
  WINDOW_MAPPING_FN: 'tributary:window_mapping_fn:v1',
} as const;

/** Every URN a transform node may carry; tests check the proto uses nothing else. */
export const KNOWN_TRANSFORM_URNS: ReadonlySet<string> = new Set([
  URN.IMPULSE,
  URN.PAR_DO,
  URN.GROUP_BY_KEY,
  URN.FLATTEN,
  URN.WINDOW_INTO,
  URN.TEST_STREAM,
  URN.COMBINE_PER_KEY,
  URN.COMBINE_GLOBALLY,
  URN.COMBINE_GROUPED_VALUES,
  URN.RESHUFFLE,
  URN.COMBINE_PER_KEY_PRECOMBINE,
  URN.COMBINE_PER_KEY_MERGE_ACCUMULATORS,
  URN.COMBINE_PER_KEY_EXTRACT_OUTPUTS,
]);
