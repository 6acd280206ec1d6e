import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog } from '../../shared/core/catalog/catalog';
import { WordVectorEmbedder } from '../../shared/levers/cache/embedders/word-vector-embedder';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { isChitChat } from '../../shared/levers/routing/turn-shape';
import { SURFACE_DEFINITIONS } from '../../shared/surfaces/registry';
import { ask } from './helpers';

/**
 * Regression: a bare "Hello!" was routed to the frontier on every surface. It is far from every training
 * centroid, so the out-of-distribution check overrode the everyday cap. The shipped weights and the real
 * embedded encoder (the one the platform loads) are used, since the bug lived in their combination.
 * The vector file's one-off conversion is cached under os.tmpdir() (shared with the cache lever's tests).
 */
const encoder = WordVectorEmbedder.load({ dataDir: join(tmpdir(), 'parsimony-test-embeddings') });
const router = ComplexityRouter.load(Catalog.load(), { encoder });

const bodies: Record<string, (text: string) => unknown> = {
  chat_completions: (text) => ({ model: 'auto', messages: [{ role: 'user', content: text }] }),
  responses: (text) => ({ model: 'auto', input: text }),
  messages: (text) => ({ model: 'auto', max_tokens: 256, messages: [{ role: 'user', content: text }] }),
};

describe('chit-chat and the out-of-distribution check', () => {
  it('uses the encoder the weights were trained with, so the check is live', () => {
    expect(router.usesEncoder).toBe(true);
    // The check still fires on a prompt unlike the training rows that is no everyday shape (its score alone says small).
    const far = router.decide({ request: ask('Nenne mir ein Synonym für schnell.'), requestedModel: 'auto' });
    expect(far.ood).toBeDefined();
    expect(far.tier).toBe('frontier');
  });

  it.each(Object.keys(bodies))('does not send a bare "Hello!" on %s to the frontier', async (surface) => {
    const parsed = await SURFACE_DEFINITIONS[surface as keyof typeof SURFACE_DEFINITIONS]!.parse(bodies[surface]('Hello!'), { tenant: 'acme' });
    const d = router.decide({ request: parsed.request, requestedModel: parsed.requestedModel });
    expect(d.routed).toBe(true);
    expect(d.tier).not.toBe('frontier');
    expect(d.ood).toBeUndefined();
    expect(d.reason).not.toMatch(/out of distribution/);
  });

  it('keeps other everyday chit-chat and short questions off the frontier, however far from the training rows', () => {
    for (const text of ['Hi', 'Thanks!', 'Bonjour', 'ok', 'Hi there, how are you?', 'Thank you so much 🙏', 'Good morning!', 'Wie spät ist es in Tokio?']) {
      const d = router.decide({ request: ask(text), requestedModel: 'auto' });
      expect([text, d.tier, d.ood]).toEqual([text, expect.not.stringMatching(/frontier/), undefined]);
    }
  });

  it('does not treat a greeting followed by real work as chit-chat', () => {
    const d = router.decide({ request: ask('Hi! Prove that there are infinitely many primes, step by step.'), requestedModel: 'auto' });
    expect(d.tier).toBe('frontier');
    expect(d.reason).not.toMatch(/chit-chat/);
  });

  it('isChitChat: pleasantries, an addressee and punctuation only', () => {
    for (const t of ['Hello!', 'hey there', 'Hello Claude!', 'Great, thanks!', 'see you later 👋', 'Buenos días']) expect([t, isChitChat(t)]).toEqual([t, true]);
    for (const t of ['hi can you help', 'Hello, write a poem', 'hello world peace', 'Okay, now do the same for Java', 'Hiroshima', 'Hey hey hey hey', 'Hi Fix my code', `${'Hi '.repeat(30)}`])
      expect([t, isChitChat(t)]).toEqual([t, false]);
  });
});
