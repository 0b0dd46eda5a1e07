set -e
L() { lxc "$@" </dev/null; }
Q() { curl -s --unix-socket $LXD_DIR/unix.socket "http://lxd$1"; }
L network create mvnet --type=macvlan parent=eth0
L profile create macvlan
L profile device add macvlan eth0 nic nictype=macvlan parent=eth0
L monitor --type=lifecycle --format=json --all-projects > $OUT/events-monitor.txt 2>&1 &
MON=$!
sleep 0.5
L launch busybox c1 --profile default --profile macvlan
L init busybox c2 --profile default
L config device add c2 lan nic network=mvnet name=eth1
L start c2
L launch busybox c3 --profile default --profile macvlan
L launch busybox c5 --profile default
L project create p2 -c features.images=false -c features.profiles=false
L launch busybox c4 --project p2 --profile default --profile macvlan
L exec c1 -- ip addr add 198.51.100.201/24 dev eth0
L exec c1 -- ip addr add 2001:db8:100::201/64 dev eth0
L exec c2 -- ip addr add 198.51.100.202/24 dev eth1
L exec c4 --project p2 -- ip addr add 198.51.100.204/24 dev eth0
L stop c3 --force
sleep 1
Q /1.0 > $OUT/server.json
Q '/1.0/networks?recursion=1' > $OUT/networks.json
Q '/1.0/instances?recursion=2&all-projects=true' > $OUT/instances-recursion2.json
Q '/1.0/instances/c1/state' > $OUT/instance-c1-state.json
Q '/1.0/instances/c3/state' > $OUT/instance-c3-stopped-state.json
Q '/1.0/instances/nope/state' > $OUT/instance-missing-state.json
Q '/1.0/instances/c4/state?project=p2' > $OUT/instance-p2-c4-state.json
L restart c1 --force
L rename c5 c6 || true
L stop c6 --force || true
L pause c4 --project p2 || true
L delete c3
sleep 1
kill $MON
Q '/1.0/instances?recursion=2&all-projects=true' > $OUT/instances-after-events.json
for i in c1 c2 c6; do L delete -f $i || true; done
L delete -f c4 --project p2 || true
L project delete p2 || true
