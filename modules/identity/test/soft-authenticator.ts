import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const b64u = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url');
const u8 = (b: Buffer) => new Uint8Array(b);

/**
 * A software WebAuthn authenticator (ES256, attestation "none") that answers as a browser would:
 * real keys, real signatures, the clientDataJSON and authenticator data of the spec. Tests change
 * the origin, the challenge or the counter it reports to check what the server refuses.
 */
export function softAuthenticator() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const credentialId = randomBytes(16);
  let counter = 0;
  const cose = new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, u8(Buffer.from(jwk.x ?? '', 'base64url'))],
    [-3, u8(Buffer.from(jwk.y ?? '', 'base64url'))],
  ]);
  const rpIdHash = (rpId: string) => createHash('sha256').update(rpId).digest();
  const be32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const FLAGS_UP_UV = 0x01 | 0x04;

  return {
    id: b64u(credentialId),
    /** The counter the next assertion reports (default: one more than the last). */
    get counter() {
      return counter;
    },

    register(options: { challenge: string; rp: { id?: string } }, origin: string): RegistrationResponseJSON {
      const clientDataJSON = Buffer.from(
        JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }),
      );
      const credentialIdLength = Buffer.alloc(2);
      credentialIdLength.writeUInt16BE(credentialId.length);
      const authData = Buffer.concat([
        rpIdHash(options.rp.id ?? ''),
        Buffer.from([FLAGS_UP_UV | 0x40]), // AT: attested credential data follows
        be32(counter),
        Buffer.alloc(16), // AAGUID
        credentialIdLength,
        credentialId,
        Buffer.from(isoCBOR.encode(cose)),
      ]);
      const attestationObject = isoCBOR.encode(
        new Map<string, string | Uint8Array | Map<string, string>>([
          ['fmt', 'none'],
          ['attStmt', new Map<string, string>()],
          ['authData', u8(authData)],
        ]),
      );
      return {
        id: b64u(credentialId),
        rawId: b64u(credentialId),
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64u(clientDataJSON),
          attestationObject: b64u(attestationObject),
          transports: ['internal'],
        },
      };
    },

    assert(
      options: { challenge: string; rpId?: string },
      origin: string,
      override: { counter?: number; rpId?: string } = {},
    ): AuthenticationResponseJSON {
      counter = override.counter ?? counter + 1;
      const clientDataJSON = Buffer.from(
        JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }),
      );
      const authData = Buffer.concat([
        rpIdHash(override.rpId ?? options.rpId ?? ''),
        Buffer.from([FLAGS_UP_UV]),
        be32(counter),
      ]);
      const signature = sign(
        'sha256',
        Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]),
        privateKey,
      );
      return {
        id: b64u(credentialId),
        rawId: b64u(credentialId),
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64u(clientDataJSON),
          authenticatorData: b64u(authData),
          signature: b64u(signature),
        },
      };
    },
  };
}
