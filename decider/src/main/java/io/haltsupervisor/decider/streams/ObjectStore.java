package io.haltsupervisor.decider.streams;

import io.haltsupervisor.decider.replay.InProcessTopology;

import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A single-threaded in-memory store of objects for {@link InProcessTopology}, keyed by string in the order
 * RocksDB keeps the UTF-8 bytes of those strings (code point order), with iterators that are views.
 *
 * <p>It differs from the decider's stores in two ways that a replay cannot observe. Values are kept as the
 * immutable records they are instead of their JSON: the topology writes the node state on most records and
 * reads it back only through {@link NodeProcessor}'s object cache (or after a restart, which a replay never
 * has), and every other value read back equals the one written (JSON round trips of these records are
 * lossless; {@code InProcessTopologyTest} compares the output with the test driver's, whose stores serialise).
 * And iterators do not copy: Kafka Streams' in-memory store copies the key set for every iterator (it must be
 * safe against concurrent interactive queries), which makes each due timer cost a copy of the timer index; the
 * processors never write while they iterate (they collect, close the iterator, then write).
 */
public final class ObjectStore<V> implements KeyValueStore<String, V> {
    /** Code point order: the byte order of the strings' UTF-8 encodings, which RocksDB sorts by. */
    static final Comparator<String> UTF8_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private final String name;
    private final TreeMap<String, V> map = new TreeMap<>(UTF8_ORDER);
    private boolean open;

    public ObjectStore(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        open = true;
    }

    @Override
    public void close() {
        map.clear();
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void put(String key, V value) {
        if (key == null) {
            throw new NullPointerException("key cannot be null");
        }
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public V delete(String key) {
        return map.remove(key);
    }

    @Override
    public V get(String key) {
        return map.get(key);
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        if (from != null && to != null && UTF8_ORDER.compare(from, to) > 0) {
            return iterator(new TreeMap<String, V>(UTF8_ORDER));
        }
        NavigableMap<String, V> view = map;
        if (from != null) {
            view = view.tailMap(from, true);
        }
        if (to != null) {
            view = view.headMap(to, true);
        }
        return iterator(view);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return iterator(map);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, PS serializer) {
        if (!(prefix instanceof String p)) {
            throw new IllegalArgumentException("an in-process store scans string prefixes only, got " + prefix);
        }
        Iterator<Map.Entry<String, V>> tail = map.tailMap(p, true).entrySet().iterator();
        return iterator(new Iterator<>() {
            private Map.Entry<String, V> next = advance();

            private Map.Entry<String, V> advance() {
                if (!tail.hasNext()) {
                    return null;
                }
                Map.Entry<String, V> e = tail.next();
                return e.getKey().startsWith(p) ? e : null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Map.Entry<String, V> next() {
                Map.Entry<String, V> e = next;
                if (e == null) {
                    throw new NoSuchElementException();
                }
                next = advance();
                return e;
            }
        });
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    private KeyValueIterator<String, V> iterator(NavigableMap<String, V> view) {
        return iterator(view.entrySet().iterator());
    }

    private KeyValueIterator<String, V> iterator(Iterator<Map.Entry<String, V>> entries) {
        return new KeyValueIterator<>() {
            private Map.Entry<String, V> next = entries.hasNext() ? entries.next() : null;

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public KeyValue<String, V> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                KeyValue<String, V> kv = KeyValue.pair(next.getKey(), next.getValue());
                next = entries.hasNext() ? entries.next() : null;
                return kv;
            }

            @Override
            public String peekNextKey() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                return next.getKey();
            }

            @Override
            public void close() {
                // a view: nothing to release
            }
        };
    }
}
