/** `--name=value` from this process's command line (benchmarks pass their settings to child processes this way). */
export function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
}
