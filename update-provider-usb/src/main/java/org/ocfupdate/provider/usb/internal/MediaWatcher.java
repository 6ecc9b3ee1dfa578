package org.ocfupdate.provider.usb.internal;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread "ocf-usb-watch": notices media appearing and disappearing under the roots and reports each settled
 * change as (previous listing, new listing). Sources of a re-scan: inotify events (JDK WatchService) on the roots,
 * the user folders, the media and their {@code ocf-update/} folders; a change of {@code /proc/self/mountinfo} (read
 * every {@value #MOUNT_POLL_MS} ms: a mount onto an existing folder has no inotify event, and a watch on the folder
 * below a new mount sees nothing of it, so watches are renewed at every scan); a root appearing or vanishing (checked
 * at the same period). A change is reported once the listing has stayed the same for {@value #STABLE_MS} ms, so a
 * medium whose mount or copy is still completing is not acted on half-way. The first listing is reported against the
 * initial one: empty at a gateway start (media present count as inserted), the media known before when the provider
 * restarts inside the running gateway. Anything thrown while handling one change is logged and the watch goes on.
 */
final class MediaWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaWatcher.class);
    static final long MOUNT_POLL_MS = 500;
    static final long STABLE_MS = 300;
    /** Scans at most this often while events keep coming (a package being written). */
    static final long MIN_SCAN_GAP_MS = 50;

    private final Supplier<List<Path>> roots;
    private final Path mountinfo;
    private final MediaScanner.Listing initial;
    private final BiConsumer<MediaScanner.Listing, MediaScanner.Listing> changed;
    private final Runnable tick;
    private final WatchService watch;
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean rescan = true;

    /**
     * @param roots     read at every tick, so that a reconfiguration takes effect at once (see {@link #rescan()})
     * @param initial   what the first settled listing is compared with
     * @param changed   called on this thread with the previous and the new settled listing
     * @param tick      called on this thread at least every {@value #MOUNT_POLL_MS} ms
     */
    MediaWatcher(Supplier<List<Path>> roots, Path mountinfo, MediaScanner.Listing initial,
            BiConsumer<MediaScanner.Listing, MediaScanner.Listing> changed, Runnable tick) throws IOException {
        this.roots = roots;
        this.mountinfo = mountinfo;
        this.initial = initial;
        this.changed = changed;
        this.tick = tick;
        this.watch = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::run, "ocf-usb-watch");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Scan again soon (the roots changed). */
    void rescan() {
        rescan = true;
    }

    @Override
    public void close() {
        running = false;
        try {
            watch.close(); // wakes the thread from poll()
        } catch (IOException e) {
            LOG.debug("Closing the watch service: {}", e.toString());
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        MediaScanner.Listing applied = initial;
        MediaScanner.Listing pending = null;
        long pendingSince = 0;
        long lastScan = 0;
        long nextMountCheck = 0;
        String mounts = null;
        List<Path> rootsSeen = null;
        boolean dirty = false;
        while (running) {
            try {
                long now = System.nanoTime();
                long wait = Math.max(0, nextMountCheck - now);
                if (pending != null) {
                    wait = Math.min(wait, Math.max(0, pendingSince + ms(STABLE_MS) - now));
                }
                if (dirty) {
                    wait = Math.min(wait, Math.max(0, lastScan + ms(MIN_SCAN_GAP_MS) - now));
                }
                WatchKey key = wait > 0 ? watch.poll(wait, TimeUnit.NANOSECONDS) : watch.poll();
                for (; key != null; key = watch.poll()) {
                    key.pollEvents(); // which entry changed does not matter: the scan looks at all
                    if (!key.reset()) {
                        keys.values().remove(key);
                    }
                    dirty = true;
                }
                now = System.nanoTime();
                if (rescan) {
                    rescan = false;
                    dirty = true;
                }
                String text = mounts;
                if (now - nextMountCheck >= 0) {
                    nextMountCheck = now + ms(MOUNT_POLL_MS);
                    text = MountTable.read(mountinfo);
                    List<Path> existing = roots.get().stream().filter(java.nio.file.Files::isDirectory).toList();
                    if (!text.equals(mounts) || !existing.equals(rootsSeen)) {
                        dirty = true;
                        mounts = text;
                        rootsSeen = existing;
                    }
                    tick.run();
                }
                if (dirty && now - lastScan >= ms(MIN_SCAN_GAP_MS)) {
                    dirty = false;
                    lastScan = now;
                    MediaScanner.Listing l = scan(mounts);
                    if (l.equals(applied)) {
                        pending = null;
                    } else if (!l.equals(pending)) {
                        pending = l;
                        pendingSince = now;
                    }
                }
                if (pending != null && now - pendingSince >= ms(STABLE_MS) && !dirty) {
                    MediaScanner.Listing again = scan(mounts);
                    if (again.equals(pending)) {
                        MediaScanner.Listing before = applied;
                        applied = pending;
                        pending = null;
                        changed.accept(before, applied);
                    } else {
                        pending = again.equals(applied) ? null : again;
                        pendingSince = now;
                    }
                }
            } catch (ClosedWatchServiceException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable e) {
                // one change that cannot be handled (issue 12 item 8: a StackOverflowError killed this thread and
                // every later medium was ignored) must not end the watch
                LOG.error("USB media watcher: handling a change failed; watching on", e);
                sleepQuietly();
            }
        }
        LOG.debug("USB media watcher stopped");
    }

    private MediaScanner.Listing scan(String mounts) {
        MediaScanner.Listing l = MediaScanner.scan(roots.get(), MountTable.mountPoints(mounts == null ? "" : mounts));
        watchOnly(l.folders());
        return l;
    }

    /**
     * Watches exactly these folders. Registering again is cheap and necessary: after a mount onto a watched folder
     * the same path names another directory, and the new registration returns a new key.
     */
    private void watchOnly(Set<Path> folders) {
        for (Iterator<Map.Entry<Path, WatchKey>> it = keys.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Path, WatchKey> e = it.next();
            if (!folders.contains(e.getKey())) {
                e.getValue().cancel();
                it.remove();
            }
        }
        for (Path f : folders) {
            try {
                WatchKey k = f.register(watch, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
                WatchKey old = keys.put(f, k);
                if (old != null && old != k) {
                    old.cancel();
                }
            } catch (IOException e) {
                LOG.debug("Cannot watch {}: {}", f, e.toString());
            }
        }
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(MOUNT_POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
