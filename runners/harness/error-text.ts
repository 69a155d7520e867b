/**
 * A failed bundle's error as text, the only form a Beam runner passes on (Prism and Flink put the
 * harness's text into the job's error message): the message and its cause chain, a few stack
 * lines, and — when user code threw — one line a Tributary client reads back into the
 * `UserCodeError` the direct runner would have thrown (transform, phase, the cause's message), so
 * a pipeline fails the same way on every runner.
 */
import { UserCodeError } from '../../sdk/errors.js';

/** Starts the line that carries a UserCodeError (JSON on one line: newlines are escaped). */
const USER_CODE_ERROR_LINE = 'tributary-user-code-error:';

interface UserCodeErrorFields {
  readonly transform: string;
  readonly phase: string;
  readonly name: string;
  readonly message: string;
}

/** The error text a runner shows: the message, the cause chain's messages, a few stack lines,
 *  and the UserCodeError line when user code threw. */
export function errorText(e: unknown): string {
  const parts: string[] = [];
  let userError: UserCodeError | undefined;
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && depth < 5; depth++) {
    parts.push(cur instanceof Error ? `${cur.name}: ${cur.message}` : String(cur));
    if (cur instanceof UserCodeError) userError ??= cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  const stack = e instanceof Error && e.stack ? `\n${e.stack.split('\n').slice(1, 8).join('\n')}` : '';
  return parts.join('\ncaused by ') + stack + (userError ? `\n${userCodeErrorLine(userError)}` : '');
}

function userCodeErrorLine(e: UserCodeError): string {
  const cause = e.cause;
  const fields: UserCodeErrorFields = {
    transform: e.transform,
    phase: e.phase,
    name: cause instanceof Error ? cause.name : 'Error',
    message: cause instanceof Error ? cause.message : String(cause),
  };
  return `${USER_CODE_ERROR_LINE} ${JSON.stringify(fields)}`;
}

/**
 * The UserCodeError a job server's error text carries (the first, if several bundles failed), or
 * undefined. Its cause is an error with the user's message and error name, whose own cause is
 * `jobError` (what the job server said: job id, endpoint, the whole text).
 */
export function userCodeErrorIn(texts: readonly string[], jobError: Error): UserCodeError | undefined {
  for (const text of texts) {
    let at = text.indexOf(USER_CODE_ERROR_LINE);
    while (at >= 0) {
      const fields = parseFields(text.slice(at + USER_CODE_ERROR_LINE.length));
      if (fields) {
        const cause = new Error(fields.message, { cause: jobError });
        cause.name = fields.name;
        return new UserCodeError(fields.transform, fields.phase, cause);
      }
      at = text.indexOf(USER_CODE_ERROR_LINE, at + 1);
    }
  }
  return undefined;
}

/** The JSON object that starts `rest` (a runner may append text after it on the same line). */
function parseFields(rest: string): UserCodeErrorFields | undefined {
  const line = rest.trimStart().split('\n', 1)[0]!;
  // The object ends at the last '}' that makes it parse: Flink may add text after it.
  for (let end = line.lastIndexOf('}'); end > 0; end = line.lastIndexOf('}', end - 1)) {
    try {
      const v = JSON.parse(line.slice(0, end + 1)) as Partial<UserCodeErrorFields>;
      if (typeof v.transform === 'string' && typeof v.phase === 'string' && typeof v.message === 'string') {
        return { transform: v.transform, phase: v.phase, name: typeof v.name === 'string' ? v.name : 'Error', message: v.message };
      }
      return undefined;
    } catch {
      // not yet the object's end
    }
  }
  return undefined;
}
