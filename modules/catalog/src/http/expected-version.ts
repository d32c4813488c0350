import { Type } from 'typebox';
import { invalidRequest } from '../errors.ts';

/** Documents `If-Match` in OpenAPI; other headers pass. */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 100, description: 'The version from the ETag, e.g. "3".' }),
  ),
});

const VERSION = /^(?:W\/)?"?([1-9][0-9]{0,8})"?$/;

/**
 * The version a write expects, from `If-Match` (the admin ETag, `"3"`) or the body's `version`;
 * undefined when the client sent neither (or `If-Match: *`), and the write then applies to the
 * current version. Both at once must agree.
 */
export function expectedVersion(ifMatch: string | undefined, bodyVersion?: number): number | undefined {
  let fromHeader: number | undefined;
  const header = ifMatch?.trim();
  if (header !== undefined && header !== '*') {
    const match = VERSION.exec(header);
    if (!match) {
      throw invalidRequest(
        '/if-match',
        'must be a version as the ETag gives it, e.g. "3"',
        'request headers',
      );
    }
    fromHeader = Number(match[1]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw invalidRequest(
      '/if-match',
      `names version ${fromHeader} but the body sends version ${bodyVersion}`,
      'request headers',
    );
  }
  return fromHeader ?? bodyVersion;
}

/** The admin ETag of a product: its version, which `If-Match` sends back. */
export const versionTag = (version: number): string => `"${version}"`;
