package io.lightbridge.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks audit files: every record's hash matches its content, every record names the previous one's hash and
 * continues its sequence number (across rotated files, which are put in chain order), and the chain reaches the
 * checkpoint kept beside the active log. Reports the first record that was edited, removed, reordered or
 * inserted, or a cut-off tail.
 */
public final class AuditVerifier {

    /**
     * @param problem null when the files verify; otherwise the first break, naming file, line and record
     * @param notes   facts worth knowing that are not failures (e.g. no checkpoint found)
     */
    public record Result(long records, long firstSeq, long lastSeq, String problem, List<String> notes) {
        public boolean intact() {
            return problem == null;
        }
    }

    private record Line(Path file, int number, String text, long seq, String prev, String storedHash, String actualHash,
                        String unreadable) {
        String where() {
            return file + ":" + number + (seq >= 0 ? " (record " + seq + ")" : "");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerifier() {}

    public static Result verify(List<Path> files) throws IOException {
        var notes = new ArrayList<String>();
        var perFile = new ArrayList<List<Line>>();
        MessageDigest sha256 = AuditLine.sha256();
        for (Path f : files) {
            perFile.add(read(f, sha256));
        }
        // Rotated files are named by time; put them in chain order by their first record, empty files last.
        perFile.sort(Comparator.comparingLong(l -> l.isEmpty() || l.getFirst().seq() < 0 ? Long.MAX_VALUE : l.getFirst().seq()));
        List<Line> lines = perFile.stream().flatMap(List::stream).toList();

        String problem = checkChain(lines, notes);
        long first = lines.isEmpty() ? 0 : lines.getFirst().seq();
        long last = lines.isEmpty() ? 0 : lines.getLast().seq();
        if (problem == null) {
            problem = checkCheckpoints(files, lines, notes);
        }
        return new Result(lines.size(), first, last, problem, List.copyOf(notes));
    }

    private static List<Line> read(Path file, MessageDigest sha256) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        var lines = new ArrayList<Line>();
        int start = 0;
        int number = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            number++;
            if (nl < 0) {
                lines.add(unreadable(file, number, text.substring(start), "incomplete last record (no newline): cut off mid-write"));
                break;
            }
            lines.add(parse(file, number, text.substring(start, nl), sha256));
            start = nl + 1;
        }
        return lines;
    }

    private static Line parse(Path file, int number, String text, MessageDigest sha256) {
        String stored = AuditLine.storedHash(text);
        if (stored == null) {
            return unreadable(file, number, text, "not an audit record (no trailing hash): edited or inserted");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            return unreadable(file, number, text, "not valid JSON: edited");
        }
        long seq = node.path("seq").asLong(-1);
        String prev = node.path("prev").asText(null);
        if (seq < 1 || !AuditLine.isHex64(prev) || !(node.path("seq").isIntegralNumber())) {
            return unreadable(file, number, text, "record without a valid seq and prev: edited");
        }
        String actual = AuditLine.hash(sha256, AuditLine.hashedPart(text));
        return new Line(file, number, text, seq, prev, stored, actual, null);
    }

    private static Line unreadable(Path file, int number, String text, String why) {
        return new Line(file, number, text, AuditLine.seq(text), null, null, null, why);
    }

    private static String checkChain(List<Line> lines, List<String> notes) {
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.unreadable() != null) {
                return line.where() + ": " + line.unreadable();
            }
            if (!line.storedHash().equals(line.actualHash())) {
                return line.where() + ": edited: its content does not match its hash";
            }
            if (i == 0) {
                if (line.seq() == 1 && !line.prev().equals(AuditLine.GENESIS)) {
                    return line.where() + ": the first record does not start the chain (prev is not the genesis hash)";
                }
                if (line.seq() > 1) {
                    notes.add("the chain starts at record " + line.seq() + " (earlier files not given); its link to them is not checked");
                }
                continue;
            }
            Line before = lines.get(i - 1);
            long expected = before.seq() + 1;
            if (line.prev().equals(before.storedHash()) && line.seq() == expected) {
                continue;
            }
            return line.where() + ": " + diagnose(lines, i, expected);
        }
        return null;
    }

    /** The chain breaks at lines[i]; say what most likely happened, from sequence numbers and hashes around it. */
    private static String diagnose(List<Line> lines, int i, long expected) {
        Line line = lines.get(i);
        Line before = lines.get(i - 1);
        Line next = i + 1 < lines.size() && lines.get(i + 1).unreadable() == null ? lines.get(i + 1) : null;
        boolean nextFollowsBefore = next != null && next.prev().equals(before.storedHash()) && next.seq() == expected;
        if (nextFollowsBefore && line.seq() == expected + 1) {
            return "out of order: record " + expected + " comes after it (records reordered)";
        }
        if (nextFollowsBefore) {
            return "inserted: not part of the chain (the record after it follows the one before it)";
        }
        if (i >= 2 && line.seq() == before.seq() && line.prev().equals(lines.get(i - 2).storedHash())) {
            return "a second record " + line.seq() + ": the record before it, at line " + before.number() + " of "
                    + before.file().getFileName() + ", was inserted";
        }
        if (line.seq() > expected) {
            return (line.seq() - 1 > expected ? "records " + expected + " to " + (line.seq() - 1) : "record " + expected)
                    + " removed before it (the chain jumps from record " + before.seq() + ")";
        }
        if (line.seq() < expected) {
            return "out of order: record " + line.seq() + " after record " + before.seq() + " (reordered or duplicated)";
        }
        return "does not link to the record before it (its prev is not that record's hash): the earlier record was replaced";
    }

    private static String checkCheckpoints(List<Path> files, List<Line> lines, List<String> notes) throws IOException {
        boolean found = false;
        for (Path f : files) {
            Checkpoint cp = Checkpoint.readBeside(f);
            if (cp == null) {
                continue;
            }
            found = true;
            long last = lines.isEmpty() ? 0 : lines.getLast().seq();
            if (cp.seq() > last) {
                return Checkpoint.beside(f) + ": the checkpoint is at record " + cp.seq() + " but the chain ends at record "
                        + last + ": records " + (last + 1) + (cp.seq() > last + 1 ? " to " + cp.seq() : "")
                        + " were cut off";
            }
            for (Line line : lines) {
                if (line.seq() == cp.seq() && !line.storedHash().equals(cp.hash())) {
                    return line.where() + ": does not match the checkpoint's hash (the chain was rewritten from here or earlier)";
                }
            }
            notes.add("checkpoint " + Checkpoint.beside(f).getFileName() + " at record " + cp.seq() + " matches");
        }
        if (!found) {
            notes.add("no checkpoint beside the files given: a cut-off tail cannot be detected");
        }
        return null;
    }
}
