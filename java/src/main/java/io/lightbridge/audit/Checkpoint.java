package io.lightbridge.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The chain's head (last sequence number and hash), kept beside the log as {@code <log>.checkpoint} and replaced
 * atomically (write + rename) after every batch reaches disk. A log whose chain ends before the checkpoint was
 * cut off. The checkpoint is not fsynced itself: after a power loss it may lag the log, never lead it.
 */
record Checkpoint(long seq, String hash) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path beside(Path log) {
        return log.resolveSibling(log.getFileName() + ".checkpoint");
    }

    void write(Path log) throws IOException {
        Path target = beside(log);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, "{\"seq\":" + seq + ",\"hash\":\"" + hash + "\"}\n", StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The checkpoint beside a log, or null when there is none; throws when one exists but is not readable. */
    static Checkpoint readBeside(Path log) throws IOException {
        Path file = beside(log);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text);
            String hash = node.path("hash").asText(null);
            long seq = node.path("seq").asLong(-1);
            if (seq < 0 || !AuditLine.isHex64(hash)) {
                throw new IOException(file + ": not a checkpoint (want {\"seq\":N,\"hash\":\"<64 hex>\"})");
            }
            return new Checkpoint(seq, hash);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not a checkpoint: " + e.getOriginalMessage(), e);
        }
    }
}
