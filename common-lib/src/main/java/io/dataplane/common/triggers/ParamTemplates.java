package io.dataplane.common.triggers;

import com.github.mustachejava.Binding;
import com.github.mustachejava.Code;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.reflect.AbstractObjectHandler;
import com.github.mustachejava.util.Wrapper;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The params mapping of a trigger: each string value is a Mustache template ({@code {{
 * upstream.outputs.extract.day }}}, mustache.java) rendered against the event, other JSON values
 * pass as they are. Plain Java.
 *
 * <p>Stricter than Mustache's defaults, because a param silently rendered empty would start a run
 * with the wrong input: a name that resolves to nothing is an error (the fire is recorded failed
 * with the reason, no run starts); names resolve through maps (and list indexes) only, never
 * through Java methods; partials are refused; nothing is HTML-escaped; a rendered value with a NUL
 * character is refused (PostgreSQL cannot store it, and no shell argument holds it).
 */
public final class ParamTemplates {

  /** Most characters of one template, and of one rendered value. */
  public static final int MAX_TEMPLATE = 4000;

  public static final int MAX_VALUE = 65_536;

  /** A template that does not compile, or does not render against an event. */
  public static final class TemplateException extends RuntimeException {
    private final String param;

    public TemplateException(String param, String message) {
      super("params." + param + ": " + message);
      this.param = param;
    }

    public String param() {
      return param;
    }
  }

  private ParamTemplates() {}

  /** Compiles every template (at create and update, so that a syntax error is refused there). */
  public static void check(Map<String, Object> templates) {
    if (templates == null) {
      return;
    }
    for (Map.Entry<String, Object> e : templates.entrySet()) {
      if (e.getValue() instanceof String t) {
        compile(e.getKey(), t);
      }
    }
  }

  /** Renders the templates against {@code context}; throws {@link TemplateException}. */
  public static Map<String, Object> render(
      Map<String, Object> templates, Map<String, Object> context) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (templates == null) {
      return out;
    }
    for (Map.Entry<String, Object> e : templates.entrySet()) {
      if (e.getValue() instanceof String t) {
        Mustache m = compile(e.getKey(), t);
        StringWriter w = new StringWriter();
        try {
          m.execute(w, context).flush();
        } catch (MustacheException | IOException ex) {
          throw new TemplateException(e.getKey(), reason(ex));
        }
        String value = w.toString();
        if (value.length() > MAX_VALUE) {
          throw new TemplateException(e.getKey(), "renders longer than " + MAX_VALUE);
        }
        out.put(e.getKey(), value);
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    requireNoNul("params", out);
    return out;
  }

  /**
   * Refuses a NUL character anywhere in a JSON value (keys and strings, nested): a clear error here
   * rather than a database refusal after the run was requested.
   */
  public static void requireNoNul(String path, Object value) {
    if (value instanceof String s) {
      if (s.indexOf('\0') >= 0) {
        throw new TemplateException(
            path.startsWith("params.") ? path.substring(7) : path, "contains a NUL character");
      }
    } else if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = String.valueOf(e.getKey());
        String at = path + "." + k.replace("\0", "\\u0000");
        requireNoNul(at, k);
        requireNoNul(at, e.getValue());
      }
    } else if (value instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        requireNoNul(path + "[" + i + "]", l.get(i));
      }
    }
  }

  private static Mustache compile(String param, String template) {
    if (template.length() > MAX_TEMPLATE) {
      throw new TemplateException(param, "template longer than " + MAX_TEMPLATE);
    }
    try {
      return FACTORY.compile(new StringReader(template), param);
    } catch (MustacheException e) {
      throw new TemplateException(param, reason(e));
    }
  }

  private static String reason(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.length() > 300 ? m.substring(0, 300) : m;
  }

  /** Dotted names through maps and list indexes only; a missing name is an error. */
  private static final class StrictMapHandler extends AbstractObjectHandler {
    @Override
    public Binding createBinding(String name, TemplateContext tc, Code code) {
      Wrapper w = find(name, null);
      return scopes -> {
        try {
          return w.call(scopes);
        } catch (com.github.mustachejava.util.GuardException e) {
          throw new MustacheException(e);
        }
      };
    }

    @Override
    public Wrapper find(String name, List<Object> scopes) {
      return s -> {
        for (int i = s.size() - 1; i >= 0; i--) {
          Object found = lookup(s.get(i), name);
          if (found != MISSING) {
            return found;
          }
        }
        throw new MustacheException("no value for " + name);
      };
    }

    private static final Object MISSING = new Object();

    private static Object lookup(Object scope, String name) {
      if (".".equals(name)) {
        return scope;
      }
      Object current = scope;
      for (String part : name.split("\\.", -1)) {
        if (current instanceof Map<?, ?> m && m.containsKey(part)) {
          current = m.get(part);
        } else if (current instanceof List<?> l && part.matches("[0-9]{1,6}")) {
          int i = Integer.parseInt(part);
          if (i >= l.size()) {
            return MISSING;
          }
          current = l.get(i);
        } else {
          return MISSING;
        }
      }
      return current;
    }

    @Override
    public String stringify(Object object) {
      if (object instanceof Map<?, ?> || object instanceof List<?>) {
        try {
          return io.dataplane.common.json.Json.mapper().writeValueAsString(object);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new MustacheException("value cannot be written as JSON");
        }
      }
      return String.valueOf(object);
    }
  }

  private static final DefaultMustacheFactory FACTORY =
      new DefaultMustacheFactory(name -> null) {
        {
          setObjectHandler(new StrictMapHandler());
        }

        @Override
        public void encode(String value, Writer writer) {
          try {
            writer.write(value);
          } catch (IOException e) {
            throw new MustacheException(e);
          }
        }
      };
}
