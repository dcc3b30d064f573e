#!/usr/bin/env bash
# The README's first command: set up, start a local 3-master cluster on
# 127.0.1.1-3 with mutual TLS, bootstrap a 3-member etcd (real etcd, TLS,
# joined member by member by the elected coordinator), deploy the control
# plane (haproxy in front of 3 apiservers, scheduler, controller-manager:
# test stand-ins when no kube-apiserver is on PATH), show it with
# `belayctl status` and `belayctl etcd members`, and roll the apiserver out
# to a new version master by master.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
belayctl() { node dist/coordinator/cli/main.js "$@"; }
DIR=${BELAY_DEV_DIR:-/tmp/belay-dev}
if [ -f "$DIR/dev-state.json" ]; then belayctl dev down --root "$DIR" >/dev/null; fi
out=$(belayctl dev up --masters "${MASTERS:-3}" --root "$DIR")
echo "$out"
eval "$(echo "$out" | tail -n 1)"
echo
belayctl status
echo
belayctl etcd members
echo
echo "Rolling the apiserver out to v1.31.1, one master at a time behind the balancers:"
belayctl rollout apiserver --image registry.k8s.io/kube-apiserver:v1.31.1
belayctl rollout history apiserver
cat <<EOT

The cluster keeps running. In your shell:
  $(echo "$out" | tail -n 1)
  alias belayctl="node $PWD/dist/coordinator/cli/main.js"   # or: npm link
  belayctl status -o yaml
  belayctl etcd members
  belayctl rollout status
  belayctl get cluster
  belayctl dev ps
  belayctl dev down --root $DIR
EOT
