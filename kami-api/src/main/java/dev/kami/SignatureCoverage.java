package dev.kami;

/**
 * What an installed tool's signature covers, as {@link Kami#signatureCoverage(String)} reports it
 * after verifying it.
 */
public enum SignatureCoverage {
    /** The tool carries no signature. */
    UNSIGNED,
    /**
     * The module alone (the original KAMI's signatures): id, version, description and
     * permissions can change without breaking it.
     */
    MODULE_ONLY,
    /**
     * The module and the {@code [security]} request (KAMI's first signature version): id,
     * version and what the model reads can change without breaking it.
     */
    MODULE_AND_PERMISSIONS,
    /** The module and the whole manifest: identity, what the model sees, permissions and limits. */
    PACKAGE
}
