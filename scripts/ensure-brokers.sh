#!/usr/bin/env bash
# Make sure the brokers the task-queue tests use are up: RabbitMQ (127.0.0.1:5672, guest/guest) and Redis
# (127.0.0.1:6379); start them (as installed from Debian's packages) if not.
set -euo pipefail
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! up 5672; then
  if command -v rabbitmq-server >/dev/null 2>&1; then rabbitmq-server -detached || true; fi
fi
if ! up 6379; then
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /var/lib/redis \
      --logfile /var/log/redis/ci.log || true
  fi
fi
for port in 5672 6379; do
  for _ in $(seq 1 60); do up "$port" && break; sleep 1; done
  if ! up "$port"; then
    echo "Nothing answers on 127.0.0.1:$port (RabbitMQ 5672, Redis 6379); the task-queue tests cannot run." >&2
    exit 1
  fi
done
