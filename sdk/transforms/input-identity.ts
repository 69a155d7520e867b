/**
 * A source says what it reads — its tables, its time range — so that a runner keeping a
 * checkpoint can tell a resumed run that reads something else from the one that wrote it (a
 * checkpoint of one warehouse must not be "resumed" against another). A DoFn that reads input
 * implements `inputIdentity()`; the values are compared as strings and shown to the user when
 * they differ, so they should be short and readable.
 */
export interface IdentifiesInput {
  inputIdentity(): Readonly<Record<string, string>>;
}

export function inputIdentityOf(fn: unknown): Readonly<Record<string, string>> | undefined {
  const f = fn as Partial<IdentifiesInput> | null | undefined;
  return typeof f?.inputIdentity === 'function' ? f.inputIdentity() : undefined;
}
