#!/usr/bin/env bash
# Installs what belay needs on a Debian 12 machine (run as root), then builds it.
# Idempotent: a second run only checks. Used by scripts/demo.sh, scripts/test.sh and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the demo and the tests use for real:
#   etcd-server etcd-client  real etcd for the host runtime and integration tests
#   systemd                  systemd-analyze verifies the unit files
#   iproute2 iptables procps network namespaces, packet counters and filters, process tools for fault tests and benchmarks
#   containerd docker.io runc busybox-static
#                            real container runtimes the supervisor tests run (busybox: a container rootfs, no registry)
#   haproxy                  the control plane's balancer (static pod under the host runtime) and its tests
#   monit                    the reference the supervisor benchmark compares against
#   serf                     the reference the gossip benchmark compares against (HashiCorp Serf)
#   python3 make g++         node-gyp builds unix-dgram (sd_notify for the systemd watchdog)
PACKAGES=(etcd-server etcd-client systemd iproute2 iptables procps ca-certificates containerd docker.io runc busybox-static haproxy monit serf python3 make g++)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # etcd-server would start a system etcd on 127.0.0.1:2379 at install; a policy-rc.d keeps
  # it from starting (tests run their own). One already there is left as it is.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: belay needs Node.js 20 or newer (found: $(node -v 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: npm run build" >&2
npm run build --silent
