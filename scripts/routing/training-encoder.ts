import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routerEncoder, type SentenceEncoder } from '../../shared/levers/routing/sentence-encoder';

/**
 * The encoder training and evaluation embed with: the router's default (the cache lever's embedded word
 * vectors), converted once under PARSIMONY_DATA_DIR, else under the system temp dir (scripts never write
 * into the project). When the cache lever ships a better sentence embedder with `embedSync`, swap it in
 * here and in routerEncoder, and retrain: the weights record the encoder's fingerprint.
 */
export function encoderForTraining(): SentenceEncoder {
  const encoder = routerEncoder(process.env.PARSIMONY_DATA_DIR ?? join(tmpdir(), 'parsimony-routing'));
  if (!encoder) throw new Error('the router encoder could not be loaded (see the warning above); run with --encoder off to train without it');
  return encoder;
}
