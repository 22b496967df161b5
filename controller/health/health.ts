import { isPlainObject, type KubeObject } from '../model.js';

export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';

export interface Health {
  status: HealthStatus;
  message?: string;
}

/**
 * Is a live object working, as far as its `status` says: a `Ready` (or `Available`) condition
 * decides; an `observedGeneration` behind `metadata.generation` is Progressing; an object with no
 * status (ConfigMaps, definitions no controller reports on) is Healthy once it exists.
 * @example assessHealth({ ..., status: { conditions: [{ type: 'Ready', status: 'False', message: 'bad url' }] } }) // { status: 'Degraded', message: 'bad url' }
 */
export function assessHealth(live: KubeObject): Health {
  const status = live.status;
  if (!isPlainObject(status)) return { status: 'Healthy' };
  const generation = live.metadata.generation;
  if (typeof status.observedGeneration === 'number' && typeof generation === 'number' && status.observedGeneration < generation) {
    return { status: 'Progressing', message: `observedGeneration ${status.observedGeneration} < generation ${generation}` };
  }
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isPlainObject) : [];
  const ready = conditions.find((c) => c.type === 'Ready') ?? conditions.find((c) => c.type === 'Available');
  if (!ready) return { status: 'Healthy' };
  const message = typeof ready.message === 'string' && ready.message ? ready.message : typeof ready.reason === 'string' ? ready.reason : undefined;
  if (ready.status === 'True') return { status: 'Healthy' };
  if (ready.status === 'False') return { status: 'Degraded', ...(message ? { message } : {}) };
  return { status: 'Unknown', ...(message ? { message } : {}) };
}
