#!/bin/sh
# Installs the radscore C library as a system library is installed:
#
#   PREFIX/include/radscore.h
#   PREFIX/lib/libradscore.a
#   PREFIX/lib/libradscore.so.VERSION, libradscore.so.ABI -> it, libradscore.so -> .so.ABI  (Linux)
#   PREFIX/lib/libradscore.ABI.dylib, libradscore.dylib -> it                                  (macOS)
#   PREFIX/lib/pkgconfig/radscore.pc          shared:  cc app.c $(pkg-config --cflags --libs radscore)
#   PREFIX/lib/pkgconfig/radscore-static.pc   static:  cc app.c $(pkg-config --cflags --libs --static radscore-static)
#   PREFIX/lib/cmake/radscore/radscoreConfig.cmake, radscoreConfigVersion.cmake
#                                             find_package(radscore CONFIG REQUIRED) → radscore::radscore
#   PREFIX/share/doc/radscore/c-api.md
#
# Usage: ffi/install/install.sh --prefix PREFIX [--lib-dir DIR] [--libdir-name lib]
#   Builds `cargo build --release -p radscore-ffi` first, unless --lib-dir names a folder that
#   already holds libradscore.a and libradscore.so / .dylib (a cargo profile folder, `deps` of a
#   test build, or a cross build). DESTDIR is honoured as by `make install`.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
ffi="$(cd "$here/.." && pwd)"
root="$(cd "$ffi/.." && pwd)"
prefix=""
lib_dir=""
libdir_name="lib"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --lib-dir) lib_dir="$2"; shift 2 ;;
    --lib-dir=*) lib_dir="${1#*=}"; shift ;;
    --libdir-name) libdir_name="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (expected --prefix, --lib-dir, --libdir-name)" >&2; exit 2 ;;
  esac
done
if [ -z "$prefix" ]; then
  echo "install.sh: --prefix PREFIX is required (e.g. --prefix /usr/local or --prefix \$HOME/.local)" >&2
  exit 2
fi
case "$prefix" in
  /*) ;;
  *) prefix="$(pwd)/$prefix" ;;
esac

# The version and ABI major come from the crate and the library's own constant.
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)"
abi="$(sed -n 's/^pub const RADSCORE_ABI_MAJOR: u32 = \([0-9]*\);/\1/p' "$ffi/src/lib.rs")"
if [ -z "$version" ] || [ -z "$abi" ]; then
  echo "install.sh: cannot read the version from Cargo.toml or the ABI major from ffi/src/lib.rs" >&2
  exit 1
fi

if [ -z "$lib_dir" ]; then
  (cd "$root" && cargo build --release -p radscore-ffi)
  lib_dir="${CARGO_TARGET_DIR:-$root/target}/release"
fi
case "$(uname -s)" in
  Darwin) shared_src="libradscore.dylib"; shared_real="libradscore.$abi.dylib" ;;
  *) shared_src="libradscore.so"; shared_real="libradscore.so.$version" ;;
esac
for f in libradscore.a "$shared_src"; do
  if [ ! -f "$lib_dir/$f" ]; then
    echo "install.sh: $lib_dir/$f not found; build it with 'cargo build --release -p radscore-ffi' or pass --lib-dir" >&2
    exit 1
  fi
done

dest="${DESTDIR:-}$prefix"
libdir="$dest/$libdir_name"
mkdir -p "$dest/include" "$libdir/pkgconfig" "$libdir/cmake/radscore" "$dest/share/doc/radscore"
install -m 644 "$ffi/include/radscore.h" "$dest/include/radscore.h"
install -m 644 "$lib_dir/libradscore.a" "$libdir/libradscore.a"
install -m 755 "$lib_dir/$shared_src" "$libdir/$shared_real"
case "$(uname -s)" in
  Darwin)
    ln -sf "$shared_real" "$libdir/libradscore.dylib"
    install_name_tool -id "$prefix/$libdir_name/$shared_real" "$libdir/$shared_real" 2>/dev/null || true
    ;;
  *)
    ln -sf "$shared_real" "$libdir/libradscore.so.$abi"
    ln -sf "libradscore.so.$abi" "$libdir/libradscore.so"
    ;;
esac
install -m 644 "$root/docs/c-api.md" "$dest/share/doc/radscore/c-api.md"

# What Rust's std needs besides libc when the static library is linked into a C program.
case "$(uname -s)" in
  Darwin) native="-lSystem -lc -lm" ;;
  *) native="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc" ;;
esac

for pc in radscore radscore-static; do
  sed -e "s|@PREFIX@|$prefix|g" -e "s|@LIBDIR@|\${prefix}/$libdir_name|g" -e "s|@VERSION@|$version|g" \
      -e "s|@NATIVE_LIBS@|$native|g" "$here/$pc.pc.in" > "$libdir/pkgconfig/$pc.pc"
done
sed -e "s|@VERSION@|$version|g" -e "s|@ABI@|$abi|g" -e "s|@SHARED_REAL@|$shared_real|g" \
    -e "s|@LIBDIR_NAME@|$libdir_name|g" -e "s|@NATIVE_LIBS@|$native|g" \
    "$here/radscoreConfig.cmake.in" > "$libdir/cmake/radscore/radscoreConfig.cmake"
sed -e "s|@VERSION@|$version|g" "$here/radscoreConfigVersion.cmake.in" \
    > "$libdir/cmake/radscore/radscoreConfigVersion.cmake"

echo "radscore $version (C ABI $abi) installed into $dest"
