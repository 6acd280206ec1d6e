import type { Catalog, Tier } from '../../core/catalog/catalog';
import { ApiError } from '../../core/errors/api-error';
import type { RouteDecision } from '../../core/jobs/job-record';
import type { ChatRequest, ReasoningEffort } from '../../core/chat-model';
import { Calibration } from './calibration';
import { bandPosition, chooseEffort } from './effort';
import { LinearModel, type ModelScore } from './model';
import { OodDetector } from './ood';
import { DEFAULT_FRONTIER_SHARE, DEFAULT_SMALL_SHARE, type RoutingPolicy } from './policy';
import { QualityCurve } from './quality-target';
import { encoderText, type SentenceEncoder } from './sentence-encoder';
import { summarizeRequest, type RequestSummary } from './request-summary';
import { detectTask, GUARDED_TASKS, HINT_RULES, normalizeTask, PLAIN_TASKS, type TaskKind } from './task-hints';
import { agentStep, isChitChat, isEverydayTurn } from './turn-shape';
import { maxTier, minTier, requiredCapabilities, resolveTierModel, tierRank } from './tiers';
import { loadWeightsFile, parseWeightsFile, type WeightsFile } from './weights-file';
import bundledWeights from './weights.json';

export interface RouteInput {
  request: ChatRequest;
  /** "auto" or a catalog model id; a catalog id means no routing. */
  requestedModel: string;
  /** Caller's task hint: one of TASK_KINDS or free text. */
  task?: string;
  minTier?: Tier;
  maxTier?: Tier;
  /** A floor from outside the request, e.g. the highest tier this session had to escalate to (guards/session-floor.ts). */
  floorTier?: Tier;
  /** Target share of frontier calls for this request's tenant (overrides policy and default). */
  frontierShare?: number;
  /** Target share of small-tier calls (overrides policy and default). */
  smallShare?: number;
  policy?: RoutingPolicy;
  /**
   * Production feedback (guards/threshold-feedback.ts): per task, how far shadow disagreement raised
   * this tenant's thresholds, 0..1. Larger = a larger frontier share, a smaller small share, and from
   * 0.33 / 0.66 no small / no mid tier for that task.
   */
  raises?: Record<string, number>;
}

export interface RouterDecision extends RouteDecision {
  /** Difficulty score in [0, 1], computed even when no routing happens (for shadow evaluation). */
  score: number;
  /** false when the caller named a model or the tenant disabled routing. */
  routed: boolean;
  /** The task the decision assumed (hint, else detected), if any. */
  task?: TaskKind;
  /** The reasoning effort the router chose with the model (reasoning models only; a caller's effort is kept, not set here). */
  reasoning_effort?: ReasoningEffort;
  /** Set when the prompt was judged out of the training distribution (the score not trusted). */
  ood?: { similarity: number; threshold: number };
}

export interface RouterOptions {
  /** Weights file path; default the shipped shared/levers/routing/weights.json. */
  weightsPath?: string;
  /** Already-parsed weights (tests, hot reload). Takes precedence over weightsPath. */
  weights?: unknown;
  /** Default target frontier share. Default 0.5 (PARSIMONY_ROUTER_FRONTIER_SHARE via routerDefaultsFromEnv). */
  frontierShare?: number;
  /** Default target small-tier share. Default 0.2. */
  smallShare?: number;
  /** Score quantiles of your own traffic, replacing the ones in the weights file (per-deployment calibration). */
  quantiles?: number[];
  /**
   * Default quality target (PARSIMONY_ROUTER_QUALITY_TARGET): routed quality relative to all-frontier,
   * e.g. 0.99. The frontier share is derived from it with the weights file's held-out quality curve.
   * Used when no frontier share is given (request, tenant policy, `frontierShare` option).
   */
  qualityTarget?: number;
  /**
   * Sentence encoder for the dense part of the score and the out-of-distribution check. It must be
   * the encoder the weights were trained with (same fingerprint); without it (or with another one)
   * the dense part counts at its training mean and no prompt is judged out of distribution.
   */
  encoder?: SentenceEncoder;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : x > 0 ? '∞' : '−∞');

/**
 * The routing lever: scores a request with the learned classifier, turns the
 * score into a tier through calibrated thresholds, applies hints, guards and
 * tier bounds, and picks the catalog model for the tier. Deterministic:
 * the same input always gives the same decision (its caches only make it faster).
 */
export class ComplexityRouter {
  private readonly tierChoices = new Map<string, ReturnType<typeof resolveTierModel>>();

  private constructor(
    private readonly catalog: Catalog,
    private readonly model: LinearModel,
    private readonly calibration: Calibration,
    readonly weights: Pick<WeightsFile, 'header'>,
    private readonly defaults: { frontierShare?: number; smallShare: number; qualityTarget: number },
    private readonly curve?: QualityCurve,
    private readonly encoder?: SentenceEncoder,
    private readonly ood?: OodDetector,
    /** Whether the weights' dense part was trained with this encoder (else it counts at its mean). */
    private readonly denseEmbedding = false,
  ) {}

  static load(catalog: Catalog, options: RouterOptions = {}): ComplexityRouter {
    const file =
      options.weights !== undefined
        ? parseWeightsFile(options.weights, 'options.weights')
        : options.weightsPath
          ? loadWeightsFile(options.weightsPath)
          : parseWeightsFile(bundledWeights, 'shared/levers/routing/weights.json');
    const calibration = new Calibration(options.quantiles ?? file.calibration.quantiles);
    const model = LinearModel.fromFile(file);
    // The encoder only counts when it is the one the weights were trained with.
    const fp = options.encoder?.fingerprint;
    const encoder = fp && (fp === file.dense?.encoder || fp === file.ood?.encoder) ? options.encoder : undefined;
    const ood = encoder && file.ood && fp === file.ood.encoder ? new OodDetector(file.ood.centroids, file.ood.threshold, file.ood.fire_rate) : undefined;
    const denseEmbedding = !!encoder && fp === file.dense?.encoder;
    return new ComplexityRouter(
      catalog,
      model,
      calibration,
      { header: file.header },
      { frontierShare: options.frontierShare, smallShare: options.smallShare ?? DEFAULT_SMALL_SHARE, qualityTarget: options.qualityTarget ?? DEFAULT_QUALITY_TARGET },
      QualityCurve.fromFile(file),
      encoder,
      ood,
      denseEmbedding,
    );
  }

  /** Frontier share used when neither the request nor the tenant policy sets one (from the quality target when no share is configured). */
  get defaultFrontierShare(): number {
    return this.defaults.frontierShare ?? this.shareForTarget(this.defaults.qualityTarget);
  }

  /** Quality target used when neither a frontier share nor a tenant target is given. */
  get defaultQualityTarget(): number {
    return this.defaults.qualityTarget;
  }

  /** Whether a sentence encoder matching the weights is in use (dense score part and out-of-distribution check). */
  get usesEncoder(): boolean {
    return !!this.encoder;
  }

  /** Frontier share whose held-out quality reaches `target` (weights' quality curve; without one, the old default share). */
  shareForTarget(target: number): number {
    return this.curve ? this.curve.frontierShareFor(target) : DEFAULT_FRONTIER_SHARE;
  }

  /**
   * resolveTierModel, remembered per (tier, provider, capabilities) when the tenant pins nothing: the catalog is
   * fixed for the router's life, and filtering and sorting its models for every decision was 5% of a decision.
   */
  private tierModel(tier: Tier, provider: string, caps: ReturnType<typeof requiredCapabilities>, pinned: RoutingPolicy['pinned']): ReturnType<typeof resolveTierModel> {
    if (pinned && Object.keys(pinned).length) return resolveTierModel(this.catalog, tier, provider, caps, pinned);
    const key = `${tier}|${provider}|${caps.join(',')}`;
    let choice = this.tierChoices.get(key);
    if (!choice) {
      choice = resolveTierModel(this.catalog, tier, provider, caps);
      if (this.tierChoices.size >= 256) this.tierChoices.clear();
      this.tierChoices.set(key, choice);
    }
    return choice;
  }

  /** The request's sentence embedding (only called when an encoder is loaded). */
  private embed(summary: RequestSummary): Float32Array {
    return this.encoder!.embedSync(encoderText(summary));
  }

  /** The classifier's score alone (no policy): higher = harder. */
  score(request: ChatRequest): ModelScore {
    const summary = summarizeRequest(request);
    return this.model.score(summary, this.denseEmbedding ? this.encoder?.embedSync(encoderText(summary)) : undefined);
  }

  decide(input: RouteInput): RouterDecision {
    const summary = summarizeRequest(input.request);
    // The embedding is made only when something reads it: the dense part of the score, or the out-of-distribution
    // check below (hinted, agent, plain-task and everyday prompts never reach it).
    const denseInput = this.denseEmbedding ? this.embed(summary) : undefined;
    const { score, format } = this.model.score(summary, denseInput);
    const policy = input.policy ?? {};

    if (input.requestedModel !== 'auto') {
      const model = this.catalog.find(input.requestedModel);
      if (!model) throw ApiError.invalid(`model ${input.requestedModel} is not in the catalog; use "auto" or one of: ${this.catalog.models.map((m) => m.id).join(', ')}`);
      return { model: model.id, provider: model.provider, tier: model.tier, score, routed: false, reason: `explicit model ${model.id} requested: no routing` };
    }
    if (policy.enabled === false) {
      const model = this.catalog.defaultAuto;
      return { model: model.id, provider: model.provider, tier: model.tier, score, routed: false, reason: `routing disabled by tenant policy: catalog auto model ${model.id}` };
    }

    const hint = normalizeTask(input.task);
    const agent = hint ? undefined : agentStep(summary);
    // In an agent conversation numbers are ids, dates and prices: no word-problem guess there.
    const detected = detectTask(summary, { numericPuzzles: !agent });
    const guardedDetected = isGuarded(detected);
    const taskKey = hint ?? (agent && !guardedDetected ? 'tool_select' : detected) ?? 'unspecified';
    const raise = Math.min(1, Math.max(0, input.raises?.[taskKey] ?? 0));

    const target = input.frontierShare ?? policy.frontierShare;
    const qualityTarget = policy.qualityTarget;
    const baseShare = clampShare(target ?? (qualityTarget !== undefined ? this.shareForTarget(qualityTarget) : this.defaultFrontierShare));
    const frontierShare = round3(baseShare + raise * (1 - baseShare));
    const smallShare = Math.min(clampShare(input.smallShare ?? policy.smallShare ?? this.defaults.smallShare) * (1 - raise), 1 - frontierShare);
    const tFrontier = this.calibration.thresholdForShare(frontierShare);
    const tSmall = smallShare <= 0 ? Number.NEGATIVE_INFINITY : smallShare >= 1 ? Number.POSITIVE_INFINITY : this.calibration.quantile(smallShare);
    const scoreTier: Tier = score >= tFrontier ? 'frontier' : score >= tSmall ? 'mid' : 'small';
    const shareWhy = target !== undefined ? `frontier share ${baseShare}` : `frontier share ${baseShare} for quality target ${qualityTarget ?? this.defaults.qualityTarget}`;
    const why: string[] = [
      `score ${score.toFixed(3)} (${format === 'mc' ? 'multiple-choice' : 'open'} prompt, top ${(100 * this.calibration.shareAtOrAbove(score)).toFixed(0)}% of reference traffic) vs thresholds small<${fmt(tSmall)}≤mid<${fmt(tFrontier)}≤frontier (${shareWhy}${raise > 0 ? `, raised by shadow feedback ${raise} for task ${taskKey} → ${frontierShare}` : ''}) → ${scoreTier}`,
    ];
    // An everyday question or chit-chat is read from its form (short, plain, nothing asked but an answer or a reply).
    const everyday = !hint && !agent && format === 'open' && !guardedDetected && this.isEveryday(summary);
    let tier = scoreTier;
    if (hint) {
      const rule = HINT_RULES[hint];
      if (rule.fixed) tier = rule.fixed;
      else if (rule.highest === 'mid' && rule.lowest === 'small' && hint !== 'summarize') tier = scoreTier === 'frontier' ? 'mid' : 'small';
      else tier = maxTier(rule.lowest, minTier(rule.highest, scoreTier));
      why.push(`task hint ${hint}${input.task !== hint ? ` ("${input.task}")` : ''} → ${tier}`);
    } else if (input.task) {
      why.push(`task hint "${input.task}" not recognised, ignored`);
    }

    if (agent && !guardedDetected && policy.agentStepTier) {
      tier = policy.agentStepTier;
      why.push(`${agent.what}: tool selection → ${tier} (tenant agentStepTier)`);
    } else if (agent && !guardedDetected && agent.inLoop) {
      // Tool selection, not synthesis (the design card's "tool selection to small models"), at the
      // tier that calls tools reliably in a long, policy-bound loop. The score is not used: agent
      // contexts (policy prompts, tool results) are outside its reference traffic.
      tier = 'mid';
      why.push(`${agent.what}: tool selection in an agent loop → mid (score not used)`);
    } else if (agent && !guardedDetected) {
      // A first, one-shot tool choice: the score's tier (it has seen such requests), never above mid.
      tier = minTier(scoreTier, 'mid');
      why.push(`${agent.what}: first tool choice, score's tier capped at mid → ${tier}`);
    } else if (agent) {
      why.push(`${agent.what}, but the latest user turn asks for ${detected}: not a tool-selection step`);
    } else if (everyday && tierRank(tier) > tierRank('mid')) {
      tier = 'mid';
      why.push(`${everydayWhat(summary)}: capped at mid`);
    } else if (!hint && format === 'open' && detected === 'summarize' && tierRank(tier) > tierRank('mid') && !this.followsGuardedWork(summary)) {
      // A detected summary follows the summarize hint's rule (small..mid by score).
      tier = 'mid';
      why.push('detected summarize task: capped at mid, like the summarize hint');
    }

    // Open-ended synthesis/planning/reasoning/code goes to the frontier (a cap may still lower it).
    if (!hint && format === 'open' && guardedDetected) {
      const uplift = policy.openTaskFloor ?? 'frontier';
      if (tierRank(tier) < tierRank(uplift)) {
        tier = uplift;
        why.push(`raised to ${uplift}: open-ended ${detected} task${agent ? ` in an ${agent.what}` : ''}`);
      }
    }

    // A prompt unlike anything the score was trained on: the score is not trusted (caps still apply). A detected plain
    // task (classification, extraction, tool selection) and an everyday question or chit-chat were read from the
    // prompt's form, not from the score, so they hold for unseen prompts too: the check distrusts the score, not the
    // detector or the everyday cap (a bare "Hello!" is far from every training centroid and went to the frontier).
    const plainTask = detected !== undefined && (PLAIN_TASKS as readonly string[]).includes(detected);
    const out = !hint && !agent && !plainTask && !everyday && this.ood ? this.ood.isOut(denseInput ?? this.embed(summary)) : undefined;
    if (out?.out && tier !== 'frontier') {
      tier = 'frontier';
      why.push(`out of distribution (cosine ${out.similarity.toFixed(3)} to the nearest training centroid < ${this.ood!.threshold.toFixed(3)}): score not trusted → frontier`);
    }

    // Bounds: caps first, then floors, so a quality floor always wins over a cap.
    const caps = [input.maxTier, policy.maxTier].filter((t): t is Tier => !!t);
    for (const cap of caps) {
      if (tierRank(tier) > tierRank(cap)) {
        tier = cap;
        why.push(`capped at max_tier ${cap}`);
      }
    }
    const floors: Array<[Tier | undefined, string]> = [
      [input.minTier, 'min_tier'],
      [policy.minTier, 'tenant min_tier'],
      [input.floorTier, 'session floor (this session escalated to it earlier)'],
    ];
    const guardTask = [hint, detected].find((t) => t && GUARDED_TASKS.includes(t));
    if (guardTask) floors.push(['mid', `${guardTask === hint ? 'hinted' : 'detected'} ${guardTask} task never goes below mid`]);
    // Feedback raises quality within the caller's and tenant's caps (unlike the task guard, it is no contract).
    const raisedTo: Tier | undefined = raise >= 0.66 ? 'frontier' : raise >= 0.33 ? 'mid' : undefined;
    const feedbackFloor = raisedTo && caps.reduce<Tier>((t, cap) => minTier(t, cap), raisedTo);
    if (feedbackFloor) floors.push([feedbackFloor, `shadow feedback (raise ${raise} for task ${taskKey}: routed answers disagreed with the frontier's)`]);
    for (const [floor, label] of floors) {
      if (floor && tierRank(tier) < tierRank(floor)) {
        tier = floor;
        why.push(`raised to ${floor}: ${label}`);
      }
    }
    if (detected && detected !== hint) why.push(`detected task ${detected}`);

    const provider = policy.provider ?? this.catalog.defaultAuto.provider;
    const choice = this.tierModel(tier, provider, requiredCapabilities(input.request), policy.pinned);
    why.push(`${choice.model.id}: ${choice.why}`);
    const band = choice.tier === 'frontier' ? [tFrontier, Infinity] : choice.tier === 'mid' ? [tSmall, tFrontier] : [-Infinity, tSmall];
    const fullEffort = isGuarded(hint) || guardedDetected || !!out?.out || raise > 0;
    const effort = chooseEffort(choice.model, input.request, bandPosition(score, band[0], band[1]), fullEffort);
    if (effort) why.push(effort.why);
    const decision: RouterDecision = {
      model: choice.model.id,
      provider: choice.model.provider,
      tier: choice.tier,
      score,
      routed: true,
      task: hint ?? (agent && !guardedDetected ? 'tool_select' : detected),
      reason: why.join('; '),
    };
    if (effort?.effort) decision.reasoning_effort = effort.effort;
    if (out?.out) decision.ood = { similarity: round3(out.similarity), threshold: this.ood!.threshold };
    return decision;
  }

  /**
   * An everyday question, asked on its own or in a conversation of everyday questions: a follow-up
   * ("what if each sister had two brothers?") belongs to whatever the conversation was doing.
   */
  private isEveryday(s: RequestSummary): boolean {
    return isEverydayTurn(s.lastUser) && s.earlierUserTurns.every((t) => isEverydayTurn(t) && !isGuarded(detectTask(s, {}, t)));
  }

  /** Whether an earlier user turn asked for synthesis, planning, reasoning or code (a follow-up's context). */
  private followsGuardedWork(s: RequestSummary): boolean {
    return s.earlierUserTurns.some((t) => isGuarded(detectTask(s, {}, t)));
  }
}

/** The everyday shape, for the decision's reason. */
function everydayWhat(s: RequestSummary): string {
  return isChitChat(s.lastUser) ? 'chit-chat (a greeting, thanks or a pleasantry and nothing else)' : 'everyday question (short plain question, no reasoning, maths, code, planning or writing cue)';
}

function isGuarded(task: TaskKind | undefined): boolean {
  return !!task && GUARDED_TASKS.includes(task);
}

/** Default quality target: routed quality within 1% of all-frontier on held-out traffic. */
export const DEFAULT_QUALITY_TARGET = 0.99;

const round3 = (x: number) => Math.round(x * 1e3) / 1e3;

function clampShare(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : DEFAULT_FRONTIER_SHARE;
}
