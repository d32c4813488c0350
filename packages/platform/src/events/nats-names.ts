/** Subjects, stream and durable names of the NATS transport, all derived from one subject prefix. */
export interface NatsNames {
  stream: string;
  /** Every event subject: `<prefix>.events.>`. */
  streamSubject: string;
  subject(type: string): string;
  durable(consumer: string, type: string): string;
}

const PREFIX = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

export function natsNames(subjectPrefix: string, streamName?: string): NatsNames {
  if (!PREFIX.test(subjectPrefix)) {
    throw new Error(`NATS subject prefix "${subjectPrefix}" must be dot-separated tokens without wildcards`);
  }
  return {
    // Stream and durable names may not contain dots (nor wildcards or spaces).
    stream: streamName ?? `${subjectPrefix.replaceAll('.', '_')}_events`,
    streamSubject: `${subjectPrefix}.events.>`,
    subject: (type) => `${subjectPrefix}.events.${type}`,
    // Consumer names never contain '--' (assertConsumerName), so the pair maps back unambiguously.
    durable: (consumer, type) => `${consumer}--${type.replaceAll('.', '_')}`,
  };
}
