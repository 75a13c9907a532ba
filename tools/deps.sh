#!/usr/bin/env bash
# deps.sh PACKAGE... -- install the missing Debian packages (as root), or say
# which to install.  Tangled from chapters/p8-build.nw.
set -euo pipefail
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "make: installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing </dev/null
else
    echo "make: these Debian packages are missing:$missing" >&2
    echo "make: install them with this command, then run make again:" >&2
    echo "    sudo apt-get install --no-install-recommends$missing" >&2
    exit 1
fi
