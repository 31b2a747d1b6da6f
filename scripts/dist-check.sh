#!/usr/bin/env bash
# make dist-check (run by make test, after make dist): the tarball and the .deb work on a
# machine without Swift.
#  1. the checksums match;
#  2. the tarball's binary needs nothing but glibc (with libgcc_s, which libc6 depends on) and
#     libpq5 and libsqlite3-0 (and what they load): no Swift runtime, no Foundation, no libpg_query,
#     no libstdc++ (when its archive is installed), nothing from the toolchain;
#  3. it runs with the toolchain out of reach (env -i, PATH=/usr/bin:/bin, cwd outside the
#     repository): --version, rules, an offline analyze that parses statements, completions;
#  4. the .deb says Depends: libpq5, libsqlite3-0, installs /usr/bin/dbadvise, the man page (man -w) and the
#     completions, and is removed again;
#  5. make install PREFIX=… lays out the same tree;
#  6. the CI samples install the build's packages and run dbadvise from the tarball or .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/DBAdviseModel/Version.swift)
name="dbadvise-$version-linux-$(uname -m)"
tarball="dist/$name.tar.gz"
deb="dist/dbadvise_${version}_$(dpkg --print-architecture).deb"
work=$(mktemp -d /tmp/dbadvise-dist-check.XXXXXX)
installed_deb=no
cleanup() {
  if [ "$installed_deb" = yes ]; then $SUDO dpkg -r dbadvise >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "dist-check: $*" >&2; exit 1; }
ok() { echo "dist-check: ok: $*"; }

# 1. checksums
for file in "$tarball" "$deb"; do
  [ -f "$file" ] || fail "$file is missing; run make dist"
  (cd dist && sha256sum --quiet -c "$(basename "$file").sha256") || fail "checksum of $file"
done
ok "checksums"

# 2. dynamic dependencies
tar -C "$work" -xzf "$tarball"
binary="$work/$name/bin/dbadvise"
for file in bin/dbadvise share/man/man1/dbadvise.1 share/bash-completion/completions/dbadvise \
  share/zsh/site-functions/_dbadvise share/fish/vendor_completions.d/dbadvise.fish README.md \
  CHANGELOG.md dbadvise.yml; do
  [ -s "$work/$name/$file" ] || fail "the tarball lacks $file"
done
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort)
for library in $needed; do
  case $library in
    libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libutil.so.* | ld-linux*.so.*) ;;
    # GCC's unwinder: Debian's libc6 depends on libgcc-s1, so it is wherever glibc is.
    libgcc_s.so.1) ;;
    libpq.so.5) ;;
    # The embedded history store (GRDB links the system's SQLite).
    libsqlite3.so.0) ;;
    *) fail "the binary needs $library (only glibc, libpq5 and libsqlite3-0 are allowed): $(echo $needed)" ;;
  esac
done
# ldd also lists what libpq5 loads; nothing may come from the toolchain or be missing.
loaded=$(env -i PATH=/usr/bin:/bin ldd "$binary")
if echo "$loaded" | grep -Ei "swift|Foundation|pg_query|not found|/opt/"; then
  fail "ldd shows a library from the toolchain, libpg_query or a missing one"
fi
ok "needs only $(echo $needed)"

# 3. runs without the toolchain
cd "$work"
run() { env -i PATH=/usr/bin:/bin HOME="$work" "$binary" "$@"; }
[ "$(run --version)" = "$version" ] || fail "--version says $(run --version), not $version"
run rules --format json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) > 10' \
  || fail "rules --format json"
report=$(run analyze --input "$root/samples/snapshots/query-mix.json" --format json)
echo "$report" | python3 -c '
import json, sys
report = json.load(sys.stdin)
assert report["tool"] == {"name": "dbadvise", "version": sys.argv[1]}, report["tool"]
assert report["config"]["source"] == "defaults", report["config"]
assert report["query_mix"]["statements"] > 0
' "$version" || fail "analyze without the toolchain"
run --generate-completion-script zsh | grep -q "_dbadvise" || fail "zsh completion"
cd "$root"
ok "runs with env -i PATH=/usr/bin:/bin (version $version, rules, analyze, completions)"

# 4. the .deb
dpkg-deb -f "$deb" Depends | grep -qx "libpq5, libsqlite3-0" || fail "$deb does not depend on exactly libpq5, libsqlite3-0"
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  sudo -n true 2>/dev/null || fail "installing the .deb needs root or sudo -n"
  SUDO="sudo -n"
fi
if dpkg-query -W -f='${Status}' dbadvise 2>/dev/null | grep -q "install ok installed"; then
  fail "a dbadvise package is installed already; remove it (dpkg -r dbadvise) to run this check"
fi
$SUDO dpkg -i "$deb" >/dev/null
installed_deb=yes
[ "$(env -i PATH=/usr/bin:/bin /usr/bin/dbadvise --version)" = "$version" ] || fail "installed --version"
page=$(man -w dbadvise) || fail "man -w dbadvise finds no page"
[ "$page" = /usr/share/man/man1/dbadvise.1.gz ] || fail "man page at $page"
for file in /usr/share/bash-completion/completions/dbadvise /usr/share/zsh/vendor-completions/_dbadvise \
  /usr/share/fish/vendor_completions.d/dbadvise.fish /usr/share/doc/dbadvise/dbadvise.yml; do
  [ -s "$file" ] || fail "the .deb did not install $file"
done
$SUDO dpkg -r dbadvise >/dev/null
installed_deb=no
[ ! -e /usr/bin/dbadvise ] || fail "/usr/bin/dbadvise left after dpkg -r"
ok "$deb installs (--version, man -w $page, completions) and removes"

# 5. make install
make --no-print-directory install PREFIX="$work/prefix" >/dev/null
[ "$("$work/prefix/bin/dbadvise" --version)" = "$version" ] || fail "make install: --version"
for file in share/man/man1/dbadvise.1 share/bash-completion/completions/dbadvise \
  share/zsh/site-functions/_dbadvise share/fish/vendor_completions.d/dbadvise.fish; do
  [ -s "$work/prefix/$file" ] || fail "make install did not write $file"
done
ok "make install PREFIX=…"

# 6. the CI samples
for sample in samples/ci/github-actions.yml samples/ci/gitlab-ci.yml; do
  for package in libpq-dev libpg-query-dev pkg-config; do
    grep -q "apt-get install.*$package" "$sample" || fail "$sample does not install $package"
  done
  grep -Eq "make( -C [^ ]+)? dist" "$sample" || fail "$sample does not build with make dist"
  grep -Eq "dpkg -i|apt-get install -y ./dist/|tar .*dbadvise-" "$sample" \
    || fail "$sample does not run dbadvise from the tarball or the .deb"
done
# The GitLab check job's lines, run as written (apt-get and the live collect left out) in a
# scratch directory holding dist/, a real snapshot as nightly.json and the sample config, with
# its /opt moved there too and the toolchain out of reach.
job="$work/gitlab-job"
mkdir -p "$job/opt"
ln -s "$root/dist" "$job/dist"
cp samples/snapshots/pgbench.json "$job/nightly.json"
cp samples/dbadvise.yml "$job/dbadvise.yml"
lines=$(sed -n '/^dbadvise-check:/,/^  artifacts:/p' samples/ci/gitlab-ci.yml | sed -n '/^  before_script:/,$s/^    - //p' \
  | grep -v -e 'apt-get' -e 'dbadvise collect' | sed "s|/opt|$job/opt|g")
[ "$(echo "$lines" | grep -c dbadvise)" -ge 3 ] || fail "the GitLab job's lines were not found"
(cd "$job" && env -i PATH=/usr/bin:/bin bash -euo pipefail -c "$lines") >/dev/null || fail "the GitLab job's lines failed"
grep -q "<testsuites" "$job/dbadvise-junit.xml" || fail "the GitLab job wrote no JUnit report"
ok "CI samples build with make dist and install the package; the GitLab job's lines run from the tarball"
