import type { ClaimedCard, VaultService } from '@emporium/vault/contract';
import type { PaymentProvider } from '../contract/index.ts';

/**
 * The built-in provider: cards tokenized by the vault (`tok_…`). Payments hands the vault the
 * token; the vault decrypts the card and forwards it to the acquirer. Capture, void and refund go
 * by the acquirer's authorization reference.
 */
export function createVaultProvider(vault: VaultService): PaymentProvider {
  return {
    name: 'vault',
    accepts: (token) => token.startsWith('tok_'),
    async authorize(request) {
      const r = await vault.forwardAuthorization(
        request.token,
        {
          amount: request.amount,
          currency: request.currency,
          reference: request.reference,
          idempotencyKey: request.idempotencyKey,
        },
        {
          // The handles this provider's prepareMany gave out are the vault's own.
          ...(request.prepared ? { claimed: request.prepared as ClaimedCard } : {}),
          ...(request.settleApproval ? { settleApproval: request.settleApproval } : {}),
        },
      );
      return r.ok ? { ok: true, authorizationRef: r.authorizationRef, card: r.card } : r;
    },
    prepareMany: (items, trx) => vault.claimMany(items, trx),
    settleApprovedMany: (items, trx) => vault.settleApprovedMany(items, trx),
    capture: (ref, amount, key) => vault.acquirer.capture(ref, amount, key),
    void: (ref, key) => vault.acquirer.void(ref, key),
    refund: (ref, amount, key) => vault.acquirer.refund(ref, amount, key),
  };
}
