package io.dataplane.cli.project;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A parsed YAML (or JSON) document with the line of every path in it, so that a problem the server
 * names by path ({@code tasks[1].dependsOn[0]}) can be shown at its line.
 */
public final class YamlDocument {

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private final JsonNode tree;
  private final Map<String, Integer> lines;

  private YamlDocument(JsonNode tree, Map<String, Integer> lines) {
    this.tree = tree;
    this.lines = lines;
  }

  /** Parses {@code text}; a syntax error (or a key given twice) throws with its line. */
  public static YamlDocument parse(String text) throws SyntaxException {
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new SyntaxException(at == null ? 0 : at.getLineNr(), e.getOriginalMessage());
    }
    Map<String, Integer> lines = new HashMap<>();
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(50);
      Node root = new Yaml(options).compose(new StringReader(text));
      if (root != null) {
        index(root, "", lines);
      }
    } catch (RuntimeException e) {
      // lines are a help for messages only; the document itself parsed
    }
    return new YamlDocument(tree == null ? YAML.createObjectNode() : tree, lines);
  }

  private static void index(Node node, String path, Map<String, Integer> lines) {
    lines.putIfAbsent(path, node.getStartMark().getLine() + 1);
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          String p = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
          lines.put(p, k.getStartMark().getLine() + 1);
          index(t.getValueNode(), p, lines);
        }
      }
    } else if (node instanceof SequenceNode s) {
      List<Node> items = s.getValue();
      for (int i = 0; i < items.size(); i++) {
        index(items.get(i), path + "[" + i + "]", lines);
      }
    }
  }

  public JsonNode tree() {
    return tree;
  }

  /**
   * The line of {@code path}, or of its nearest enclosing path that the document has (a missing
   * field is reported where its parent starts); 1 when nothing matches.
   */
  public int lineOf(String path) {
    String p = path == null ? "" : path.strip();
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 1;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut <= 0 ? "" : p.substring(0, cut);
    }
  }

  /** The document is not YAML: where and why. */
  public static final class SyntaxException extends Exception {
    private final int line;

    public SyntaxException(int line, String message) {
      super(message);
      this.line = line;
    }

    public int line() {
      return line;
    }
  }
}
