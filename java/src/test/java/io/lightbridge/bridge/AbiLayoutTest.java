package io.lightbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles a C program against the real ABI header and compares what the C compiler says about every struct
 * (sizeof, offsetof and sizeof of each field, the constants) with {@link AbiLayouts}; and compares the field names
 * the header declares with the Java layouts' members, so a field added on either side fails here.
 */
class AbiLayoutTest {

    @TempDir
    Path work;

    @Test
    void everySizeAndOffsetMatchesTheCompiledHeader() throws Exception {
        assertEquals(expectedFromJava(), compileAndRun(programFor(header().getFileName().toString(), AbiLayouts.ALL)));
    }

    @Test
    void headerDeclaresExactlyTheFieldsTheJavaLayoutsHave() throws IOException {
        Map<String, List<String>> declared = declaredFields(Files.readString(header()));
        Map<String, List<String>> java = new LinkedHashMap<>();
        for (StructLayout s : AbiLayouts.ALL) {
            java.put(s.name().orElseThrow(), members(s).stream().map(m -> m.name().orElseThrow()).toList());
        }
        assertEquals(java, declared);
    }

    private static Path header() {
        String property = System.getProperty("lightbridge.abi.header");
        Path path = property != null && !property.isBlank()
                ? Path.of(property)
                : Path.of("..", "native", "include", "lightbridge_abi.h");
        assertTrue(Files.isRegularFile(path), "ABI header not found at " + path.toAbsolutePath()
                + " (set -Dlightbridge.abi.header)");
        return path.toAbsolutePath().normalize();
    }

    private static List<MemoryLayout> members(StructLayout s) {
        return s.memberLayouts().stream().filter(m -> !(m instanceof PaddingLayout)).toList();
    }

    private static String programFor(String headerName, List<StructLayout> structs) {
        var c = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include "HEADER"
                #define FIELD(T, f) printf("%s.%s %zu %zu\\n", #T, #f, offsetof(T, f), sizeof(((T *)0)->f))
                int main(void) {
                """.replace("HEADER", headerName));
        for (StructLayout s : structs) {
            String name = s.name().orElseThrow();
            c.append("    printf(\"%s %zu %zu\\n\", \"").append(name).append("\", sizeof(").append(name)
                    .append("), _Alignof(").append(name).append("));\n");
            for (MemoryLayout m : members(s)) {
                c.append("    FIELD(").append(name).append(", ").append(m.name().orElseThrow()).append(");\n");
            }
        }
        for (String constant : constants().keySet()) {
            c.append("    printf(\"%s %ld\\n\", \"").append(constant).append("\", (long) ").append(constant).append(");\n");
        }
        return c.append("    return 0;\n}\n").toString();
    }

    private static Map<String, Integer> constants() {
        var m = new LinkedHashMap<String, Integer>();
        m.put("LB_ABI_VERSION", AbiLayouts.ABI_VERSION);
        m.put("LB_SUBMIT_DONE", AbiLayouts.SUBMIT_DONE);
        m.put("LB_SUBMIT_QUEUED", AbiLayouts.SUBMIT_QUEUED);
        m.put("LB_LOG_ERROR", AbiLayouts.LOG_ERROR);
        m.put("LB_LOG_WARN", AbiLayouts.LOG_WARN);
        m.put("LB_LOG_INFO", AbiLayouts.LOG_INFO);
        return m;
    }

    private static String expectedFromJava() {
        var lines = new ArrayList<String>();
        for (StructLayout s : AbiLayouts.ALL) {
            String name = s.name().orElseThrow();
            lines.add(name + " " + s.byteSize() + " " + s.byteAlignment());
            for (MemoryLayout m : members(s)) {
                long offset = s.byteOffset(MemoryLayout.PathElement.groupElement(m.name().orElseThrow()));
                lines.add(name + "." + m.name().orElseThrow() + " " + offset + " " + m.byteSize());
            }
        }
        constants().forEach((k, v) -> lines.add(k + " " + v));
        return String.join("\n", lines) + "\n";
    }

    private String compileAndRun(String program) throws Exception {
        Path source = work.resolve("abi_layout.c");
        Path binary = work.resolve("abi_layout");
        Files.writeString(source, program);
        Path include = header().getParent();
        run(List.of("gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I" + include, "-o", binary.toString(),
                source.toString()));
        return run(List.of(binary.toString()));
    }

    private String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    /** typedef struct NAME { fields } NAME; → field names in order (function pointers by their name). */
    private static Map<String, List<String>> declaredFields(String headerText) {
        String text = headerText.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
        Matcher struct = Pattern.compile("typedef\\s+struct\\s+(\\w+)\\s*\\{(.*?)\\}\\s*\\1\\s*;", Pattern.DOTALL)
                .matcher(text);
        Pattern functionPointer = Pattern.compile("\\(\\s*\\*\\s*(\\w+)\\s*\\)");
        Pattern plain = Pattern.compile("(\\w+)\\s*$");
        var result = new LinkedHashMap<String, List<String>>();
        while (struct.find()) {
            var fields = new ArrayList<String>();
            for (String declaration : struct.group(2).split(";")) {
                if (declaration.isBlank()) {
                    continue;
                }
                Matcher fp = functionPointer.matcher(declaration);
                Matcher name = plain.matcher(declaration.strip());
                fields.add(fp.find() ? fp.group(1) : name.find() ? name.group(1) : "?" + declaration.strip());
            }
            result.put(struct.group(1), fields);
        }
        return result;
    }
}
