/**
 * JSON a test reads back from the API and asserts on field by field. Deliberately loose: the tests check values
 * (jest's matchers report a wrong shape), and typing every response read in ~45 suites would restate the API's own
 * types. The one place `any` is allowed in the tree.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type LooseJson = any;
