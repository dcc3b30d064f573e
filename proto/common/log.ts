import winston from 'winston';

export type LogFormat = 'json' | 'text';
export type Logger = winston.Logger;

/**
 * The one logger of a daemon: structured, one event per line on stdout.
 * Constant messages, data in fields (node, member, path, unit, durationMs, err, code).
 */
export function createLogger(format: LogFormat, level = 'info'): Logger {
  const base = [winston.format.timestamp(), winston.format.errors({ stack: true })];
  const fmt =
    format === 'json'
      ? winston.format.combine(...base, winston.format.json())
      : winston.format.combine(
          ...base,
          winston.format.printf(({ timestamp, level: lvl, message, ...fields }) => {
            const rest = Object.entries(fields)
              .filter(([k]) => k !== 'stack')
              .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
              .join(' ');
            const stack = typeof fields.stack === 'string' ? ` stack=${JSON.stringify(fields.stack)}` : '';
            return `${String(timestamp)} ${lvl.toUpperCase().padEnd(5)} ${String(message)}${rest ? ' ' + rest : ''}${stack}`;
          }),
        );
  return winston.createLogger({ level, format: fmt, transports: [new winston.transports.Console()] });
}

/** A logger that drops everything, for library code run from tests or belayctl. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
