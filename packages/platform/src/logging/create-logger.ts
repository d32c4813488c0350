import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import { redactSensitive, redactUrl } from './redact-sensitive.ts';
import { scrubLogLine } from './scrub-log-line.ts';

/** The platform's structured logger (pino). Child loggers inherit its redaction and masking. */
export type Logger = PinoLogger;

/** Levels from most to least severe; `silent` logs nothing. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  level: LogLevel;
  /** Where JSON lines go; standard output when omitted. Tests pass an object with `write(line)`. */
  destination?: DestinationStream;
}

/**
 * Creates the JSON logger every process uses. Whatever is logged:
 * - fields named like secrets, credentials or card data (`password`, `authorization`, `cookie`,
 *   `token`, `cvc`, `number`, … in any case style, at any depth up to 8) become `[redacted]`;
 * - card numbers anywhere in the line (messages, error messages and stacks, fields) become `•••• 4242`,
 *   and passwords in URLs `[redacted]`;
 * - requests are logged as method, path (sensitive query values redacted) and client address, never
 *   headers or bodies.
 *
 * @example
 * const logger = createLogger({ level: 'info' });
 * logger.info({ user: { password: 'x' } }, 'signed in'); // {"level":"info",…,"user":{"password":"[redacted]"}}
 */
export function createLogger(options: LoggerOptions): Logger {
  const logger = pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSensitive(bindings),
        log: (object) => redactSensitive(object),
      },
      serializers: { err: serializeError, error: serializeError, req: serializeRequest, res: serializeReply },
      // Runs on the finished line, so no path (message, stack, cause, nested field) escapes masking.
      hooks: { streamWrite: scrubLogLine },
    },
    options.destination,
  );
  // pino applies `formatters.bindings` to the root only; children (one per request) inherit this.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactSensitive(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return redactSensitive(err);
  // Errors carry their own enumerable fields (an HTTP client's request config, a driver's parameters).
  return redactSensitive({ ...pino.stdSerializers.err(err) });
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

function serializeRequest(req: RequestLike): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    remote_address: req.ip,
    remote_port: req.socket?.remotePort,
  };
}

function serializeReply(reply: { statusCode?: number }): Record<string, unknown> {
  return { status_code: reply.statusCode };
}
