import { createHash } from 'node:crypto';

/**
 * Turns any JS string (tenant, tag, scope, job id, idempotency key) into a
 * Redis key segment without throwing. `encodeURIComponent` throws a URIError
 * on a lone surrogate ("\ud800"), which JSON bodies can carry; here a lone
 * surrogate becomes `%uD800` — a form encodeURIComponent never emits (it
 * escapes "%" itself as "%25"), so distinct inputs stay distinct segments and
 * no segment can contain ":" or reach into another key.
 */
export function keyPart(s: string): string {
  if (isWellFormed(s)) return encodeURIComponent(s);
  let out = '';
  let run = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff;
    const low = c >= 0xdc00 && c <= 0xdfff;
    if (high && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      run += s[i] + s[i + 1];
      i++;
    } else if (high || low) {
      out += encodeURIComponent(run) + `%u${c.toString(16).toUpperCase().padStart(4, '0')}`;
      run = '';
    } else run += s[i];
  }
  return out + encodeURIComponent(run);
}

/**
 * sha256 (hex) of a user string, injective over JS strings: a well-formed
 * string hashes its UTF-8 bytes (unchanged from before), an ill-formed one
 * hashes 0xFF + its keyPart — Node would otherwise encode every lone
 * surrogate as U+FFFD, so "\ud800" and "\ud801" would share a hash. 0xFF
 * never occurs in UTF-8, so the two kinds cannot meet.
 */
export function sha256OfUserString(s: string): string {
  const h = createHash('sha256');
  if (isWellFormed(s)) h.update(s, 'utf8');
  else h.update(Buffer.concat([Buffer.from([0xff]), Buffer.from(keyPart(s), 'ascii')]));
  return h.digest('hex');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** String.prototype.isWellFormed (ES2024), which the project's TS lib does not declare yet. */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}
