package dev.ferry.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ferry.queue.QueueMessage;
import dev.ferry.queue.StoredMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Writes messages as the API shows them: "body" when the payload is valid UTF-8, else "bodyBase64". */
final class MessageJson {
    private MessageJson() {}

    static void write(JsonGenerator g, QueueMessage qm, Integer queue) throws IOException {
        StoredMessage m = qm.message();
        g.writeStartObject();
        if (queue != null) g.writeNumberField("queue", queue);
        g.writeNumberField("offset", qm.offset());
        g.writeStringField("messageId", m.id());
        String text = utf8(m.body());
        if (text != null) g.writeStringField("body", text);
        else g.writeStringField("bodyBase64", Base64.getEncoder().encodeToString(m.body()));
        writeStrings(g, "tags", m.tags());
        writeStrings(g, "keys", m.keys());
        g.writeObjectFieldStart("properties");
        for (Map.Entry<String, String> p : m.properties().entrySet()) g.writeStringField(p.getKey(), p.getValue());
        g.writeEndObject();
        g.writeNumberField("bornAt", m.bornAt());
        g.writeEndObject();
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    /** The payload as text if it is valid UTF-8, else null. */
    static String utf8(byte[] body) {
        boolean printableAscii = true;
        for (byte b : body) {
            if (b < 0x20 ? (b != '\n' && b != '\r' && b != '\t') : b == 0x7f) { printableAscii = false; break; }
        }
        if (printableAscii) return new String(body, StandardCharsets.ISO_8859_1);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
            // Control characters other than whitespace suggest binary data: base64 is the honest rendering.
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return null;
            }
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
