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
 * come back as {@link ConfigException}s naming file, line and key. Keys are kebab-case.
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

    private final Path path;
    private final String text;

    private ConfigFile(Path path, String text) {
        this.path = path;
        this.text = text;
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
        }
        return new ConfigException(path, line(e.getLocation()), key, reason);
    }

    private static int line(JsonLocation location) {
        return location == null ? 0 : Math.max(location.getLineNr(), 0);
    }
}
