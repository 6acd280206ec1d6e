import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A copy of the shipped catalog in which `models` offer the flex tier at
 * `discount` (for tests and the tiers bench: which real models offer flex is
 * the catalog's business; these need a known one). Models that already have
 * a flex_discount keep it. Returns the file's path (PARSIMONY_CATALOG).
 */
export function catalogWithFlex(name: string, models: readonly string[], discount = 0.5): string {
  const file = JSON.parse(readFileSync(join(__dirname, '../../shared/core/catalog/models.json'), 'utf8')) as { models: { id: string; flex_discount?: number }[] };
  for (const m of file.models) if (models.includes(m.id) && m.flex_discount === undefined) m.flex_discount = discount;
  const path = join(tmpdir(), `parsimony-catalog-${name}-${process.pid}.json`);
  writeFileSync(path, JSON.stringify(file));
  return path;
}
