/**
 * The one base class for expected failures. `code` is stable (logs, metrics and
 * tests key on it); the message starts with the stage and says what to do.
 */
export class FeedEnricherError extends Error {
  readonly code: string;
  readonly stage: string;

  constructor(stage: string, code: string, message: string, options?: { cause?: unknown }) {
    super(`${stage}: ${message}`, options);
    this.name = new.target.name;
    this.stage = stage;
    this.code = code;
  }
}

export class ConfigError extends FeedEnricherError {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super("config", "invalid-config", `${file} has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    this.problems = problems;
  }
}

/** Turns anything thrown into a code and message fit for a log line or a summary. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof FeedEnricherError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: "internal", message: `internal: ${error.message}` };
  return { code: "internal", message: `internal: ${String(error)}` };
}
