/**
 * The routing lever's quality guards and shadow evaluation:
 * - session floor (session-floor.ts): once a job of an agent session was escalated, the session's later steps start at
 *   the tier that answered, within its window (the tier a step was merely routed to does not count);
 * - structured-output cascade (escalation.ts): a routed answer that fails its JSON schema / tool contract is
 *   re-asked one tier up, the rejected answer's cost counted as overhead;
 * - shadow evaluation (shadow-launcher.ts, shadow-comparer.ts, quality-store.ts): a deterministic sample of
 *   small/mid routed jobs is re-run on the frontier through the batch API and the answers compared.
 */
export { RoutingGuards, type RoutingGuardsConfig } from './routing-guards';
export { EscalationGuard, type EscalationAnnotation, type ModelCall } from './escalation';
export { SessionTierStore, sessionIdOf, DEFAULT_SESSION_WINDOW_SECONDS } from './session-floor';
export { checkStructuredOutput, expectsStructuredOutput, type StructuredCheck } from './structured-output';
export { validateJsonSchema, deepEqual } from './json-schema-validator';
export { isShadowSampled, shadowPosition, DEFAULT_SHADOW_SHARE } from './shadow-sampling';
export { compareAnswers, comparableFromCompletion, DEFAULT_AGREEMENT_THRESHOLD, type AnswerComparison, type ComparableAnswer } from './answer-comparison';
export { ShadowLauncher } from './shadow-launcher';
export { ShadowComparer, type ShadowComparerOptions } from './shadow-comparer';
export { QualityStore, type QualityReport, type QualityStats } from './quality-store';
export { ShadowKeys, shadowTenantOf, isShadowTenant, type ShadowMeta, type ShadowResult } from './shadow-keys';
