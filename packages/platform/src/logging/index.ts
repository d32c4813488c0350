export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './create-logger.ts';
export { isLuhnValid, maskCardNumbers } from './mask-card-numbers.ts';
export {
  isSensitiveKey,
  maskUrlCredentials,
  REDACTED,
  redactSensitive,
  redactUrl,
} from './redact-sensitive.ts';
