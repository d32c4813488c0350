/**
 * One message to send. Plain text is required; HTML is optional (a simple rendering of the same
 * content). Never put card data, passwords or tokens other than a one-time link in a message.
 *
 * @example
 * { to: 'ada@example.com', subject: 'Verify your email', text: 'Open https://…/verify?t=…', kind: 'identity.verify_email' }
 */
export interface OutgoingMessage {
  /** One recipient address. */
  to: string;
  /** One line, at most 200 characters. */
  subject: string;
  text: string;
  html?: string;
  /** What kind of message, for staff listing and filtering: `order.confirmation`, `identity.password_reset`, … */
  kind: string;
}

/** How a message left: through SMTP (`sent`), or kept in the database for staff to read (`stored`). */
export interface SendResult {
  /** `msg_…` */
  id: string;
  status: 'sent' | 'stored';
}

/**
 * The notify module's service: other modules (identity's verification and password-reset mails)
 * call `send`. With `SMTP_URL` configured it delivers by SMTP (and keeps a record without the
 * body); without it the message is kept in the database and listed at `GET /admin/notifications`.
 * Throws when the SMTP server refuses or cannot be reached, so an event-driven caller retries.
 */
export interface NotifyService {
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** One message as staff see it at `GET /admin/notifications`. */
export interface StoredMessage {
  id: string;
  kind: string;
  to: string;
  subject: string;
  status: 'sent' | 'stored';
  /** Null for a message sent by SMTP (the body is not kept). */
  text: string | null;
  html: string | null;
  createdAt: Date;
}
