package io.lightbridge.cli;

import io.lightbridge.audit.AuditVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

/** {@code lightbridge verify-audit FILE…}: 0 when the chain is intact, 1 at the first break, 2 on usage errors. */
final class VerifyAudit {
    private VerifyAudit() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: lightbridge verify-audit FILE...   (the audit log and its rotated files, any order)");
            return 2;
        }
        var files = new ArrayList<Path>();
        for (String a : args) {
            Path p = Path.of(a);
            if (a.endsWith(".checkpoint") || a.endsWith(".checkpoint.tmp")) {
                continue; // found beside the log anyway; tolerated so that `verify-audit dir/*` works
            }
            if (!Files.isRegularFile(p)) {
                err.println("verify-audit: " + a + ": no such file");
                return 2;
            }
            files.add(p);
        }
        try {
            var result = AuditVerifier.verify(files);
            result.notes().forEach(n -> out.println("note: " + n));
            if (!result.intact()) {
                err.println("verify-audit: FAILED: " + result.problem());
                return 1;
            }
            out.println("verify-audit: OK: " + result.records() + " records"
                    + (result.records() > 0 ? " (" + result.firstSeq() + " to " + result.lastSeq() + ")" : "")
                    + " in " + files.size() + " file(s), chain intact");
            return 0;
        } catch (IOException e) {
            err.println("verify-audit: " + e.getMessage());
            return 2;
        }
    }
}
