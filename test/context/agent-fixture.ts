import type { ModelEntry } from '../../shared/core/catalog/catalog';
import { Catalog } from '../../shared/core/catalog/catalog';
import type { SummarizeInput, SummarizeResult, Summarizer } from '../../shared/levers/context/summarizer';
import type { ChatMessage, ChatRequest } from '../../shared/core/chat-model';

/** Shape of one synthetic agent step. */
export interface StepShape {
  /** Parallel calls in this cycle (1-3). */
  calls: number;
  /** A user/assistant text exchange before the cycle. */
  chat: boolean;
}

export const SYSTEM_PROMPT = 'You are a travel agent. Follow the policy.\nNever book without explicit confirmation.';
export const TASK = 'Please move my reservation ABC123 to June 3rd.';

/** A deterministic agent conversation: system, task, then one tool cycle per step. */
export function agentRequest(steps: StepShape[]): ChatRequest {
  const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: TASK }] }];
  steps.forEach((step, i) => {
    if (step.chat) {
      messages.push({ role: 'assistant', content: [{ type: 'text', text: `Step ${i}: I checked flight HAT${100 + i}. Shall I continue?` }] });
      messages.push({ role: 'user', content: [{ type: 'text', text: `Yes, continue with payment gift_card_${7000 + i}.` }] });
    }
    const calls = Array.from({ length: step.calls }, (_, j) => ({
      id: `call_${i}_${j}`,
      name: j % 2 ? 'search_flights' : 'get_reservation',
      arguments: JSON.stringify({ reservation_id: `R${i}X${j}` }),
    }));
    messages.push({ role: 'assistant', content: [], tool_calls: calls });
    for (const c of calls)
      messages.push({
        role: 'tool',
        tool_call_id: c.id,
        content: JSON.stringify({
          reservation_id: `R${i}X${c.id.slice(-1)}`,
          flights: [
            { flight_number: `HAT${200 + i}`, date: `2024-06-${String((i % 27) + 1).padStart(2, '0')}`, price: 100 + i * 7 },
            { flight_number: `HAT${300 + i}`, date: '2024-06-03', price: 250 + i },
          ],
          note: 'The passenger asked for an aisle seat and vegetarian meal; status confirmed by the operating carrier.',
        }),
      });
  });
  return { model: 'gpt-4.1', system: [{ type: 'text', text: SYSTEM_PROMPT }], messages, sampling: {} };
}

export function steps(n: number, shape: Partial<StepShape> = {}): StepShape[] {
  return Array.from({ length: n }, (_, i) => ({ calls: shape.calls ?? 1, chat: shape.chat ?? i % 3 === 1 }));
}

export const SMALL_MODEL: ModelEntry = Catalog.load().byTier('small', 'openai')[0];

/** Our own Summarizer that counts calls and records inputs (a real implementation of the interface). */
export class CountingSummarizer implements Summarizer {
  calls = 0;
  inputs: SummarizeInput[] = [];
  constructor(private readonly fail = false) {}
  async summarize(input: SummarizeInput): Promise<SummarizeResult> {
    this.calls++;
    this.inputs.push(input);
    if (this.fail) throw new Error('summarizer down');
    return {
      text: `Summary ${this.calls}: the agent looked up reservations for ABC123.`,
      usage: { input_tokens: 1000, output_tokens: 50, cached_input_tokens: 0, cache_write_tokens: 0 },
      model: SMALL_MODEL,
    };
  }
}
