package org.ocfupdate.pstat.internal.svr;

import org.ocfupdate.gateway.support.GatewayHome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.ocfupdate.pstat.api.ResourceStore;
import org.ocfupdate.gateway.support.AtomicStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** {@link ResourceStore} in {@code data/resources/}, one atomic generation store per name. */
@Component
public class ResourceStoreImpl implements ResourceStore {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private final Path dir;
    private final Map<String, AtomicStore> stores = new ConcurrentHashMap<>();

    @Activate
    public ResourceStoreImpl(BundleContext context) {
        this(GatewayHome.data(context).resolve("resources"));
    }

    public ResourceStoreImpl(Path dir) {
        this.dir = dir;
    }

    @Override
    public Optional<byte[]> load(String name) throws IOException {
        return store(name).load();
    }

    @Override
    public <T> Optional<T> load(String name, Reader<T> reader) throws IOException {
        return store(name).load(reader::read);
    }

    @Override
    public void save(String name, byte[] data) throws IOException {
        store(name).save(data);
    }

    private AtomicStore store(String name) throws IOException {
        if (!NAME.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("not a resource store name: " + name);
        }
        AtomicStore s = stores.get(name);
        if (s == null) {
            s = new AtomicStore(dir, name);
            AtomicStore raced = stores.putIfAbsent(name, s);
            s = raced != null ? raced : s;
        }
        return s;
    }
}
