#!/usr/bin/env bash
# System packages the local stack needs: Java 17+ and Maven (Kafka), redis-server;
# docker-compose, to validate docker-compose.yml offline in the tests; Node.js and npm
# for the official AsyncAPI parser the tests run.
# As root they are installed with apt-get when missing; otherwise the command is printed.
set -euo pipefail
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# Offline validation of docker-compose.yml (no engine needed).
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
# The official AsyncAPI parser (parser-js) checks topics/asyncapi.yaml in the tests.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# External services need none of them.
if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
  missing=("${missing[@]/openjdk-17-jre-headless}"); missing=("${missing[@]/maven}")
fi
if [[ -n "${REDIS_URL:-}" ]]; then missing=("${missing[@]/redis-server}"); fi
pkgs=()
for p in "${missing[@]}"; do [[ -n "$p" ]] && pkgs+=("$p"); done
[[ ${#pkgs[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${pkgs[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
else
  echo "missing: ${pkgs[*]}; install with: sudo apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi
