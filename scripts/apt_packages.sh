#!/usr/bin/env bash
# Debian packages the project needs beyond Python: Chromium for the browser test, Slurm and
# munge for the single-node cluster test. Installs only what is missing; needs root for apt.
set -euo pipefail
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
command -v slurmctld >/dev/null 2>&1 || want+=(slurmctld slurmd slurm-client munge)
if [ ${#want[@]} -gt 0 ]; then
  echo "apt: installing ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${want[@]}" >/dev/null
else
  echo "apt: chromium and slurm already present"
fi
