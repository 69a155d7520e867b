/** The coder URNs Tributary understands: Beam's standard ones plus its own documented extras. */
export const CoderUrns = {
  BYTES: 'beam:coder:bytes:v1',
  BOOL: 'beam:coder:bool:v1',
  STRING_UTF8: 'beam:coder:string_utf8:v1',
  VARINT: 'beam:coder:varint:v1',
  DOUBLE: 'beam:coder:double:v1',
  KV: 'beam:coder:kv:v1',
  ITERABLE: 'beam:coder:iterable:v1',
  NULLABLE: 'beam:coder:nullable:v1',
  LENGTH_PREFIX: 'beam:coder:length_prefix:v1',
  GLOBAL_WINDOW: 'beam:coder:global_window:v1',
  INTERVAL_WINDOW: 'beam:coder:interval_window:v1',
  WINDOWED_VALUE: 'beam:coder:windowed_value:v1',
  PARAM_WINDOWED_VALUE: 'beam:coder:param_windowed_value:v1',
  TIMER: 'beam:coder:timer:v1',
  ROW: 'beam:coder:row:v1',
  /** Tributary's coder for JSON-like JS values; see `json.ts` for the byte format. */
  JSON: 'tributary:coder:json:v1',
} as const;

export type CoderUrn = (typeof CoderUrns)[keyof typeof CoderUrns];
