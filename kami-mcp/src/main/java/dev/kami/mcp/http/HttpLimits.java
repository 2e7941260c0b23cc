package dev.kami.mcp.http;

import java.time.Duration;

/**
 * The bounds {@link HttpFront} holds every connection to.
 *
 * @param headTimeout time to read a request line and headers, from its first byte
 * @param bodyTimeout time to read a request body, from the end of its headers
 * @param idleTimeout time a connection may wait for its next request
 * @param writeTimeout time a response may wait for the client to read it
 * @param maxHeadBytes the largest request line plus headers
 * @param maxBodyBytes the largest request body (larger ones are handed on unread, marked too large)
 * @param maxConnections open connections in all
 * @param maxConnectionsPerClient open connections from one client address
 * @param maxPendingOutputBytes response bytes that may wait for a slow reader
 * @param maxBufferedBodyBytes bytes of request bodies still arriving, over all connections
 */
record HttpLimits(Duration headTimeout, Duration bodyTimeout, Duration idleTimeout, Duration writeTimeout,
        int maxHeadBytes, int maxBodyBytes, int maxConnections, int maxConnectionsPerClient,
        long maxPendingOutputBytes, long maxBufferedBodyBytes) {
}
