package dev.kami.core.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * "Did you mean": the known names closest to a mistyped one, by edit distance (Levenshtein:
 * insertions, deletions, substitutions, and a swap of two neighbours counted as one edit, so
 * {@code lsit} is one edit from {@code list} and two from {@code init}: only the nearest are
 * suggested).
 *
 * <p>Not an API: shared by kami-core (unknown tool ids) and the {@code kami} CLI (unknown
 * commands).
 */
public final class Suggestions {
    private Suggestions() {
    }

    /**
     * @param typed what the user typed
     * @param known the names that exist
     * @param max at most this many suggestions
     * @return the nearest known names: of those within a small distance of {@code typed} (about
     *     one edit in four characters, at least two) or whose last dot-separated part is
     *     {@code typed}, the ones at the smallest distance, in order; empty when none is close
     */
    public static List<String> closest(String typed, Collection<String> known, int max) {
        String t = typed.toLowerCase(Locale.ROOT);
        int allowed = Math.max(2, t.length() / 4);
        record Scored(String name, int distance) {
        }
        List<Scored> scored = new ArrayList<>();
        for (String k : new LinkedHashSet<>(known)) {
            String lower = k.toLowerCase(Locale.ROOT);
            if (lower.equals(t)) {
                continue;
            }
            int d = distance(t, lower);
            if (d <= allowed) {
                scored.add(new Scored(k, d));
            } else if (lower.endsWith("." + t) || lower.endsWith("_" + t)) {
                scored.add(new Scored(k, allowed + 1));
            }
        }
        int best = scored.stream().mapToInt(Scored::distance).min().orElse(0);
        return scored.stream().filter(sc -> sc.distance() == best).sorted(Comparator.comparing(Scored::name))
                .limit(max).map(Scored::name).toList();
    }

    /** @return the optimal-string-alignment distance between a and b */
    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** @return {@code "did you mean a or b?"}, or null when there is nothing to suggest */
    public static String didYouMean(List<String> suggestions) {
        return suggestions.isEmpty() ? null : "did you mean " + String.join(" or ", suggestions) + "?";
    }
}
