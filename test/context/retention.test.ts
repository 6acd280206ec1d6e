import { argumentValues, nextCallRetention } from '../../scripts/context/eval-retention';
import type { ChatRequest } from '../../shared/core/chat-model';

const request = (toolOutput: string, note = ''): ChatRequest => ({
  model: 'gpt-4.1',
  system: [{ type: 'text', text: 'You are an airline agent.' }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: `Change reservation UM3OG5 for user omar_rossi_1241.${note}` }] },
    { role: 'assistant', content: [], tool_calls: [{ id: 'c1', name: 'search', arguments: '{"origin":"SEA"}' }] },
    { role: 'tool', tool_call_id: 'c1', content: toolOutput },
  ],
  sampling: {},
});

describe('next-call retention', () => {
  const next = [{ id: 'c2', name: 'book', arguments: JSON.stringify({ reservation_id: 'UM3OG5', flight: 'HAT136', seats: 2, cabin: 'economy', reason: 'user asked for a later flight' }) }];

  it('collects the leaf values of the next call', () => {
    expect(argumentValues(next[0])).toEqual(['UM3OG5', 'HAT136', 'economy', 'user asked for a later flight']);
  });

  it('counts only values the context held, and how many the compacted context still holds', () => {
    const original = request('[{"flight":"HAT136","cabin":"economy"},{"flight":"HAT201"}]');
    // A compaction that masked the search result but kept the flight in its facts ledger.
    expect(nextCallRetention(original, request('[masked; facts: HAT136]'), next)).toEqual({ total: 3, kept: 2 });
    // One that lost it: the flight the agent books next is gone.
    expect(nextCallRetention(original, request('[masked]'), next)).toEqual({ total: 3, kept: 1 });
    expect(nextCallRetention(original, original, next)).toEqual({ total: 3, kept: 3 });
  });
});
