#!/usr/bin/env bash
# make dist: the portable binary (Swift runtime, Foundation and libpg_query linked in; needs
# only glibc, libpq5 and libsqlite3-0), then in dist/: dbadvise-VERSION-linux-ARCH.tar.gz and
# dbadvise_VERSION_DEBARCH.deb, each with a .sha256 file.
# `scripts/dist.sh binary` only builds the binary and prints its path (make install uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
version=$(sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/DBAdviseModel/Version.swift)
[ -n "$version" ] || { echo "dist: no version in Sources/DBAdviseModel/Version.swift" >&2; exit 1; }
scratch=.build-dist

# libpg_query and libstdc++ statically, libpq dynamically (libpq5 is the package's one
# dependency). CPgQuery's module map links `pg_query` and the static Swift runtime links
# `stdc++`; the linker takes a directory's .so over its .a, so a directory holding only their
# archives must be searched first. SwiftPM puts libpq's pkg-config `-L` ahead of any
# `-Xlinker -L`, so the dist build reads a copy of libpq.pc whose Libs lead with that
# directory: the package itself is unchanged and ordinary builds link as before.
static_libs="$PWD/$scratch/static-libs"
mkdir -p "$static_libs" "$scratch/pkgconfig"
rm -f "$static_libs"/*
pg_query=""
for candidate in /usr/lib/*/libpg_query.a /usr/lib/libpg_query.a /usr/local/lib/libpg_query.a; do
  if [ -f "$candidate" ]; then pg_query=$candidate; break; fi
done
[ -n "$pg_query" ] || { echo "dist: libpg_query.a not found; fix: apt-get install libpg-query-dev" >&2; exit 2; }
ln -s "$pg_query" "$static_libs/libpg_query.a"
# libstdc++.a comes with g++'s libstdc++-N-dev; without it libstdc++6 stays a (standard) dependency.
stdcxx=$(printf '%s\n' /usr/lib/gcc/*/*/libstdc++.a | sort -V | tail -n 1)
[ -f "$stdcxx" ] || stdcxx=""
if [ -n "$stdcxx" ]; then ln -s "$stdcxx" "$static_libs/libstdc++.a"; fi
libpq_pc="$(pkg-config --variable=pcfiledir libpq)/libpq.pc"
sed -E "s|^Libs:|Libs: -L$static_libs|" "$libpq_pc" > "$scratch/pkgconfig/libpq.pc"
export PKG_CONFIG_PATH="$PWD/$scratch/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

build=("$SWIFT" build -c release --static-swift-stdlib --scratch-path "$scratch" --product dbadvise)
"${build[@]}" >&2
binary="$("${build[@]}" --show-bin-path)/dbadvise"
if [ "${1:-}" = binary ]; then echo "$binary"; exit 0; fi

arch=$(uname -m)
debarch=$(dpkg --print-architecture)
name="dbadvise-$version-linux-$arch"
rm -rf dist/stage && mkdir -p dist/stage
# Stripped: the symbols of a statically linked runtime are most of the file otherwise.
strip -o dist/stage/dbadvise "$binary"

# The tarball: a prefix tree (bin/, share/) plus README, CHANGELOG and the sample config.
scripts/install-tree.sh dist/stage/dbadvise "dist/stage/$name"
cp README.md CHANGELOG.md "dist/stage/$name/"
cp samples/dbadvise.yml "dist/stage/$name/dbadvise.yml"
if [ -f LICENSE ]; then cp LICENSE "dist/stage/$name/"; fi
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@0" -C dist/stage -czf "dist/$name.tar.gz" "$name"

# The .deb: the same tree under /usr, the man page gzipped as Debian does.
package="dist/stage/deb"
scripts/install-tree.sh dist/stage/dbadvise "$package/usr"
gzip -9n "$package/usr/share/man/man1/dbadvise.1"
if [ -f LICENSE ]; then cp LICENSE "$package/usr/share/doc/dbadvise/copyright"; fi
mkdir -p "$package/DEBIAN"
maintainer=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || echo "dbadvise")}
size=$(du -sk "$package/usr" | cut -f1)
cat > "$package/DEBIAN/control" <<CONTROL
Package: dbadvise
Version: $version
Architecture: $debarch
Maintainer: $maintainer
Installed-Size: $size
Depends: libpq5, libsqlite3-0
Section: database
Priority: optional
Description: which PostgreSQL scale-up step you need next, measured
 dbadvise measures a PostgreSQL database (through libpq, with a pg_monitor role)
 and recommends the next step on the scaling ladder: a bigger machine, read
 replicas, partitioning, sharding, CQRS or a cache, with the numbers behind it.
 It also gates CI pipelines on scaling thresholds (dbadvise check).
CONTROL
deb="dist/dbadvise_${version}_${debarch}.deb"
# gzip, not dpkg-deb's default xz: 25 MB instead of 16 MB, but seconds instead of two minutes
# of make test on a busy machine.
dpkg-deb --root-owner-group -Zgzip --build "$package" "$deb" >/dev/null

(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256" && sha256sum "$(basename "$deb")" > "$(basename "$deb").sha256")
rm -rf dist/stage
ls -l "dist/$name.tar.gz" "$deb" >&2
