import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * Keys that must never reach a log line. Pino's redaction runs on the object
 * paths below, so secrets are removed however deep the object they ride in.
 */
export const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'req.headers["x-api-key"]',
  'secret',
  '*.secret',
  'webhookSecret',
  '*.webhookSecret',
];

export interface LoggerConfig {
  /** pino level; default "info". */
  level?: string;
  /** Service name added to every line. */
  service: string;
  /** Where lines go; default stdout. Tests pass a stream to capture output. */
  destination?: pino.DestinationStream;
}

/** The root logger of one service. Use `.child({ jobId, tenant })` per job. */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

export type { Logger };
