package io.lightbridge.auth;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compact JWS read once: nimbus' {@link JWSHeader} and {@link JWTClaimsSet}, the signing input and the signature,
 * ready for nimbus' verifiers. What nimbus' {@code SignedJWT.parse} would cost more for is done with the JDK and
 * Jackson: base64url by the JDK's decoder (nimbus' own is constant-time, made for secrets, and lenient — it skips
 * characters outside the alphabet, where this one refuses the token), and the JSON of header and claims by Jackson
 * (strict: duplicate names, trailing content and non-objects are refused). The header and claims semantics stay
 * nimbus' ({@link JWSHeader#parse(Map, Base64URL)}, {@link JWTClaimsSet#parse(Map)}).
 *
 * @param signingInput the ASCII bytes the signature covers (header and payload, as sent)
 */
record CompactJws(JWSHeader header, JWTClaimsSet claims, byte[] signingInput, Base64URL signature) {
    private static final ObjectReader JSON_OBJECT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // integers as Long, as nimbus' own parser gives them; one beyond 64 bits is refused, never truncated
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build()
            .readerFor(Map.class);
    /**
     * Headers read before, by their text: an IdP signs with a handful of keys, so its tokens carry a handful of
     * distinct headers, and nimbus' {@link JWSHeader} is immutable. Only short headers are kept, and the map is
     * emptied when full, so made-up headers cannot grow it (a plain map: a cache's bookkeeping cost more here).
     */
    private static final Map<String, JWSHeader> HEADERS = new ConcurrentHashMap<>();
    private static final int REMEMBERED_HEADERS = 256;
    private static final int REMEMBERED_HEADER_LENGTH = 512;

    /**
     * @throws ParseException not three base64url parts separated by dots, JSON that is not an object, or a header or
     *                        claims nimbus does not accept (e.g. {@code alg: none}, a non-string {@code iss})
     */
    static CompactJws parse(String token) throws ParseException {
        // ISO-8859-1 keeps one byte per char, so positions agree with the string; anything non-ASCII is not base64url
        byte[] ascii = token.getBytes(StandardCharsets.ISO_8859_1);
        int dot1 = indexOfDot(ascii, 0);
        int dot2 = dot1 < 0 ? -1 : indexOfDot(ascii, dot1 + 1);
        if (dot2 < 0 || indexOfDot(ascii, dot2 + 1) >= 0) {
            throw new ParseException("not a compact JWS", 0);
        }
        try {
            JWSHeader header = header(token.substring(0, dot1), ascii);
            JWTClaimsSet claims = JWTClaimsSet.parse(json(ascii, dot1 + 1, dot2));
            return new CompactJws(header, claims, Arrays.copyOf(ascii, dot2), new DecodedPart(token.substring(dot2 + 1)));
        } catch (IllegalArgumentException e) {
            throw new ParseException("not base64url", 0);
        }
    }

    private static JWSHeader header(String text, byte[] ascii) throws ParseException {
        JWSHeader header = HEADERS.get(text);
        if (header == null) {
            header = JWSHeader.parse(json(ascii, 0, text.length()), new Base64URL(text));
            if (text.length() <= REMEMBERED_HEADER_LENGTH) {
                if (HEADERS.size() >= REMEMBERED_HEADERS) {
                    HEADERS.clear();
                }
                HEADERS.put(text, header);
            }
        }
        return header;
    }

    private static int indexOfDot(byte[] ascii, int from) {
        for (int i = from; i < ascii.length; i++) {
            if (ascii[i] == '.') {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, Object> json(byte[] ascii, int from, int to) throws ParseException {
        ByteBuffer decoded = Base64.getUrlDecoder().decode(ByteBuffer.wrap(ascii, from, to - from));
        try {
            Map<String, Object> object = JSON_OBJECT.readValue(decoded.array(), decoded.arrayOffset(), decoded.remaining());
            if (object == null) {
                throw new ParseException("not a JSON object", from);
            }
            return object;
        } catch (JacksonException e) {
            throw new ParseException("not a JSON object", from);
        } catch (IOException e) {
            throw new IllegalStateException("reading an array cannot fail with I/O", e);
        }
    }

    /** The signature, decoded up front; nimbus' verifiers read it through {@link #decode()} only. */
    private static final class DecodedPart extends Base64URL {
        private final byte[] bytes;

        DecodedPart(String value) {
            super(value);
            bytes = Base64.getUrlDecoder().decode(value);
        }

        @Override
        public byte[] decode() {
            return bytes.clone();
        }
    }
}
