import type { ClusterSpec, SpecMaster } from './spec.js';

/**
 * What the renderers and planners read from a parsed spec, apart from the
 * schema that parses it (spec.ts, which reads files): pure.
 */

/** A control-plane component's image: the spec's, or registry.k8s.io/NAME:kubernetesVersion. */
export function componentImage(s: ClusterSpec, component: 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager'): string {
  const c = component === 'kube-apiserver' ? s.spec.apiserver : component === 'kube-scheduler' ? s.spec.scheduler : s.spec.controllerManager;
  return c.image ?? `registry.k8s.io/${component}:${s.spec.kubernetesVersion}`;
}

/** The pod annotations a component's spec section adds: kubectl rollout restart's restartedAt, when set. */
export function componentAnnotations(s: ClusterSpec, component: 'kube-apiserver' | 'kube-scheduler' | 'kube-controller-manager'): Record<string, string> {
  const c = component === 'kube-apiserver' ? s.spec.apiserver : component === 'kube-scheduler' ? s.spec.scheduler : s.spec.controllerManager;
  return c.restartedAt ? { 'kubectl.kubernetes.io/restartedAt': c.restartedAt } : {};
}

/** The spec.loadBalancer fields a running apiserver rollout works through. */
export function balancerChanged(prev: ClusterSpec, next: ClusterSpec): boolean {
  return JSON.stringify(prev.spec.loadBalancer) !== JSON.stringify(next.spec.loadBalancer);
}

export function specMaster(s: ClusterSpec, name: string): SpecMaster | undefined {
  return s.spec.masters.find((m) => m.name === name);
}
