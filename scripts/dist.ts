/**
 * The benchmarks run the built daemons (dist/), as an operator would: this
 * loads a module from there, or exits with the command that builds it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function fromDist<T>(rel: string, bench: string): Promise<T> {
  const file = path.join(top, 'dist', rel);
  if (!fs.existsSync(file)) {
    console.error(`${bench}: dist/ is missing: run npm run build first`);
    process.exit(1);
  }
  return (await import(file)) as T;
}
