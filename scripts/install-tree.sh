#!/usr/bin/env bash
# Installs a dbadvise binary with its man page, shell completions and documents under PREFIX:
# bin/dbadvise, share/man/man1/dbadvise.1, share/bash-completion/completions/dbadvise,
# share/zsh/{vendor-completions (PREFIX /usr, as Debian's zsh reads),site-functions}/_dbadvise,
# share/fish/vendor_completions.d/dbadvise.fish, share/doc/dbadvise/.
# Used by `make install PREFIX=…`, the tarball and the .deb (scripts/dist.sh).
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: scripts/install-tree.sh BINARY PREFIX" >&2; exit 2; fi
binary=$1
prefix=$2
root="$(cd "$(dirname "$0")/.." && pwd)"
zsh_dir=site-functions
if [ "$prefix" = /usr ] || [ "${prefix%/usr}" != "$prefix" ]; then zsh_dir=vendor-completions; fi
install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
  "$prefix/share/zsh/$zsh_dir" "$prefix/share/fish/vendor_completions.d" "$prefix/share/doc/dbadvise"
install -m 0755 "$binary" "$prefix/bin/dbadvise"
install -m 0644 "$root/docs/dbadvise.1" "$prefix/share/man/man1/dbadvise.1"
# Completions come from swift-argument-parser's own generator, run from the installed binary.
for shell in bash zsh fish; do
  case $shell in
    bash) target="$prefix/share/bash-completion/completions/dbadvise" ;;
    zsh) target="$prefix/share/zsh/$zsh_dir/_dbadvise" ;;
    fish) target="$prefix/share/fish/vendor_completions.d/dbadvise.fish" ;;
  esac
  "$prefix/bin/dbadvise" --generate-completion-script "$shell" > "$target"
  chmod 0644 "$target"
done
install -m 0644 "$root/README.md" "$root/CHANGELOG.md" "$prefix/share/doc/dbadvise/"
install -m 0644 "$root/samples/dbadvise.yml" "$prefix/share/doc/dbadvise/dbadvise.yml"
