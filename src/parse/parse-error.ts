import { FeedEnricherError } from "../shared/errors.js";

export type ParseErrorCode = "parse" | "not-a-feed" | "empty" | "timeout" | "hostile-xml";

export class ParseError extends FeedEnricherError {
  declare readonly code: ParseErrorCode;
  constructor(code: ParseErrorCode, message: string, options?: { cause?: unknown }) {
    super("parse", code, message, options);
  }
}
