#!/usr/bin/env bash
# Downloads a dataset from its public home into the data folder, in the layout sparkcnn reads
# (data.dir), and verifies it against the checksums kept in deploy/datasets.sha256 (SHA-256, the
# files ../shared/datasets/README.md lists). CIFAR-10 has no published SHA-256: its archive is
# checked against the published MD5 and unpacked to cifar-10-batches-bin/.
#   deploy/fetch-datasets.sh NAME [DIR]      NAME: mnist, fashion-mnist or cifar10; DIR: data
# SPARKCNN_DATASET_MIRROR=URL replaces the public homes (e.g. file:///path/to/datasets, holding
# NAME/FILE). Files already present with the right checksum are kept; nothing is left half
# written: a download goes to a temporary name and is renamed once verified.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:-}"
dir="${2:-data}"
sums="$home/deploy/datasets.sha256"
mirror="${SPARKCNN_DATASET_MIRROR:-}"

fail() {
  echo "fetch-datasets: $*" >&2
  exit 1
}

case "$name" in
  mnist)
    homes="https://ossci-datasets.s3.amazonaws.com/mnist http://yann.lecun.com/exdb/mnist" ;;
  fashion-mnist)
    homes="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com" ;;
  cifar10)
    homes="https://www.cs.toronto.edu/~kriz" ;;
  *)
    fail "unknown dataset '$name': expected mnist, fashion-mnist or cifar10" ;;
esac
[[ -n "$mirror" ]] && homes="${mirror%/}/$name"
command -v curl > /dev/null || fail "needs curl"
mkdir -p "$dir/$name"

# fetch FILE DEST: tries each home in turn; the partial download never takes DEST's name
fetch() {
  local file="$1" dest="$2" url
  for h in $homes; do
    url="$h/$file"
    if curl -fsSL --retry 2 --connect-timeout 20 -o "$dest.part" "$url"; then
      return 0
    fi
    echo "fetch-datasets: could not download $url" >&2
  done
  rm -f "$dest.part"
  fail "no home of $name answered (offline? set SPARKCNN_DATASET_MIRROR to a copy)"
}

if [[ "$name" == cifar10 ]]; then
  md5=c32a1d4ab5d03f1284b67883e8d87530 # the published md5 of cifar-10-binary.tar.gz
  archive="$dir/cifar-10-binary.tar.gz"
  if [[ ! -f "$archive" ]] || [[ "$(md5sum < "$archive" | cut -d' ' -f1)" != "$md5" ]]; then
    fetch cifar-10-binary.tar.gz "$archive"
    got="$(md5sum < "$archive.part" | cut -d' ' -f1)"
    [[ "$got" == "$md5" ]] || { rm -f "$archive.part";
      fail "cifar-10-binary.tar.gz: md5 $got, expected the published $md5"; }
    mv "$archive.part" "$archive"
  fi
  tar -xzf "$archive" -C "$dir"
  rmdir "$dir/$name" 2> /dev/null || true
  echo "fetch-datasets: cifar10 in $dir/cifar-10-batches-bin (md5 of the archive verified)"
  exit 0
fi

grep " $name/" "$sums" | while read -r sha path; do
  file="${path#"$name"/}"
  dest="$dir/$path"
  if [[ -f "$dest" ]] && [[ "$(sha256sum < "$dest" | cut -d' ' -f1)" == "$sha" ]]; then
    echo "fetch-datasets: $dest present and verified"
    continue
  fi
  fetch "$file" "$dest"
  got="$(sha256sum < "$dest.part" | cut -d' ' -f1)"
  if [[ "$got" != "$sha" ]]; then
    rm -f "$dest.part"
    fail "$file: sha256 $got, expected $sha (from deploy/datasets.sha256)"
  fi
  mv "$dest.part" "$dest"
  echo "fetch-datasets: $dest verified"
done
