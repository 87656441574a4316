#!/bin/sh
# Builds the RPMs from git HEAD: source tarball with vendored crates, rpmbuild -ba, rpmlint.
#
#   rpm/build-rpm.sh [OUT]      (OUT defaults to build/rpm; `make rpm`)
#
# OUT/SOURCES/masakari-pcmk-V.tar.gz  git HEAD + vendor/ + .cargo/config.toml, its spec version-stamped
# OUT/RPMS/<arch>/*.rpm, OUT/SRPMS/   what rpmbuild made
# OUT/vendor/<Cargo.lock hash>/       `cargo vendor` output, reused while Cargo.lock is unchanged
# OUT/target/                         cargo's target directory for rpmbuild, so rebuilds are incremental
#
# Only committed work is packaged: git archive of RPM_REF (default HEAD; a tag for a release).
# Extra rpmbuild arguments: RPMBUILD_ARGS.
set -eu

# command:Debian package
for tool in rpmbuild:rpm rpmlint:rpmlint xsltproc:xsltproc cargo:rustup git:git; do
    command -v "${tool%%:*}" >/dev/null ||
        { echo "build-rpm: ${tool%%:*} is missing (Debian package ${tool#*:})" >&2; exit 1; }
done
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
out=$(realpath -m "${1:-$top/build/rpm}")
name=masakari-pcmk

mkdir -p "$out/SOURCES" "$out/SPECS" "$out/vendor" "$out/target"
stage=$(mktemp -d "$out/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
trap 'exit 130' INT TERM

ref=${RPM_REF:-HEAD}
git -C "$top" archive --format=tar --prefix=src/ "$ref" | tar -x -C "$stage"
version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\([^"]*\)".*/\1/p' "$stage/src/Cargo.toml")
[ -n "$version" ] || { echo "build-rpm: no [workspace.package] version in Cargo.toml" >&2; exit 1; }
tree=$name-$version
mv "$stage/src" "$stage/$tree"
echo "build-rpm: $tree from $ref ($(git -C "$top" rev-parse --short "$ref"))"
if [ "$ref" = HEAD ] && [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
    echo "build-rpm: note: uncommitted changes in the work tree are not packaged" >&2
fi

# Vendored crates: one `cargo vendor` per Cargo.lock content. --offline uses the local registry cache
# and falls back to the network only when a crate is missing from it.
lock_hash=$(sha256sum "$stage/$tree/Cargo.lock" | cut -c1-16)
vendor=$out/vendor/$lock_hash
if [ ! -d "$vendor" ]; then
    echo "build-rpm: vendoring crates of Cargo.lock $lock_hash"
    (cd "$stage/$tree" && { cargo vendor --locked --offline --quiet "$stage/vendor" >/dev/null ||
        cargo vendor --locked --quiet "$stage/vendor" >/dev/null; })
    mv "$stage/vendor" "$vendor"
    # Only the newest few caches are kept.
    ls -1t "$out/vendor" | tail -n +4 | while read -r old; do rm -rf "${out:?}/vendor/$old"; done
fi
mkdir -p "$stage/$tree/.cargo"
cat > "$stage/$tree/.cargo/config.toml" <<'EOF'
# Written by rpm/build-rpm.sh: build from the vendored crates, never the network.
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"

[net]
offline = true
EOF
{ echo "%global cargo_version $version"; cat "$top/rpm/$name.spec"; } > "$out/SPECS/$name.spec"
# The tarball's only spec is the stamped one, so `rpmbuild -ta` finds exactly one.
cp "$out/SPECS/$name.spec" "$stage/$tree/rpm/$name.spec"
# The cached vendor/ goes in as $tree/vendor without a copy. Fixed order and owner, so an unchanged
# tree gives the same tarball.
tar --sort=name --owner=0 --group=0 --numeric-owner --transform="s,^$lock_hash,$tree/vendor," \
    -cf - -C "$stage" "$tree" -C "$out/vendor" "$lock_hash" | gzip -n -1 > "$out/SOURCES/$tree.tar.gz"

rm -rf "$out/RPMS" "$out/SRPMS"
# --nodeps: the BuildRequires are EL9 package names. _docdir_fmt as on EL9 (Debian's adds the version).
# The spec builds in its own target (cargo_target_dir): a caller's CARGO_TARGET_DIR would send the
# binaries elsewhere.
# shellcheck disable=SC2086 # RPMBUILD_ARGS is a list of words
env -u CARGO_TARGET_DIR rpmbuild -ba --nodeps \
    --define "_topdir $out" \
    --define "cargo_target_dir $out/target" \
    --define "_docdir_fmt %%{NAME}" \
    ${RPMBUILD_ARGS:-} "$out/SPECS/$name.spec"

echo "build-rpm: rpmlint"
rpmlint --config "$top/rpm/rpmlint.toml" "$out/SPECS/$name.spec" "$out"/RPMS/*/*.rpm "$out"/SRPMS/*.rpm
ls -1 "$out"/RPMS/*/*.rpm "$out"/SRPMS/*.rpm
