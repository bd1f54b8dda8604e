import { randomBytes } from 'node:crypto';

/**
 * A new id shaped like API Gateway's connection, request and message ids: 11 random bytes in
 * base64, 16 characters ending in `=` (for example `L0SM9cOFvHcCIhw=`). Like the real ones they
 * may contain `+` and `/`, so callers must URL-encode them in paths.
 */
export function newApiGatewayId(): string {
  return randomBytes(11).toString('base64');
}
