package dev.kami.mcp.stdio;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads newline-delimited messages as bytes, holding at most {@code maxBytes} of one line in
 * memory: the rest of a longer line is read and discarded, so a hostile client cannot make the
 * server run out of memory. Not thread-safe.
 */
final class LineReader {
    /** A line: its bytes, or how many bytes it had when it was too long. */
    record Line(byte[] bytes, long tooLongBytes) {
        boolean tooLong() {
            return bytes == null;
        }
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;

    LineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** @return the next line without its {@code \n} (and a trailing {@code \r}), or {@code null} at end of input */
    Line next() throws IOException {
        byte[] line = new byte[256];
        int len = 0;
        long total = 0;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return null;
                    }
                    return finish(line, len, total);
                }
            }
            any = true;
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            total += n;
            if (total <= maxBytes + 1L) {
                if (len + n > line.length) {
                    line = Arrays.copyOf(line, Math.max(len + n, Math.min(line.length * 2, maxBytes + 1)));
                }
                System.arraycopy(buf, start, line, len, n);
                len += n;
            }
            if (pos < limit) {
                pos++; // the newline
                return finish(line, len, total);
            }
        }
    }

    private Line finish(byte[] line, int len, long total) {
        if (len > 0 && line[len - 1] == '\r' && total <= maxBytes + 1L) {
            len--;
            total--;
        }
        if (total > maxBytes) {
            return new Line(null, total);
        }
        return new Line(Arrays.copyOf(line, len), 0);
    }
}
