package io.lightbridge.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The YAML configuration file named by {@code lightbridge.config}. Each component binds its own top-level
 * section into an immutable record; binding errors (unknown keys, wrong types, values a record rejects)
 * come back as {@link ConfigException}s naming file, line and key. Keys are kebab-case. A record rejects a value
 * in its constructor with {@code IllegalArgumentException("kebab-key: reason")}, which names that key and its line.
 */
public final class ConfigFile {

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .registerModule(new SimpleModule("lightbridge-config")
                    .addDeserializer(Duration.class, new DurationDeserializer()));

    /** The top-level sections of Lightbridge's configuration file, one per component. */
    public static final Set<String> SECTIONS = Set.of("server", "identity", "policy", "audit", "metrics", "models");

    private final Path path;
    private final String text;

    private ConfigFile(Path path, String text) {
        this.path = path;
        this.text = text;
    }

    /** Reads Lightbridge's configuration file; every top-level key must be one of {@link #SECTIONS}. */
    public static ConfigFile read(Path path) throws ConfigException {
        return read(path, SECTIONS);
    }

    /** Lightbridge's configuration from text, for tests and for configs written by tools. */
    public static ConfigFile of(Path nameForErrors, String text) throws ConfigException {
        return of(nameForErrors, text, SECTIONS);
    }

    /** Reads the file and checks that its top-level keys are all known sections. */
    public static ConfigFile read(Path path, Set<String> knownSections) throws ConfigException {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException(path, 0, null, "cannot read: " + e.getMessage());
        }
        var file = new ConfigFile(path, text);
        file.checkTopLevel(knownSections);
        return file;
    }

    /** A file from text, for tests and for configs written by tools. */
    public static ConfigFile of(Path nameForErrors, String text, Set<String> knownSections) throws ConfigException {
        var file = new ConfigFile(nameForErrors, text);
        file.checkTopLevel(knownSections);
        return file;
    }

    public Path path() {
        return path;
    }

    /** Binds section {@code name}; returns {@code absent} when the file has no such section. */
    public <T> T section(String name, Class<T> type, T absent) throws ConfigException {
        try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return absent;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals(name)) {
                    if (value == JsonToken.VALUE_NULL) {
                        return absent;
                    }
                    return MAPPER.readValue(parser, type);
                }
                parser.skipChildren();
            }
            return absent;
        } catch (JsonMappingException e) {
            throw mappingError(name, e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(path, line(e.getLocation()), name, "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(path, 0, name, e.getMessage());
        }
    }

    private void checkTopLevel(Set<String> known) throws ConfigException {
        try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return; // an empty file: every section takes its defaults
            }
            if (first != JsonToken.START_OBJECT) {
                throw new ConfigException(path, line(parser.currentLocation()), null, "expected a mapping of sections");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                if (!known.contains(field)) {
                    throw new ConfigException(path, line(parser.currentLocation()), field,
                            "unknown section (known: " + known.stream().sorted().collect(Collectors.joining(", ")) + ")");
                }
                parser.nextToken();
                parser.skipChildren();
            }
        } catch (JsonProcessingException e) {
            throw new ConfigException(path, line(e.getLocation()), null, "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(path, 0, null, e.getMessage());
        }
    }

    private ConfigException mappingError(String section, JsonMappingException e) {
        String key = section + e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining());
        String reason;
        if (e instanceof UnrecognizedPropertyException u) {
            reason = "unknown key '" + u.getPropertyName() + "'";
        } else {
            Throwable root = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
            reason = root == e ? e.getOriginalMessage() : root.getMessage();
            // A record rejecting one of its values says so as "key: reason": name that key, not the whole record.
            int colon = reason == null ? -1 : reason.indexOf(": ");
            if (root instanceof IllegalArgumentException && colon > 0
                    && lineOfKey(key + "." + reason.substring(0, colon)) > 0) {
                key = key + "." + reason.substring(0, colon);
                reason = reason.substring(colon + 2);
            }
        }
        int keyLine = lineOfKey(key);
        return new ConfigException(path, keyLine > 0 ? keyLine : line(e.getLocation()), key, reason);
    }

    /**
     * The line where {@code key} ("section.a.b" or "section.list[2]") is written, or 0. Jackson reports the end of the
     * enclosing mapping for errors a record's constructor raises, which is not where an admin needs to look.
     */
    private int lineOfKey(String key) {
        String pointer = "/" + key.replace('.', '/').replace("[", "/").replace("]", "");
        try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
            while (parser.nextToken() != null) {
                if (parser.getParsingContext().pathAsPointer().toString().equals(pointer)) {
                    return line(parser.currentTokenLocation());
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static int line(JsonLocation location) {
        return location == null ? 0 : Math.max(location.getLineNr(), 0);
    }
}
