package dev.ferry.store;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Maps persistence ids, which come from users (topic names), to index directory names that are safe on any file
 * system: a readable prefix of at most {@value #PREFIX_LENGTH} characters from {@code [A-Za-z0-9_-]} (anything
 * else becomes {@code _}), then {@code -} and 128 bits of the SHA-256 of the id's UTF-8 bytes. So no name is
 * {@code .}, {@code ..}, contains a separator or NUL, or grows with the id; ids differing only in case get
 * different hashes; the real id is kept inside the directory, and a clash of names (two ids, one hash) is
 * resolved by a {@code ~n} suffix, so collisions cannot merge two ids. Stateless; thread-safe.
 */
public final class IndexNames {

    static final int PREFIX_LENGTH = 32;

    private IndexNames() {
    }

    /**
     * @param persistenceId any id that is well-formed Unicode
     * @return its UTF-8 bytes
     * @throws IllegalArgumentException for an empty id or one with unpaired surrogates (which UTF-8 cannot hold,
     *                                  so two such ids would be stored as the same bytes)
     */
    public static byte[] encode(String persistenceId) {
        if (persistenceId.isEmpty()) {
            throw new IllegalArgumentException("persistenceId must not be empty");
        }
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(persistenceId));
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("persistenceId must be well-formed Unicode (it has an unpaired surrogate): "
                    + persistenceId.codePoints().limit(64).collect(StringBuilder::new, (sb, cp) -> sb.append(String.format("U+%04X ", cp)), StringBuilder::append));
        }
    }

    /**
     * @param idBytes the id's UTF-8 bytes ({@link #encode})
     * @param clash   0 for the first choice, n &gt; 0 for the n-th alternative after a clash
     * @return the directory name
     */
    public static String directoryName(String persistenceId, byte[] idBytes, int clash) {
        StringBuilder name = new StringBuilder(PREFIX_LENGTH + 40);
        for (int i = 0; i < persistenceId.length() && name.length() < PREFIX_LENGTH; i++) {
            char c = persistenceId.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            name.append(safe ? c : '_');
        }
        name.append('-').append(HexFormat.of().formatHex(sha256(idBytes), 0, 16));
        if (clash > 0) {
            name.append('~').append(clash);
        }
        return name.toString();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
