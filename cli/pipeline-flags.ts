/** A pipeline's declared options, as yargs flags: typed in `--help`, converted and checked by sdk/options. */
import type { Argv, Options } from 'yargs';
import { coerceOptionValue, expectedText, type OptionDeclarations } from '../sdk/options/index.js';
import { UsageError } from './errors.js';

export function addPipelineFlags<T>(y: Argv<T>, declarations: OptionDeclarations, file: string, reserved: readonly string[]): Argv<T> {
  const names = Object.keys(declarations);
  for (const name of names) {
    if (reserved.includes(name)) {
      throw new UsageError(`pipeline option --${name} declared in ${file} clashes with tributary's own --${name} flag; give the option another name`);
    }
    const spec = declarations[name]!;
    const describe = [spec.describe ?? '', spec.required && spec.default === undefined ? '(required)' : ''].filter(Boolean).join(' ');
    const opt: Options = {
      type: spec.type,
      describe: describe || `${expectedText(spec)}`,
      // Strings and numbers reach the coerce function as typed, so a malformed number is reported
      // with the text the user gave (yargs would turn it into NaN first).
      string: spec.type !== 'boolean',
      coerce: (raw: unknown) => coerceOptionValue(name, spec, raw),
    };
    if (spec.default !== undefined) opt.default = spec.default;
    if ('choices' in spec && spec.choices) opt.choices = [...spec.choices];
    y = y.option(name, opt) as Argv<T>;
  }
  if (names.length) y = y.group(names, `Pipeline options (declared by ${file}):`) as Argv<T>;
  return y;
}
