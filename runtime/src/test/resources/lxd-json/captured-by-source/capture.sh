#!/bin/bash
# Captures LXD API JSON from a throw-away daemon in its own namespace.
set -u
SUF=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
NS=msl-x-$SUF
DIR=/tmp/msl-cap/lxd-$SUF
OUT=${OUT:-/tmp/msl-cap/out}
mkdir -p "$DIR" "$OUT"
LXDPID=
cleanup() {
  set +e
  # Stopping the daemon leaves its containers running: delete them through it first.
  if [ -n "$LXDPID" ]; then
    for p in $(lxc project list --format csv </dev/null | cut -d, -f1 | sed 's/ (current)//'); do
      for c in $(lxc list --project "$p" --format csv -c n </dev/null); do lxc delete -f --project "$p" "$c" </dev/null; done
    done
  fi
  if [ -n "$LXDPID" ]; then
    kill "$LXDPID" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$LXDPID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$LXDPID" 2>/dev/null
  fi
  # Containers it could not delete: kill their init (then their monitor exits), by PID.
  for m in $(pgrep -f "^\[lxc monitor\] $DIR/"); do pkill -9 -P "$m"; done
  sleep 0.5
  grep " $DIR" /proc/mounts | awk '{print $2}' | sort -r | while read m; do umount -l "$m"; done
  ip netns del "$NS" 2>/dev/null
  rm -rf "$DIR"
  echo "cleaned $NS $DIR"
}
trap cleanup EXIT
set -e
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add eth0 type veth peer name lanp
ip -n "$NS" link set eth0 up; ip -n "$NS" link set lanp up
ip -n "$NS" addr add 198.51.100.62/24 dev eth0
export LXD_DIR=$DIR
ip netns exec "$NS" lxd --logfile "$DIR/lxd.log" </dev/null >"$DIR/stdout" 2>&1 &
LXDPID=$!
lxd waitready --timeout 30
L() { lxc "$@" </dev/null; }
L config set images.auto_update_interval 0
L storage create default dir
L profile device add default root disk path=/ pool=default
# 1 MB busybox image
IMG=$DIR/img; mkdir -p $IMG/rootfs/{bin,sbin,etc,proc,sys,dev,tmp}
cp /bin/busybox $IMG/rootfs/bin/busybox
for c in sh ip ping sleep mount; do ln -s busybox $IMG/rootfs/bin/$c; done
ln -s ../bin/busybox $IMG/rootfs/sbin/init
cat > $IMG/rootfs/etc/inittab <<'INIT'
::sysinit:/bin/sh -c "mount -t proc proc /proc; ip link set lo up; for i in eth0 eth1; do ip link set $i up; done"
::respawn:/bin/sleep 100000
INIT
cat > $IMG/metadata.yaml <<META
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: busybox
  os: busybox
META
(cd $IMG && tar -czf ../busybox.tar.gz metadata.yaml rootfs)
L image import $DIR/busybox.tar.gz --alias busybox
${SCENARIO:-true}
