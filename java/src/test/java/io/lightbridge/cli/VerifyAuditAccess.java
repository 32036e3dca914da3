package io.lightbridge.cli;

import java.io.PrintStream;

/** Lets tests in other packages run the verify-audit command without System.exit. */
public final class VerifyAuditAccess {
    private VerifyAuditAccess() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return VerifyAudit.run(args, out, err);
    }
}
