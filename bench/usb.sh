#!/bin/sh
# USB provider benchmarks against the real gateway.jar (builds nothing).
#
#   bench/usb.sh [RUNS]          # default 5 runs of each insertion scenario, 3 of the 256 MB validation
#   BIG_MB=64 bench/usb.sh 3     # a smaller "big" package
#   GATEWAY_JAR=/path/gateway.jar bench/usb.sh
#   GATEWAY_OPTS="-XX:+UseSerialGC -Xmx128m" bench/usb.sh    # JVM options for the gateway; its RSS is printed
#
# One gateway in a temporary home: etc/org.ocfupdate.coap.cfg (127.0.0.1, a free port, no multicast),
# etc/org.ocfupdate.provider.usb.cfg (roots = HOME/media, checkOnInsert=true), etc/org.ocfupdate.trust.cfg (a vendor
# key made with openssl). Packages are built as a vendor would without our tool (openssl dgst -sign, zip -0).
# pstat is observed with CoAP Observe on /oic/sec/pstat over coaps (DTLS, the owner PSK from
# data/credentials/owner.properties; plain CoAP answers 4.01) with Debian's coap-client-gnutls (libcoap3-bin): every
# transition arrives as a notification, timed when the client logs it (-v 6, line-buffered through stdbuf).
#
# 1. insert -> cm 256: a prepared medium folder (with a small signed package) is renamed into the root (a medium
#    appearing); time until the notification with cm 256 (the check the provider started found the package and
#    validation began). Target <= 1 s.
# 2. mount -> cm 256 (root only): an ext4 image (vfat where the kernel has it) holding the package is mounted with
#    -o loop onto the existing folder HOME/media/usb: no inotify event, only /proc/self/mountinfo changes.
# 3. validation of a BIG_MB (256) MB package from a loop-mounted medium (a folder without root): insert -> cm 256 ->
#    cm 320 (fetched, SHA-256, signature and artifact digests verified, staged), against `cp` of the same file into
#    the data folder followed by `openssl dgst -sha256` of the copy, in the same run. The page cache is dropped
#    before each measurement where /proc/sys/vm/drop_caches is writable (cold), else both run warm.
# Prints one line per run and SUMMARY lines (median/min/max, ms).
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-5}
BIG_MB=${BIG_MB:-256}
export GATEWAY_OPTS=${GATEWAY_OPTS:-}
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
[ -f "$JAR" ] || { echo "usb.sh: $JAR not found; build first: mvn -q install -DskipTests" >&2; exit 2; }
for tool in openssl zip python3 java coap-client-gnutls stdbuf; do
    command -v "$tool" >/dev/null || { echo "usb.sh: $tool is needed (coap-client-gnutls: apt-get install libcoap3-bin)" >&2; exit 2; }
done
exec timeout $((RUNS * 60 + 900)) python3 - "$JAR" "$RUNS" "$BIG_MB" <<'EOF'
import itertools, os, socket, struct, subprocess, sys, tempfile, time, shutil, statistics, json, hashlib

jar, runs, big_mb = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
home = tempfile.mkdtemp(prefix="ocf-usb-bench-")
root_user = os.geteuid() == 0
mounts = []

def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

# ---- a minimal CoAP GET and CBOR reader ----
def cbor(b, i=0):
    ib = b[i]; major, info = ib >> 5, ib & 31; i += 1
    if info < 24: val = info
    elif info == 24: val = b[i]; i += 1
    elif info == 25: val = struct.unpack(">H", b[i:i+2])[0]; i += 2
    elif info == 26: val = struct.unpack(">I", b[i:i+4])[0]; i += 4
    elif info == 27: val = struct.unpack(">Q", b[i:i+8])[0]; i += 8
    elif info == 31: val = None
    else: raise ValueError("cbor")
    if major == 0: return val, i
    if major == 1: return -1 - val, i
    if major in (2, 3):
        s = b[i:i+val]; return (s.decode() if major == 3 else s), i + val
    if major == 4:
        out = []
        while (val is None and b[i] != 0xFF) or (val is not None and len(out) < val):
            v, i = cbor(b, i); out.append(v)
        return out, i + (1 if val is None else 0)
    if major == 5:
        out = {}; n = 0
        while (val is None and b[i] != 0xFF) or (val is not None and n < val):
            k, i = cbor(b, i); v, i = cbor(b, i); out[k] = v; n += 1
        return out, i + (1 if val is None else 0)
    if major == 7: return {20: False, 21: True, 22: None}.get(info), i
    raise ValueError("cbor major %d" % major)

import threading, re
events = []          # (monotonic time, pstat map) for every response and notification, in arrival order
events_lock = threading.Condition()
observer_proc = []

def observer(stop):
    # plain CoAP answers /oic/sec/pstat with 4.01: observe it over coaps with the owner PSK the gateway wrote on its
    # first start, through libcoap's client (-v 6 logs every PDU received on stdout, the payload as hex on the next line;
    # -o /dev/null keeps the raw payloads off stdout)
    port = None
    while not stop.is_set() and port is None:
        m = re.search(r"Gateway ready: coap \S+, coaps /127\.0\.0\.1:(\d+)", open(log.name).read())
        port = m and m.group(1)
        time.sleep(0.05)
    cred = {}
    for line in open(os.path.join(home, "data", "credentials", "owner.properties")):
        k, _, v = line.strip().partition("=")
        cred[k] = v
    while not stop.is_set():
        proc = subprocess.Popen(["stdbuf", "-oL", "coap-client-gnutls", "-m", "get", "-s", "86400", "-B", "86400",
                                 "-v", "6", "-o", "/dev/null", "-u", cred["identity"], "-k", cred["key"],
                                 "coaps://127.0.0.1:%s/oic/sec/pstat" % port],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                errors="replace")
        observer_proc[:] = [proc]
        now = None
        for line in proc.stdout:
            if " c:2.05 " in line and "[" in line:   # a response or notification; its payload follows as <<hex>>
                now = time.monotonic()
                continue
            if now is None or not line.startswith("<<"):
                continue
            try:
                p = cbor(bytes.fromhex(line.strip()[2:-2]))[0]
            except (ValueError, IndexError):
                now = None
                continue
            with events_lock:
                events.append((now, p))
                events_lock.notify_all()
            now = None
        proc.wait()
        if not stop.is_set():
            time.sleep(1)  # the client ended (gateway not ready yet?): again

def wait_for(pred, timeout, after=None):
    """the first (time, pstat) at or after time `after` (default: now) matching pred"""
    after = time.monotonic() if after is None else after
    end = time.monotonic() + timeout
    with events_lock:
        while True:
            for t, p in events:
                if t >= after and pred(p):
                    return t, p
            left = end - time.monotonic()
            if left <= 0:
                return None, (events[-1][1] if events else None)
            events_lock.wait(left)

def current():
    with events_lock:
        return events[-1][1] if events else None

def settle(timeout=600):
    """waits until no software-update action runs (tm 0: idle, or a staged package with cm 320)"""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        p = current()
        if p is not None and p.get("tm", 0) == 0:
            return p
        time.sleep(0.02)
    return current()

# ---- vendor key and packages, as with openssl and zip ----
key, pub = os.path.join(home, "vendor-key.pem"), os.path.join(home, "vendor.pem")
sh("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
sh("openssl", "ec", "-in", key, "-pubout", "-out", pub)

def package(out, version, artifact_bytes=None, artifact_file=None):
    work = tempfile.mkdtemp(dir=home)
    os.makedirs(os.path.join(work, "files"))
    art = os.path.join(work, "files", "payload.bin")
    if artifact_file:
        os.link(artifact_file, art)
    else:
        open(art, "wb").write(artifact_bytes)
    h = hashlib.sha256()
    with open(art, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    manifest = {"name": "bench", "version": version, "artifacts": [{"path": "files/payload.bin",
                "sha256": h.hexdigest(), "size": os.path.getsize(art), "type": "file"}]}
    open(os.path.join(work, "manifest.json"), "w").write(json.dumps(manifest))
    sh("openssl", "dgst", "-sha256", "-sign", key, "-out", "manifest.json.sig", "manifest.json", cwd=work)
    sh("zip", "-q", "-0", "-X", os.path.abspath(out), "manifest.json", "manifest.json.sig", "files/payload.bin", cwd=work)
    shutil.rmtree(work)
    return out

# Every offer carries a version newer than all before: a package of the version already staged (cm 320) is not
# checked again, so a repeated offer of one version showed no cm 256 and its run failed.
versions = itertools.count(1)

def next_version():
    return "1.%d.0" % next(versions)

def refill(img, prep, fstype, name, pkg):
    """puts pkg as the only package on the image (mounted read-write at prep for that)"""
    sh("mount", "-t", fstype, "-o", "loop", img, prep)
    try:
        shutil.rmtree(os.path.join(prep, "ocf-update"), ignore_errors=True)
        os.makedirs(os.path.join(prep, "ocf-update"))
        shutil.copy(pkg, os.path.join(prep, "ocf-update", name))
    finally:
        sh("umount", prep)

# ---- the gateway ----
media = os.path.join(home, "media"); os.makedirs(media)
etc = os.path.join(home, "etc"); os.makedirs(etc)
port = free_port(socket.SOCK_DGRAM)
open(os.path.join(etc, "org.ocfupdate.coap.cfg"), "w").write(
    "host=127.0.0.1\nport=%d\nsecurePort=0\nmulticast=false\n" % port)
open(os.path.join(etc, "org.ocfupdate.provider.usb.cfg"), "w").write("roots=%s\ncheckOnInsert=true\n" % media)
open(os.path.join(etc, "org.ocfupdate.trust.cfg"), "w").write("keys=%s\n" % pub)
log = open(os.path.join(home, "gateway.log"), "w")
gw = subprocess.Popen(["java"] + os.environ.get("GATEWAY_OPTS", "").split() + ["-Dgateway.home=" + home, "-Dfelix.fileinstall.enableConfigSave=false",
                       "-Dorg.osgi.service.http.port=%d" % free_port(socket.SOCK_STREAM), "-jar", jar],
                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

def rss():
    """the gateway JVM's VmRSS and VmHWM in MB"""
    m = {}
    for line in open("/proc/%d/status" % gw.pid):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            m[k] = int(v.split()[0]) / 1024
    return "VmRSS %.1f MB, VmHWM %.1f MB" % (m["VmRSS"], m["VmHWM"])

def drop_caches():
    try:
        os.sync()
        open("/proc/sys/vm/drop_caches", "w").write("3\n")
        return True
    except OSError:
        return False

def summary(name, values):
    if values:
        print("SUMMARY %-34s median %7.0f ms  min %7.0f  max %7.0f  (n=%d)" % (name, statistics.median(values),
              min(values), max(values), len(values)))

stop = threading.Event()
threading.Thread(target=observer, args=(stop,), daemon=True).start()
try:
    t, p = wait_for(lambda p: "cm" in p, 90, after=0)
    if t is None:
        sys.exit("usb.sh: no pstat over coaps from the gateway (coap port %d); see %s" % (port, log.name))
    print("# gateway up (JVM options: %s); pstat %s; %s" % (os.environ.get("GATEWAY_OPTS") or "none",
          {k: p.get(k) for k in ("cm", "tm", "dos")}, rss()))

    # 1. a medium folder appearing
    small = package(os.path.join(home, "small.zip"), next_version(), os.urandom(64 * 1024))
    insert = []
    for i in range(runs):
        if i > 0:
            small = package(os.path.join(home, "small-%d.zip" % i), next_version(), os.urandom(64 * 1024))
        prep = os.path.join(home, "prep-%d" % i)
        os.makedirs(os.path.join(prep, "ocf-update"))
        shutil.copy(small, os.path.join(prep, "ocf-update", "update.zip"))
        settle()
        t0 = time.monotonic()
        os.rename(prep, os.path.join(media, "USB%d" % i))
        t1, p = wait_for(lambda p: p.get("cm") == 256, 10, after=t0)
        if t1 is None:
            print("run %d: no cm 256 within 10 s; pstat %s" % (i, p)); continue
        insert.append((t1 - t0) * 1000)
        print("insert run %d: cm 256 after %.0f ms" % (i, insert[-1]))
        settle()
        shutil.rmtree(os.path.join(media, "USB%d" % i))
        time.sleep(1.0)  # the removal settles, so the next insertion is a new one
    summary("insert (folder appears) -> cm 256", insert)

    # 2. a filesystem mounted onto an existing folder (root only)
    mounted = []
    if not root_user:
        print("# mount scenario skipped: needs root")
    else:
        usb = os.path.join(media, "usb"); os.makedirs(usb)
        img = os.path.join(home, "stick.img")
        with open(img, "wb") as f:
            f.truncate(32 << 20)
        fstype = None
        for t, mkfs in (("vfat", ["mkfs.vfat"]), ("ext4", ["mkfs.ext4", "-q", "-F"])):
            try:
                sh(*mkfs, img)
                prep = os.path.join(home, "prep-img"); os.makedirs(prep, exist_ok=True)
                refill(img, prep, t, "update.zip", small)
                fstype = t
                break
            except (subprocess.CalledProcessError, FileNotFoundError) as e:
                print("# %s image not usable here: %s" % (t, (getattr(e, "stderr", "") or str(e)).strip()))
        if fstype:
            time.sleep(1.0)
            for i in range(runs):
                refill(img, prep, fstype, "update.zip",
                       package(os.path.join(home, "mount-%d.zip" % i), next_version(), os.urandom(64 * 1024)))
                settle()
                t0 = time.monotonic()
                sh("mount", "-t", fstype, "-o", "loop,ro", img, usb); mounts.append(usb)
                t1, p = wait_for(lambda p: p.get("cm") == 256, 10, after=t0)
                if t1 is None:
                    print("run %d: no cm 256 within 10 s; pstat %s" % (i, p))
                else:
                    mounted.append((t1 - t0) * 1000)
                    print("mount run %d (%s): cm 256 after %.0f ms (the mount command included)" % (i, fstype, mounted[-1]))
                settle()
                sh("umount", usb); mounts.remove(usb)
                time.sleep(1.2)
            summary("mount (%s, -o loop) -> cm 256" % fstype, mounted)
        os.rmdir(usb)

    # 3. validation of a big package vs cp + openssl dgst
    big_runs = min(runs, 3)
    blob = os.path.join(home, "blob.bin")
    with open(blob, "wb") as f:
        for _ in range(big_mb):
            f.write(os.urandom(1 << 20))
    big = package(os.path.join(home, "big.zip"), next_version(), artifact_file=blob)
    size = os.path.getsize(big)
    medium_dir, loop = os.path.join(home, "bigstick"), False
    os.makedirs(medium_dir)
    if root_user:
        img = os.path.join(home, "big.img")
        with open(img, "wb") as f:
            f.truncate(size + (64 << 20))
        try:
            sh("mkfs.ext4", "-q", "-F", img)
            sh("mount", "-o", "loop", img, medium_dir); mounts.append(medium_dir); loop = True
        except subprocess.CalledProcessError as e:
            print("# big medium is a plain folder: %s" % e.stderr.strip())
    os.makedirs(os.path.join(medium_dir, "ocf-update"))
    shutil.copy(big, os.path.join(medium_dir, "ocf-update", "big.zip"))
    os.remove(big)
    if loop:
        sh("umount", medium_dir); mounts.remove(medium_dir)
    data = os.path.join(home, "data")
    cold = None
    validate, copy_dgst, copy_sync_dgst, checkin = [], [], [], []
    for i in range(big_runs):
        if i > 0:  # the same bytes under a newer version (see next_version)
            big = package(os.path.join(home, "big.zip"), next_version(), artifact_file=blob)
            if loop:
                refill(img, medium_dir, "ext4", "big.zip", big)
            else:
                shutil.copy(big, os.path.join(medium_dir, "ocf-update", "big.zip"))
            os.remove(big)
        settle()
        cold = drop_caches()
        target = os.path.join(media, "BIG")
        t0 = time.monotonic()
        if loop:  # as an automounter: the folder, then the mount
            os.makedirs(target)
            sh("mount", "-o", "loop,ro", img, target); mounts.append(target)
        else:
            os.rename(medium_dir, target)
        t1, p = wait_for(lambda p: p.get("cm") == 256, 20, after=t0)
        t2, p2 = wait_for(lambda p: p.get("cm") == 320 or p.get("tm") == 0, 600, after=t1 or t0)
        ok = p2 is not None and p2.get("cm") == 320
        if t1 is None or t2 is None or not ok:
            print("big run %d: did not validate; pstat %s; see %s" % (i, p2, log.name))
        else:
            checkin.append((t1 - t0) * 1000)
            validate.append((t2 - t1) * 1000)
        staged_src = os.path.join(target, "ocf-update", "big.zip")
        # the same file, the same way into the data folder: cp then openssl dgst -sha256
        copy = os.path.join(data, "cp-bench.zip")
        for sync, results in ((False, copy_dgst), (True, copy_sync_dgst)):
            drop_caches()
            c0 = time.monotonic()
            sh("cp", staged_src, copy)
            if sync:
                sh("sync", copy)
            out = sh("openssl", "dgst", "-sha256", copy).stdout
            results.append((time.monotonic() - c0) * 1000)
            os.remove(copy)
        print("big run %d: check %.0f ms, validation (fetch+sha+verify+stage) %s ms; cp+dgst %.0f ms; cp+sync+dgst %.0f ms"
              % (i, checkin[-1] if checkin else -1, ("%.0f" % validate[-1]) if validate else "-", copy_dgst[-1],
                 copy_sync_dgst[-1]))
        if loop:
            sh("umount", target); mounts.remove(target); os.rmdir(target)
        else:
            os.rename(target, medium_dir)
        time.sleep(1.2)
    os.remove(blob)
    print("# %d MB package (%d bytes) on %s, page cache %s" % (big_mb, size,
          "an ext4 loop-mounted image" if loop else "a folder", "dropped before each" if cold else "warm"))
    print("# gateway after the %d MB validations: %s; load average %s" % (big_mb, rss(),
          " ".join(open("/proc/loadavg").read().split()[:3])))
    summary("insert -> cm 256 (big package)", checkin)
    summary("validation cm 256 -> cm 320", validate)
    summary("cp + openssl dgst -sha256", copy_dgst)
    summary("cp + sync + openssl dgst -sha256", copy_sync_dgst)
finally:
    stop.set()
    for p in observer_proc:
        p.terminate()
    for m in reversed(mounts):
        subprocess.run(["umount", m])
    gw.terminate()
    try:
        gw.wait(30)
    except subprocess.TimeoutExpired:
        gw.kill()
    if os.environ.get("KEEP"):
        print("# home kept: " + home)
    else:
        shutil.rmtree(home, ignore_errors=True)
EOF
