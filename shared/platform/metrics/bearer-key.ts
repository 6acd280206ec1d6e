import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries `key`, as `Bearer <key>` or as the
 * password of HTTP Basic (so a browser's login prompt works). Digests are
 * compared in constant time, so timing does not reveal the key.
 */
export function authorizationMatches(header: string | undefined, key: string): boolean {
  if (!header) return false;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  let presented = bearer?.[1];
  if (!presented) {
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      presented = decoded.slice(decoded.indexOf(':') + 1);
    }
  }
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(key));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
