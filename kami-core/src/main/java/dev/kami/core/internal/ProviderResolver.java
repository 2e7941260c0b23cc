package dev.kami.core.internal;

import dev.kami.ConfigurationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Picks one provider of an SPI: an explicit id (builder, then system property) wins; otherwise
 * the single provider with the highest priority among those {@link ServiceLoader} finds. No
 * provider, an unknown id, or a tie fails with a message listing what was found and how to
 * choose; a provider that cannot be loaded is reported by name. The only place KAMI calls
 * {@code ServiceLoader}.
 *
 * @param <P> the provider type
 */
final class ProviderResolver<P> {
    private final String kind;
    private final String systemProperty;
    private final String addHint;
    private final Function<P, String> id;
    private final ToIntFunction<P> priority;
    private final Supplier<Iterator<P>> loader;

    /**
     * @param kind "engine", "store" or "transport", for messages
     * @param systemProperty the property naming a provider id, or null
     * @param addHint what to add or call when none is found
     */
    ProviderResolver(String kind, String systemProperty, String addHint, Function<P, String> id,
            ToIntFunction<P> priority, Supplier<Iterator<P>> loader) {
        this.kind = kind;
        this.systemProperty = systemProperty;
        this.addHint = addHint;
        this.id = id;
        this.priority = priority;
        this.loader = loader;
    }

    static <P> Supplier<Iterator<P>> serviceLoader(Class<P> type) {
        return () -> ServiceLoader.load(type, ProviderResolver.class.getClassLoader()).iterator();
    }

    /** What discovery found: usable providers and the errors of broken ones. */
    record Found<P>(List<P> providers, List<String> broken) {
    }

    Found<P> discover() {
        List<P> providers = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        Iterator<P> it = loader.get();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                providers.add(it.next());
            } catch (ServiceConfigurationError e) {
                broken.add(e.getMessage() + (e.getCause() != null ? " (" + Causes.describe(e.getCause()) + ")" : ""));
                if (broken.size() > 100) {
                    break; // a loader that keeps failing must not loop forever
                }
            }
        }
        return new Found<>(providers, broken);
    }

    /**
     * @param explicitId an id given to the builder, or null
     * @return the chosen provider
     * @throws ConfigurationException when none, an unknown id, or a tie
     */
    P resolve(String explicitId) {
        String wanted = explicitId != null ? explicitId
                : systemProperty == null ? null : System.getProperty(systemProperty);
        Found<P> found = discover();
        if (wanted != null) {
            for (P p : found.providers()) {
                if (wanted.equals(id.apply(p))) {
                    return p;
                }
            }
            throw new ConfigurationException("No KAMI " + kind + " with id '" + wanted + "'"
                    + (explicitId == null ? " (from -D" + systemProperty + ")" : "") + "; found: "
                    + describe(found.providers()) + brokenText(found) + ". " + addHint);
        }
        if (found.providers().isEmpty()) {
            throw new ConfigurationException("No KAMI " + kind + " found; " + addHint + brokenText(found));
        }
        List<P> sorted = new ArrayList<>(found.providers());
        sorted.sort(Comparator.comparingInt(priority).reversed());
        if (sorted.size() > 1 && priority.applyAsInt(sorted.get(0)) == priority.applyAsInt(sorted.get(1))) {
            int top = priority.applyAsInt(sorted.get(0));
            List<P> tied = sorted.stream().filter(p -> priority.applyAsInt(p) == top).toList();
            throw new ConfigurationException("Several KAMI " + kind + "s have the same highest priority " + top
                    + ": " + describe(tied) + "; choose one with Kami.builder()." + kind + "(\"<id>\")"
                    + (systemProperty != null ? " or -D" + systemProperty + "=<id>" : "")
                    + ", or remove one from the classpath" + brokenText(found));
        }
        return sorted.get(0);
    }

    private String describe(List<P> providers) {
        if (providers.isEmpty()) {
            return "none";
        }
        List<String> out = new ArrayList<>();
        for (P p : providers) {
            out.add(id.apply(p) + " (" + p.getClass().getName() + ", priority " + priority.applyAsInt(p) + ")");
        }
        return String.join(", ", out);
    }

    private String brokenText(Found<P> found) {
        return found.broken().isEmpty() ? "" : "; could not load: " + String.join("; ", found.broken());
    }
}
