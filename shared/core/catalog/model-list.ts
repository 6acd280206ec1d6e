import type { Catalog } from './catalog';

/** One entry of OpenAI's `GET /v1/models` list. */
export interface ModelObject {
  id: string;
  object: 'model';
  /** Unix seconds. */
  created: number;
  owned_by: string;
}

/** The pseudo-model that lets Parsimony choose (the routing lever). */
export const AUTO_MODEL = 'auto';

/**
 * The models a client may name, in OpenAI's list shape: every chat model of
 * the catalog, its embedding models, and `auto`. The catalog records no
 * release dates, so `created` is the day of the catalog revision that lists
 * the model (`prices_checked`): stable, and honest about what it is.
 */
export function catalogModelObjects(catalog: Catalog): ModelObject[] {
  const created = Math.floor(Date.parse(`${catalog.file.prices_checked}T00:00:00Z`) / 1000);
  return [
    { id: AUTO_MODEL, object: 'model', created, owned_by: 'parsimony' },
    ...catalog.models.map((m) => ({ id: m.id, object: 'model' as const, created, owned_by: m.provider })),
    ...catalog.file.embeddings.map((e) => ({ id: e.id, object: 'model' as const, created, owned_by: e.provider })),
  ];
}

/** One model by id (an alias answers under the name asked for), or undefined. */
export function catalogModelObject(catalog: Catalog, id: string): ModelObject | undefined {
  const all = catalogModelObjects(catalog);
  const direct = all.find((m) => m.id === id);
  if (direct) return direct;
  const entry = catalog.find(id);
  return entry ? { ...all.find((m) => m.id === entry.id)!, id } : undefined;
}
