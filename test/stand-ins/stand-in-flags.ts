/**
 * Command-line handling shared by the test stand-ins (kube-apiserver,
 * kube-scheduler, kube-controller-manager): the forms and errors of pflag,
 * which the real binaries use, so a badly rendered manifest fails here as it
 * would there.
 */

export function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

/** pflag's forms: --name=value, --name value, a bare --name for booleans (`bool`), -v=2 for the one short flag. */
export function parseFlags(command: string, argv: string[], known: ReadonlySet<string>, bool: ReadonlySet<string>): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) fail(`Error: "${command}" does not take any arguments, got ["${arg}"]`);
    const name = m[1] ?? '';
    // cobra adds -h/--help to every command, listed or not.
    if (!known.has(name) && name !== 'h' && name !== 'help')
      fail(arg.startsWith('--') ? `Error: unknown flag: --${name}` : `Error: unknown shorthand flag: '${name}' in ${arg}`);
    let value = m[2];
    const next = argv[i + 1];
    if (value === undefined && (bool.has(name) || next === undefined || next.startsWith('-'))) value = 'true';
    if (value === undefined) {
      value = next ?? '';
      i++;
    }
    flags.set(name, value);
  }
  return flags;
}

/** A Go duration ("5s", "1m30s", "500ms", "0") in milliseconds; undefined if it is not one. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (unitMs[p[2] ?? ''] ?? 0), 0);
}
