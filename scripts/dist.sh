#!/usr/bin/env bash
# make dist: the portable binary (Swift runtime, Foundation and libpg_query linked in; needs
# only glibc and libpq5), then in dist/: dbadvise-VERSION-linux-ARCH.tar.gz and
# dbadvise_VERSION_DEBARCH.deb, each with a .sha256 file.
# `scripts/dist.sh binary` only builds the binary and prints its path (make install uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
version=$(sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/DBAdviseCore/Version.swift)
[ -n "$version" ] || { echo "dist: no version in Sources/DBAdviseCore/Version.swift" >&2; exit 1; }
scratch=.build-dist

# libpg_query statically. CPgQuery's module map links `pg_query`, and the linker takes a
# directory's .so over its .a; a directory holding only the archive, searched before the
# system's, makes that same `-lpg_query` resolve to libpg_query.a, with no change to the
# package for ordinary builds.
archive=""
for candidate in /usr/lib/*/libpg_query.a /usr/lib/libpg_query.a /usr/local/lib/libpg_query.a; do
  if [ -f "$candidate" ]; then archive=$candidate; break; fi
done
[ -n "$archive" ] || { echo "dist: libpg_query.a not found; fix: apt-get install libpg-query-dev" >&2; exit 2; }
mkdir -p "$scratch/static-libs"
ln -sf "$archive" "$scratch/static-libs/libpg_query.a"

build=("$SWIFT" build -c release --static-swift-stdlib --scratch-path "$scratch" --product dbadvise
  -Xlinker -L"$PWD/$scratch/static-libs")
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
Depends: libpq5
Section: database
Priority: optional
Description: which PostgreSQL scale-up step you need next, measured
 dbadvise measures a PostgreSQL database (through libpq, with a pg_monitor role)
 and recommends the next step on the scaling ladder: a bigger machine, read
 replicas, partitioning, sharding, CQRS or a cache, with the numbers behind it.
 It also gates CI pipelines on scaling thresholds (dbadvise check).
CONTROL
deb="dist/dbadvise_${version}_${debarch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$package" "$deb" >/dev/null

(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256" && sha256sum "$(basename "$deb")" > "$(basename "$deb").sha256")
rm -rf dist/stage
ls -l "dist/$name.tar.gz" "$deb" >&2
