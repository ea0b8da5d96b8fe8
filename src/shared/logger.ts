import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs for services and log shippers; human-readable lines
 * when a person is watching a terminal.
 */
export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const pretty = options.pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== "test");
  if (pretty) {
    return pino({
      level,
      transport: { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname", translateTime: "SYS:HH:MM:ss" } },
    });
  }
  return pino({ level, base: undefined });
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
