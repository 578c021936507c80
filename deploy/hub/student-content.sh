#!/bin/sh
# Copy what students get from the course repository to DEST (replacing it):
#   student-content.sh REPO DEST
# Only what healthlab.workspace builds a student's copy from: the lessons, the course home, the
# glossary, the data cards and data. No teacher notes, no assignment sources. Used by
# deploy/install.sh (one server) and deploy/kubernetes/Dockerfile (the image).
set -eu
repo="$1"; dest="$2"
rm -rf "$dest.new"
mkdir -p "$dest.new/notebooks" "$dest.new/datasets"
cp "$repo"/notebooks/[0-9][0-9]-*.ipynb "$dest.new/notebooks/"
for name in README.md glossary.md; do
  if [ -f "$repo/notebooks/$name" ]; then cp "$repo/notebooks/$name" "$dest.new/notebooks/"; fi
done
find "$repo/datasets" -maxdepth 1 -type f \( -name '*.md' -o -name '*.csv' \) -exec cp {} "$dest.new/datasets/" \;
chmod -R a+rX,go-w "$dest.new"
rm -rf "$dest.old"
if [ -d "$dest" ]; then mv "$dest" "$dest.old"; fi
mv "$dest.new" "$dest"
rm -rf "$dest.old"
