#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, builds, and runs every test.
# Run as root (it installs Debian packages) from anywhere: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use as real components:
#   debootstrap, umoci     build the real Debian test image (../shared/tools/make-debian-image.sh)
#   docker-registry        the real OCI registry for registry, signing and admission tests
#   apache2-utils          htpasswd files for the registry's basic auth
#   kubernetes-client      kubectl (kubectl kustomize) for Kustomize rendering, unless a kubectl is already
#                          installed (another kubectl package owns the same path)
#   openssl                certificates for the HTTPS servers under test
#   dpkg                   dpkg --compare-versions, the oracle for the dpkg comparator
#   golang-go, binutils    real Go binaries (build info) and objcopy for ELF section tests
#   rpm, zstd, skopeo      rpm databases and rpmvercmp oracle, zstd layers, docker/oci archives
#   sqlite3, lz4           corrupting real rpmdb.sqlite files; reading apt's lz4 package lists
#   python3, default-jre-headless  oracles: zip writers and PEP 440 (python), maven-artifact (java)
APT_PACKAGES=(debootstrap umoci docker-registry apache2-utils openssl dpkg golang-go binutils rpm zstd skopeo
  sqlite3 lz4 python3 default-jre-headless)
command -v kubectl >/dev/null || APT_PACKAGES+=(kubernetes-client)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
npm test
npm run lint
