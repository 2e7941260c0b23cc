package dev.kami.engine.chicory.component;

import java.util.ArrayList;
import java.util.List;

/**
 * The handle table of one component instance (canonical ABI): handles are small integers from
 * 1, each naming an own or borrow handle to a resource of one type, whose representation is an
 * {@code Integer} for a resource the component defines and any host object for a host resource.
 * Freed slots are reused. Confined to the calling thread.
 */
public final class ResourceTable {
    /** The most handles one instance may hold at once. */
    static final int MAX_HANDLES = 100_000;

    private record Entry(CType.Resource type, Object rep, boolean own) {
    }

    private final List<Entry> slots = new ArrayList<>();
    private final List<Integer> free = new ArrayList<>();

    public ResourceTable() {
        slots.add(null); // handle 0 is never valid
    }

    /** @return a new handle owning {@code rep} */
    public int addOwn(CType.Resource type, Object rep) {
        return add(new Entry(type, rep, true));
    }

    /** @return a new borrow handle to {@code rep} */
    int addBorrow(CType.Resource type, Object rep) {
        return add(new Entry(type, rep, false));
    }

    private int add(Entry e) {
        if (!free.isEmpty()) {
            int h = free.remove(free.size() - 1);
            slots.set(h, e);
            return h;
        }
        if (slots.size() > MAX_HANDLES) {
            throw new ComponentTrap("the component holds more than " + MAX_HANDLES + " resource handles at once");
        }
        slots.add(e);
        return slots.size() - 1;
    }

    private Entry get(int handle, CType.Resource type) {
        Entry e = handle > 0 && handle < slots.size() ? slots.get(handle) : null;
        if (e == null) {
            throw new ComponentTrap("handle " + Integer.toUnsignedString(handle) + " is not a live resource handle"
                    + (type == null ? "" : " (expected " + type.name() + ")"));
        }
        if (type != null && e.type() != type) {
            throw new ComponentTrap("handle " + handle + " is a " + e.type().name() + ", not a " + type.name());
        }
        return e;
    }

    /** @return the representation behind a handle of this type (own or borrow), which stays */
    public Object rep(int handle, CType.Resource type) {
        return get(handle, type).rep();
    }

    /** Removes an own handle and returns its representation (the ownership moves to the caller). */
    public Object takeOwn(int handle, CType.Resource type) {
        Entry e = get(handle, type);
        if (!e.own()) {
            throw new ComponentTrap("handle " + handle + " is a borrow of " + type.name() + ", not an own handle");
        }
        remove(handle);
        return e.rep();
    }

    /** Drops a handle (resource.drop): @return the representation if it was an own handle, else null */
    public Object drop(int handle, CType.Resource type) {
        Entry e = get(handle, type);
        remove(handle);
        return e.own() ? e.rep() : null;
    }

    void remove(int handle) {
        slots.set(handle, null);
        free.add(handle);
    }

    /** @return how many handles are live */
    public int size() {
        return slots.size() - 1 - free.size();
    }
}
