package dev.kami;

/**
 * A {@code tool.toml} is refused. The message names the file, the key (and line when the parser
 * gives one), what was expected and, for an unknown key, the closest known key. The parts are
 * also available one by one for tools that render them.
 */
public class ManifestException extends KamiException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String key;
    private final int line;

    /**
     * @param file the manifest's path or name, as shown to the user
     * @param key the dotted TOML key at fault, or {@code null} when the fault is not one key's
     * @param line the 1-based line, or 0 when unknown
     * @param detail what was wrong, with the value, and what was expected
     */
    public ManifestException(String file, String key, int line, String detail) {
        super(format(file, key, line, detail));
        this.file = file;
        this.key = key;
        this.line = line;
    }

    private static String format(String file, String key, int line, String detail) {
        StringBuilder sb = new StringBuilder(file == null ? "tool.toml" : file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        if (key != null) {
            sb.append(": key '").append(key).append('\'');
        }
        return sb.append(": ").append(detail).toString();
    }

    /** @return the manifest's path or name */
    public String file() {
        return file;
    }

    /** @return the dotted key at fault, or {@code null} */
    public String key() {
        return key;
    }

    /** @return the 1-based line, or 0 when unknown */
    public int line() {
        return line;
    }
}
