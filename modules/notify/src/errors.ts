/**
 * Error codes the notify module answers with besides the platform's own (`validation_failed`,
 * `unauthorized`, `forbidden`). It has none of its own yet: its one route only lists messages.
 */
export const notifyErrorCodes = {} as const;
