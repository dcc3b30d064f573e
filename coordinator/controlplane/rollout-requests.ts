import { OperatorError } from '../../proto/common/errors.js';
import { rolloutCommandName, type ComponentSettings, type RolloutComponent, type RolloutRecord } from './rollout-record.js';
import { rolloutSummary } from './rollout-summary.js';

// Starting, pausing, resuming, undoing: record changes the operator asks for.
// The planner (rollout-plan.ts) then carries the record out.

export interface RolloutChangeRequest {
  kind: 'change';
  component: RolloutComponent;
  /** The spec's masters, in order. */
  order: string[];
  /** sha256 of each master's manifest rendered from the new spec. */
  targetSha: Record<string, string>;
  /** sha256 of each master's manifest its agent has now. */
  currentSha: Record<string, string>;
  changes: string[];
  settings: ComponentSettings;
  previousSettings: ComponentSettings;
  requestedBy: string;
}

export interface RolloutUndoRequest {
  kind: 'undo';
  component: RolloutComponent;
  order: string[];
  currentSha: Record<string, string>;
  requestedBy: string;
}

export type RolloutRequest = RolloutChangeRequest | RolloutUndoRequest;

/** The rollout running or paused, of any component (at most one). */
export function activeRollout(history: readonly RolloutRecord[]): RolloutRecord | undefined {
  return history.find((h) => h.state === 'running' || h.state === 'paused');
}

/** A component's revisions, oldest first: `belayctl rollout history`. */
export function rolloutHistory(history: readonly RolloutRecord[], component: RolloutComponent): RolloutRecord[] {
  return history.filter((h) => h.component === component).sort((a, b) => a.revision - b.revision);
}

/**
 * A new rollout's record, or an OperatorError saying why not: another
 * rollout running or paused (only one master may be out at a time, across
 * components too), an undo with nothing to undo, a master with no manifest
 * yet, a change that changes no manifest.
 */
export function startRollout(history: readonly RolloutRecord[], req: RolloutRequest, nowMs: number): RolloutRecord {
  const cli = rolloutCommandName(req.component);
  const active = activeRollout(history);
  if (active) {
    throw new OperatorError({
      code: 'ROLLOUT_IN_PROGRESS',
      message: `not starting ${req.kind === 'undo' ? 'an undo of ' : 'a rollout of '}${req.component}: ${rolloutSummary(active)}`,
      hint:
        active.state === 'paused'
          ? `belayctl rollout resume ${rolloutCommandName(active.component)} lets it finish; then try again`
          : `wait for it (belayctl rollout status), or belayctl rollout pause ${rolloutCommandName(active.component)}, resume and let it finish first`,
      unsafe: true,
    });
  }
  if (req.order.length === 0)
    throw new OperatorError({
      code: 'ROLLOUT_NO_MASTERS',
      message: `not starting a rollout of ${req.component}: the spec lists no master`,
      hint: 'list the masters in spec.masters (belayctl apply -f)',
    });
  const noManifest = req.order.filter((m) => !req.currentSha[m]);
  if (noManifest.length > 0) {
    throw new OperatorError({
      code: 'ROLLOUT_NO_MANIFEST',
      message: `not starting a rollout of ${req.component}: ${noManifest.join(', ')} has no ${req.component} manifest yet (the control plane is not deployed there)`,
      hint: 'let the leader deploy it first (belayctl status), then roll out',
      retryable: true,
    });
  }
  const mine = rolloutHistory(history, req.component);
  const latest = mine.at(-1);
  const revision = (latest?.revision ?? 0) + 1;
  const base = {
    id: `${req.component}-${revision}`,
    component: req.component,
    revision,
    fromRevision: latest?.revision ?? 0,
    order: [...req.order],
    previousSha: pick(req.currentSha, req.order),
    done: [],
    state: 'running' as const,
    startedAtMs: nowMs,
    updatedAtMs: nowMs,
    requestedBy: req.requestedBy,
  };

  if (req.kind === 'undo') {
    if (!latest) {
      throw new OperatorError({
        code: 'ROLLOUT_NO_PREVIOUS_REVISION',
        message: `cannot undo ${req.component}: it has no rollout in its history (its manifests are as first deployed)`,
        hint: `roll forward instead: belayctl rollout ${cli} --image IMAGE or --set flag=value`,
      });
    }
    const unknown = req.order.filter((m) => !latest.previousSha[m]);
    if (unknown.length > 0) {
      throw new OperatorError({
        code: 'ROLLOUT_UNDO_UNKNOWN_MASTER',
        message: `cannot undo ${req.component} revision ${latest.revision}: ${unknown.join(', ')} joined after it started, so there is no earlier manifest of theirs to go back to`,
        hint: `roll forward instead: belayctl rollout ${cli} --image IMAGE or --set flag=value`,
      });
    }
    return {
      ...base,
      changes: [`undo of revision ${latest.revision}${latest.changes.length > 0 ? ` (${latest.changes.join('; ')})` : ''}`],
      settings: latest.previousSettings,
      previousSettings: latest.settings,
      targetSha: pick(latest.previousSha, req.order),
      undoOf: latest.revision,
    };
  }

  const missing = req.order.filter((m) => !req.targetSha[m]);
  if (missing.length > 0)
    throw new OperatorError({
      code: 'ROLLOUT_NO_TARGET',
      message: `not starting a rollout of ${req.component}: no new manifest was rendered for ${missing.join(', ')}`,
      hint: 'a bug in the caller: report it with the spec',
    });
  if (req.order.every((m) => req.targetSha[m] === req.currentSha[m])) {
    throw new OperatorError({
      code: 'ROLLOUT_NO_CHANGE',
      message: `nothing to roll out: the ${req.component} manifest on all ${req.order.length} master(s) already is what the new spec renders`,
      hint: `belayctl manifests diff shows the manifests; belayctl rollout history ${cli} the revisions`,
    });
  }
  return { ...base, changes: [...req.changes], settings: req.settings, previousSettings: req.previousSettings, targetSha: pick(req.targetSha, req.order) };
}

export function undoRollout(history: readonly RolloutRecord[], req: Omit<RolloutUndoRequest, 'kind'>, nowMs: number): RolloutRecord {
  return startRollout(history, { ...req, kind: 'undo' }, nowMs);
}

/** Finishes the master mid-way, then takes no other out until resumed. Pausing a paused rollout changes nothing. */
export function pauseRollout(r: RolloutRecord, nowMs: number): RolloutRecord {
  if (r.state === 'paused') return r;
  if (r.state !== 'running') throw notActive(r, 'pause');
  return { ...r, state: 'paused', updatedAtMs: nowMs };
}

export function resumeRollout(r: RolloutRecord, nowMs: number): RolloutRecord {
  if (r.state === 'running') return r;
  if (r.state !== 'paused') throw notActive(r, 'resume');
  return { ...r, state: 'running', updatedAtMs: nowMs };
}

function notActive(r: RolloutRecord, verb: string): OperatorError {
  return new OperatorError({
    code: 'ROLLOUT_NOT_ACTIVE',
    message: `nothing to ${verb}: ${rolloutSummary(r)}`,
    hint:
      r.state === 'halted'
        ? `belayctl rollout undo ${rolloutCommandName(r.component)}, or fix the spec and roll out again`
        : 'belayctl rollout history shows the revisions',
  });
}

function pick(shas: Record<string, string>, order: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of order) {
    const s = shas[m];
    if (s !== undefined) out[m] = s;
  }
  return out;
}
