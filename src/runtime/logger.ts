/** The runtime's pluggable logger. The server passes its own; tests pass nothing or a recorder. */
export interface RuntimeLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** Logs nothing. The default everywhere a logger is optional. */
export const silentLogger: RuntimeLogger = { debug: noop, info: noop, warn: noop, error: noop };
