import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run the HTTP service and pull every enabled feed on its schedule (HOST, PORT, DATABASE_URL, ...)',
    )
    .action(async () => {
      // Loaded on demand: the HTTP stack is most of the start-up time of every other command.
      const { startServer } = await import('../../api/server.js');
      const server = await startServer(loadConfig());
      const shutdown = (signal: string) => {
        server.app.log.info({ signal }, 'shutting down');
        // A second signal, or a hang, must not keep the process alive.
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        server.close().then(
          () => process.exit(0),
          (err) => {
            server.app.log.error({ err }, 'error during shutdown');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
