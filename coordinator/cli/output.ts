import YAML from 'yaml';
import { CliError, EXIT } from './exit-codes.js';

export type OutputFormat = 'table' | 'json' | 'yaml';

export function parseOutputFormat(v: string): OutputFormat {
  if (v === 'table' || v === 'json' || v === 'yaml') return v;
  throw new CliError(`-o ${v}: unknown output format; use table, json or yaml`, EXIT.usage);
}

/** Writes `data` as JSON or YAML, or calls `table` to render it for people. */
export function print(format: OutputFormat, data: unknown, table: () => string): void {
  if (format === 'json') process.stdout.write(JSON.stringify(data, null, 2) + '\n');
  else if (format === 'yaml') process.stdout.write(YAML.stringify(data));
  else process.stdout.write(table());
}

/** Left-aligned columns, two spaces apart, like kubectl. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)}${units[u] ?? ''}`;
}

/** Like kubectl's ages: 850ms, 12s, 5m, 3h, 2d. */
export function formatAge(ms: number): string {
  if (ms < 0) return 'never';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
