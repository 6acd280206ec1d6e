import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RankOf } from '../guards/word-match';
import { FEATURE_GROUPS, FEATURE_NAMES, isStatementPair, pairFeatures, type PreparedText } from './pair-features';
import type { WordVectorOf } from './word-alignment';
import { compileTrees, type CompiledTrees } from './boosted-trees';
import { PairModelSchema, scorePair, treesOf, type PairModel } from './pair-model';
// Imported (not read from disk) so the build output carries it: tsc copies imported JSON into dist/.
import embeddedWeights from './models/wink-sg-100d-sif1-100d.json';

/** Weights shipped inside the build, by embedder fingerprint. */
const BUNDLED: Record<string, unknown> = { [embeddedWeights.embedder]: embeddedWeights };

/** Where the trained weights for an embedder live (shipped in the repo). */
export function modelPathFor(fingerprint: string): string {
  return join(__dirname, 'models', `${fingerprint}.json`);
}

/**
 * The one verifier between a semantic candidate and a served hit: the
 * learned pair model's probability that query and candidate ask the same
 * thing. An embedder with no trained weights falls back to its cosine (and
 * its own calibrated threshold) — train weights for it with
 * `npm run cache:train-verifier`.
 */
export class Verifier {
  private readonly index: number[];
  /** Whether the model reads the word-alignment features (else they are not computed). */
  private readonly aligns: boolean;
  /** The model's trees in flat arrays, mapped into FEATURE_NAMES order. */
  private readonly compiled?: CompiledTrees;

  constructor(
    readonly model: PairModel | null,
    private readonly rankOf?: RankOf,
    private readonly wordVectorOf?: WordVectorOf,
  ) {
    this.index = model ? model.features.map((f) => FEATURE_NAMES.indexOf(f)) : [];
    const trees = model && treesOf(model);
    this.compiled = trees ? compileTrees(trees, this.index) : undefined;
    this.aligns = !!model?.features.some((f) => (FEATURE_GROUPS.alignment as readonly string[]).includes(f));
    if (this.index.some((i) => i < 0)) throw new Error(`verifier model uses unknown features: ${model?.features.join(', ')}`);
  }

  /** Loads the shipped weights for this embedder, or a cosine-only verifier when there are none. */
  static forEmbedder(fingerprint: string, rankOf?: RankOf, wordVectorOf?: WordVectorOf): Verifier {
    const file = modelPathFor(fingerprint);
    const raw = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : BUNDLED[fingerprint];
    if (!raw) return new Verifier(null, rankOf, wordVectorOf);
    const model = PairModelSchema.parse(raw);
    if (model.embedder !== fingerprint) throw new Error(`verifier ${file} was trained for ${model.embedder}, not ${fingerprint}`);
    return new Verifier(model, rankOf, wordVectorOf);
  }

  get name(): string {
    if (!this.model) return 'cosine';
    return this.model.trees ? `pair-gbt:${this.model.trees.length}x${this.model.features.length}` : `pair-lr:${this.model.features.length}`;
  }

  /** The score at or above which the verifier serves (the model's CV-chosen one), or null for cosine-only. */
  get defaultThreshold(): number | null {
    return this.model?.threshold ?? null;
  }

  /** Probability that the pair means the same (the cosine when there is no model). `cos`: the store's similarity. */
  score(query: PreparedText, candidate: PreparedText, cos?: number): number {
    const features = pairFeatures(query, candidate, this.rankOf, cos, this.wordVectorOf, !this.aligns);
    return this.model ? scorePair(this.model, features, this.index, isStatementPair(query, candidate), this.compiled) : features[0];
  }
}
