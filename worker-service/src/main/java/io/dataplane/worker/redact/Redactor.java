package io.dataplane.worker.redact;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The set of strings that must never appear in a task's logs: every secret value and its base64
 * (all three byte alignments, standard and URL-safe alphabets), URL-encoded, JSON-escaped and hex
 * forms, in the task's log and in its output JSON. Values shorter than {@link #MIN_LENGTH}
 * characters are not redacted: masking every "a" or "no" would destroy the log while protecting
 * nothing a guess would not find.
 *
 * <p>Immutable and thread-safe; one {@link Stream} per output stream does the streaming work.
 */
public final class Redactor {

  /** Values (and derived forms) shorter than this are left alone. */
  public static final int MIN_LENGTH = 4;

  /** What replaces a redacted value. */
  public static final String MASK = "***";

  private static final Redactor NONE = new Redactor(List.of());

  private final List<String> patterns;
  private final boolean[] firstChar = new boolean[Character.MAX_VALUE + 1];
  private final int maxLength;
  private final AtomicLong redactions = new AtomicLong();

  private Redactor(List<String> patterns) {
    this.patterns = patterns;
    int max = 0;
    for (String p : patterns) {
      firstChar[p.charAt(0)] = true;
      max = Math.max(max, p.length());
    }
    this.maxLength = max;
  }

  /** A redactor that changes nothing. */
  public static Redactor none() {
    return NONE;
  }

  /** A redactor for these secret values (nulls and values shorter than 4 characters ignored). */
  public static Redactor of(Collection<String> secretValues) {
    Set<String> forms = new LinkedHashSet<>();
    for (String value : secretValues) {
      if (value == null || value.length() < MIN_LENGTH) {
        continue;
      }
      forms.addAll(forms(value));
    }
    List<String> list = new ArrayList<>();
    for (String f : forms) {
      if (f.length() >= MIN_LENGTH) {
        list.add(f);
      }
    }
    // longest first, so a longer form wins over a shorter one starting at the same place
    list.sort(Comparator.comparingInt(String::length).reversed());
    return new Redactor(List.copyOf(list));
  }

  /** Every form of one value that is searched for. */
  static List<String> forms(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    out.add(value);
    for (int k = 0; k < 3; k++) {
      String b64 = base64Aligned(bytes, k);
      out.add(b64);
      out.add(b64.replace('+', '-').replace('/', '_'));
    }
    // form encoding (space as +) as Java writes it ("*" kept, "~" escaped) and as Python's
    // urllib.parse.quote_plus and urlencode write it ("~" kept, "*" escaped), RFC 3986
    // (everything but unreserved), and path style (/ kept, as Python's urllib.parse.quote does);
    // each with upper- and lower-case escapes
    String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
    String rfc3986 = percentEncode(bytes, "-._~");
    for (String url :
        List.of(
            form,
            form.replace("+", "%20"),
            rfc3986,
            rfc3986.replace("%20", "+"),
            percentEncode(bytes, "-._~/"))) {
      out.add(url);
      out.add(lowerPercent(url));
    }
    String json = new String(JsonStringEncoder.getInstance().quoteAsString(value));
    out.add(json);
    out.add(json.replace("/", "\\/"));
    // JSON with every non-ASCII character escaped (Python's json.dumps default)
    String ascii = asciiJson(json, false);
    out.add(ascii);
    out.add(asciiJson(json, true));
    out.add(ascii.replace("/", "\\/"));
    out.add(HexFormat.of().formatHex(bytes));
    out.add(HexFormat.of().withUpperCase().formatHex(bytes));
    return out;
  }

  /**
   * The part of the base64 text of {@code value} that does not depend on what precedes it, when it
   * starts {@code k} bytes into a 3-byte group: characters that mix in bits of neighbouring bytes
   * are dropped at both ends.
   */
  static String base64Aligned(byte[] value, int k) {
    byte[] shifted = new byte[k + value.length];
    System.arraycopy(value, 0, shifted, k, value.length);
    String enc = Base64.getEncoder().withoutPadding().encodeToString(shifted);
    int start = (8 * k + 5) / 6;
    int end = (8 * (k + value.length)) / 6;
    return end > start ? enc.substring(start, end) : "";
  }

  private static String percentEncode(byte[] bytes, String safe) {
    StringBuilder sb = new StringBuilder(bytes.length * 3);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || (c < 0x80 && safe.indexOf(c) >= 0)) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
      }
    }
    return sb.toString();
  }

  private static String asciiJson(String json, boolean upper) {
    StringBuilder sb = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c < 0x80) {
        sb.append(c);
      } else {
        String hex = String.format(upper ? "%04X" : "%04x", (int) c);
        sb.append("\\u").append(hex);
      }
    }
    return sb.toString();
  }

  private static String lowerPercent(String url) {
    StringBuilder sb = new StringBuilder(url.length());
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '%' && i + 2 < url.length()) {
        sb.append('%').append(url.substring(i + 1, i + 3).toLowerCase());
        i += 2;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** The searched forms, longest first (for tests and diagnostics). */
  public List<String> patterns() {
    return patterns;
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** How many values this redactor (all its streams) has masked so far. */
  public long redactions() {
    return redactions.get();
  }

  /** Redacts a complete text (no holdback). */
  public String redact(String text) {
    Stream s = stream();
    return s.feed(text) + s.flush();
  }

  /**
   * A copy of a JSON value (a task's output) with every field name and string value redacted, and
   * every number whose text holds a secret form replaced by the mask.
   */
  public JsonNode redact(JsonNode node) {
    if (patterns.isEmpty() || node == null) {
      return node;
    }
    if (node.isTextual()) {
      return TextNode.valueOf(redact(node.textValue()));
    }
    if (node.isNumber()) {
      String text = node.asText();
      return redact(text).equals(text) ? node : TextNode.valueOf(MASK);
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
      node.forEach(e -> out.add(redact(e)));
      return out;
    }
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      node.properties().forEach(e -> out.set(redact(e.getKey()), redact(e.getValue())));
      return out;
    }
    return node;
  }

  /** A new streaming state for one output stream. */
  public Stream stream() {
    return new Stream();
  }

  /**
   * Streaming redaction of one output stream. Text is fed as it arrives; what comes back is safe to
   * publish. A tail that could be the start of a secret form is held back until the next feed (or
   * {@link #flush()}) shows whether it is one, so a value split across two reads is still masked.
   * Not thread-safe: one writer per stream.
   */
  public final class Stream {
    private String pending = "";

    private Stream() {}

    /** Feeds text, returns what can be emitted now. */
    public String feed(String text) {
      return process(pending + text, false);
    }

    /** Ends the stream: returns everything still held back, redacted. */
    public String flush() {
      return process(pending, true);
    }

    /** Characters currently held back. */
    public int held() {
      return pending.length();
    }

    private String process(String buf, boolean end) {
      pending = "";
      if (patterns.isEmpty()) {
        return buf;
      }
      StringBuilder out = new StringBuilder(buf.length());
      int i = 0;
      int n = buf.length();
      outer:
      while (i < n) {
        char c = buf.charAt(i);
        if (firstChar[c]) {
          boolean couldBePrefix = false;
          for (String p : patterns) {
            if (buf.startsWith(p, i)) {
              out.append(MASK);
              redactions.incrementAndGet();
              i += p.length();
              continue outer;
            }
            if (!end && n - i < p.length() && p.startsWith(buf.substring(i))) {
              couldBePrefix = true;
            }
          }
          if (couldBePrefix) {
            // maybe the start of a secret: wait for more text
            pending = buf.substring(i);
            return out.toString();
          }
        }
        out.append(c);
        i++;
      }
      return out.toString();
    }
  }

  /** Longest searched form, in characters. */
  public int maxLength() {
    return maxLength;
  }
}
