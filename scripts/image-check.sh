#!/usr/bin/env bash
# Build the project's image and run its worker for real, on a machine with no registry for
# container images (as the development machines here): Debian's docker.io engine, started
# without a bridge network (containers use the host's loopback only), and a local stand-in
# for python:3.11-slim made with debootstrap from Debian's packages. Needs root, and the
# local stack running (make stack-up). Not part of `make test` (minutes, root, an engine).
#
#   sudo bash scripts/image-check.sh
#
# What it shows: the Dockerfile builds (the spaCy model loads at build time, dev tools are
# left out), the container runs as uid 10001, creates the topics, serves /readyz, turns the
# sample articles into events and notices, and stops cleanly on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${IMAGE_CHECK_DIR:-/tmp/newsworker-image-check}
base=newsworker-base:bookworm-local
prefix="imgcheck$(date +%s)."
mkdir -p "$work"
for tool in dockerd docker debootstrap; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y docker.io debootstrap" >&2; exit 1; }
done
if ! docker info >/dev/null 2>&1; then
  dockerd --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --data-root "$work/docker" >"$work/dockerd.log" 2>&1 &
  for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi
if ! docker image inspect "$base" >/dev/null 2>&1; then
  root="$work/rootfs"
  [ -x "$root/usr/bin/python3" ] || debootstrap --variant=minbase \
    --include=python3,python3-venv,python3-pip,ca-certificates bookworm "$root"
  # The layout of the official image: `python`/`pip` on PATH, no PEP 668 marker, and the
  # paths `pip install --prefix` writes to under Debian's Python on sys.path.
  rm -f "$root/usr/lib/python3.11/EXTERNALLY-MANAGED"
  ln -sf /usr/bin/python3 "$root/usr/local/bin/python"
  ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip"
  printf '/usr/local/lib/python3.11/site-packages\n/usr/local/local/lib/python3.11/dist-packages\n' \
    >"$root/usr/lib/python3/dist-packages/official-layout.pth"
  # This machine's own trusted CAs (its network may inspect TLS), for pip inside the build.
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
  chroot "$root" update-ca-certificates >/dev/null
  tar -C "$root" -c . | docker import \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PATH=/usr/local/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$base" >/dev/null
fi
docker build --network host --build-arg BASE_IMAGE="$base" -t newsworker:image-check . >"$work/build.log"
echo "image built (log: $work/build.log)"
env=(-e KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:29092}"
     -e REDIS_URL="${REDIS_URL:-redis://127.0.0.1:26379/0}"
     -e NEWSWORKER_TOPIC_PREFIX="$prefix" -e NEWSWORKER_CONSUMER_GROUP="${prefix}group"
     -e NEWSWORKER_KEY_PREFIX="${prefix%?}" -e NEWSWORKER_WEB_PORT=16066 -e NEWSWORKER_WEB_BIND=127.0.0.1)
test "$(docker run --rm --network host --entrypoint id newsworker:image-check -u)" = 10001
docker run --rm --network host "${env[@]}" newsworker:image-check topics create
docker run -d --name newsworker-image-check --network host "${env[@]}" newsworker:image-check >/dev/null
trap 'docker rm -f newsworker-image-check >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 90); do curl -sf http://127.0.0.1:16066/readyz >/dev/null && break; sleep 1; done
curl -sf http://127.0.0.1:16066/readyz; echo
.venv/bin/newsworker --topic-prefix "$prefix" publish samples/articles >/dev/null
enriched=$(.venv/bin/newsworker --topic-prefix "$prefix" tail --from-beginning --json --timeout 120 --max-messages 3 | wc -l)
notices=$(.venv/bin/newsworker --topic-prefix "$prefix" tail --topic duplicates --from-beginning --json --timeout 60 --max-messages 2 | wc -l)
echo "the container published $enriched enriched events and $notices duplicate notices"
docker stop -t 60 newsworker-image-check >/dev/null
code=$(docker inspect --format '{{.State.ExitCode}}' newsworker-image-check)
echo "stopped on SIGTERM with exit status $code"
test "$enriched" = 3 && test "$notices" = 2 && test "$code" = 0
echo "image check passed"
