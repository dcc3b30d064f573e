import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Command, Option } from 'commander';
import { ConfigError } from './config-file.js';
import { OperatorError, errorText } from './errors.js';
import { createLogger, type LogFormat, type Logger } from './log.js';
import { HostPaths } from './paths.js';
import { BELAY_VERSION } from './version.js';

export interface DaemonContext {
  /** --config as given, or <root>/etc/belay/<name>.yaml. */
  configFile: string;
  paths: HostPaths;
  logFormat: LogFormat;
  /** Builds the logger once the config's logLevel is known. */
  logger(level: string): Logger;
}

export interface RunningDaemon {
  log: Logger;
  /** Stop taking work, drain within the grace period, release everything. */
  stop(): Promise<void>;
}

/**
 * The shared shell of belay-agent and belay-coordinator: the flags of the operator contract (docs/architecture.md)
 * (--config, --root, --log-format), a bad config exits 2 with one line per
 * problem, SIGTERM/SIGINT stop cleanly, anything else fatal exits 1.
 */
export function runDaemon(o: {
  name: 'belay-agent' | 'belay-coordinator';
  summary: string;
  description: string;
  configName: string;
  start(ctx: DaemonContext): Promise<RunningDaemon>;
}): void {
  const program = new Command(o.name)
    .summary(o.summary)
    .description(o.description)
    .version(BELAY_VERSION)
    .option('--config <file>', `YAML config file (default: <root>/etc/belay/${o.configName})`)
    .option('--root <dir>', 'prefix for every host path the daemon touches, so that several masters can run on one machine', '/')
    .addOption(new Option('--log-format <format>', 'log lines as JSON objects or as text').choices(['json', 'text']).default('text'))
    .addHelpText(
      'after',
      `\nSignals:\n  SIGTERM, SIGINT   stop taking work, drain open calls (shutdownGraceMs), exit 0\n\nExit status:\n  0 stopped cleanly   1 failed at run time   2 bad flags or config\n\nSee docs/config.md for every config field and its default.`,
    )
    .showHelpAfterError()
    .action(async (opts: { config?: string; root: string; logFormat: LogFormat }) => {
      const paths = new HostPaths(opts.root);
      const configFile = opts.config ? path.resolve(opts.config) : path.join(paths.etcBelay, o.configName);
      let daemon: RunningDaemon;
      try {
        daemon = await o.start({ configFile, paths, logFormat: opts.logFormat, logger: (level) => createLogger(opts.logFormat, level) });
      } catch (err) {
        if (err instanceof ConfigError) {
          for (const line of err.message.split('\n')) process.stderr.write(`${o.name}: config: ${line}\n`);
          process.exit(2);
        }
        const hint = err instanceof OperatorError ? ` (${err.hint})` : '';
        process.stderr.write(`${o.name}: cannot start: ${errorText(err)}${hint}\n`);
        process.exit(1);
      }
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        daemon.log.info('stopping', { signal });
        daemon.stop().then(
          () => {
            daemon.log.info('stopped');
            process.exit(0);
          },
          (err: unknown) => {
            daemon.log.error('stop failed', { err: errorText(err) });
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
  program.parseAsync(process.argv).catch((err: unknown) => {
    process.stderr.write(`${o.name}: ${errorText(err)}\n`);
    process.exit(1);
  });
}

/** Graceful gRPC stop: refuse new calls, let open ones finish within graceMs, then cut them. */
export async function shutdownServer(server: grpc.Server, graceMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
