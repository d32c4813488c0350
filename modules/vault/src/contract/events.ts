/**
 * Events the vault writes to the outbox. None carries card data beyond brand and last 4.
 */
export const vaultEvents = {
  /** A new key-encryption key became current and every data key was re-wrapped. Payload: {@link KeyRotated}. */
  keyRotated: 'vault.key.rotated.v1',
} as const;

/** Payload of `vault.key.rotated.v1`. */
export interface KeyRotated {
  /** The new key-encryption key's id (never the key). */
  keyId: string;
  /** Cards whose data key was re-wrapped by this run. */
  rewrapped: number;
}
