import { countTokens, truncateToTokens } from '../../infra/simulator/tokens';
import { streamFragments } from '../../infra/simulator/stream-fragments';

/** Reference counts for cl100k_base (tiktoken), as best known; the estimate must land within ~20%. */
const REFERENCE: [string, number][] = [
  ['Hello world', 2],
  ['The quick brown fox jumps over the lazy dog.', 10],
  ['Parsimony is a self-hosted service that reduces the cost of large language model calls by routing, caching, compressing and batching requests.', 27],
  ['{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}', 22],
  ['function add(a, b) {\n  return a + b;\n}', 14],
  ['In 2024, revenue grew 12.5% to $4,200,000 across 37 countries.', 23],
];

describe('token estimate', () => {
  it.each(REFERENCE)('is within 20%% of tiktoken for %j', (text, expected) => {
    const got = countTokens(text);
    expect(Math.abs(got - expected) / expected).toBeLessThanOrEqual(0.2 + 1 / expected);
  });

  it('scales like tiktoken on long prose (~1.3 tokens per word)', () => {
    const text = 'The customer asked whether the refund policy covers orders shipped abroad, and the agent explained the details. '.repeat(100);
    const words = text.split(/\s+/).filter(Boolean).length;
    const ratio = countTokens(text) / words;
    expect(ratio).toBeGreaterThan(1.05);
    expect(ratio).toBeLessThan(1.5);
  });

  it('truncates to a token budget and streams fragments that join back to the text', () => {
    const text = 'one two three four five six seven eight nine ten';
    const cut = truncateToTokens(text, 4);
    expect(cut.truncated).toBe(true);
    expect(cut.text).toBe('one two three four');
    expect(truncateToTokens(text, 100)).toEqual({ text, tokens: countTokens(text), truncated: false });
    expect(streamFragments(text).join('')).toBe(text);
    expect(countTokens('')).toBe(0);
  });
});
