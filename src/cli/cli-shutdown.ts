import type { LoadedConfig } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import { Shutdown } from '../daemon/shutdown.js'

/**
 * Runs `work` with SIGINT/SIGTERM handled (docs/OPERATIONS.md): the first
 * signal stops the run cleanly within `shutdownSeconds`, a second forces
 * the exit.
 */
export async function withShutdown<T>(
  loaded: LoadedConfig,
  log: Logger,
  work: (shutdown: Shutdown) => Promise<T>,
): Promise<T> {
  const shutdown = new Shutdown({
    graceMs: loaded.config.shutdownSeconds * 1000,
    onSignal: (signal, forced) =>
      forced
        ? log.error({ signal }, 'second signal: exiting now; the database rolls back what was not committed')
        : log.warn(
            { signal, graceSeconds: loaded.config.shutdownSeconds },
            'stopping: the run in progress commits or rolls back, then the process exits',
          ),
  }).install()
  try {
    return await work(shutdown)
  } finally {
    shutdown.uninstall()
  }
}
