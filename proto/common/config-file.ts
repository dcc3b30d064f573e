import fs from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { closest } from './closest.js';

/**
 * A config that could not be loaded. `problems` holds one line per bad field,
 * each naming the field, the value and the fix; daemons print them and exit 2.
 */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and parses a YAML config file; a missing or unparsable file is a ConfigError. */
export function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(file, [`cannot read the config file (${code}): pass an existing YAML file with --config`]);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'} column ${e.linePos?.[0].col ?? '?'}: ${e.message.split('\n')[0] ?? ''}: fix the YAML syntax`),
    );
  }
  const value: unknown = doc.toJS();
  return value ?? {};
}

/** Validates `input` against `schema`, turning every zod issue into one line. */
export function validate<S extends z.ZodType>(file: string, schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(
    file,
    r.error.issues.map((i) => describeIssue(i, input, schema)),
  );
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, schema: z.ZodType): string {
  const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((k) => {
        const known = knownKeysAt(schema, issue.path);
        const near = closest(k, known);
        return `${issue.path.length ? field + '.' : ''}${k}: unknown field${near ? `: did you mean "${near}"?` : ': remove it'}`;
      })
      .join('\n');
  }
  if (issue.code === 'invalid_key') {
    const key = String(issue.path.at(-1) ?? '');
    return `${field}: "${key}" is not a valid name: ${issue.issues[0]?.message ?? issue.message}`;
  }
  const got = valueAt(input, issue.path);
  const shown = got === undefined ? 'nothing' : JSON.stringify(got);
  return `${field}: got ${shown}: ${issue.message}`;
}

function valueAt(input: unknown, p: PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** The field names the schema allows at `p`, for "did you mean". */
function knownKeysAt(schema: z.ZodType, p: PropertyKey[]): string[] {
  let s: z.core.$ZodType | undefined = schema;
  const unwrap = (t: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    let cur = t;
    while (cur && 'innerType' in cur._zod.def) cur = (cur._zod.def as { innerType: z.core.$ZodType }).innerType;
    return cur;
  };
  for (const k of p) {
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = s.shape[String(k)] as z.core.$ZodType | undefined;
    else if (s instanceof z.ZodArray) s = s.element;
    else if (s instanceof z.ZodRecord) s = s._zod.def.valueType;
    else return [];
  }
  s = unwrap(s);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}
