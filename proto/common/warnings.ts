/**
 * grpc-js sets the TLS ServerName to the target even when it is an IP address,
 * and Node warns about that (DEP0123) once per process. Masters are dialled by
 * address and their certificates carry the address as an IP SAN, which is
 * verified all the same; the warning only clutters belayctl's output and the
 * daemons' logs, so this one code is dropped. Every other warning is printed.
 */
const emit = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
  const opt = rest[0];
  const code = typeof opt === 'object' && opt !== null ? (opt as { code?: string }).code : rest[1];
  if (code === 'DEP0123') return;
  (emit as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
};
