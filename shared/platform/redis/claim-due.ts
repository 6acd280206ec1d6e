/**
 * Takes the due members of a sorted set of pending work (score = when due), each for `lease` ms, atomically: two
 * pollers never look at one member at once, and a poller that dies leaves its members due again when the lease
 * lapses. Used by the routing shadows' and the verified cache's comparers. KEYS: pending. ARGV: now, lease ms, limit.
 */
export const CLAIM_DUE_SCRIPT = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), id) end
return due
`;
