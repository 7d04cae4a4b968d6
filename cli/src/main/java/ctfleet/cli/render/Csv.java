package ctfleet.cli.render;

import java.io.PrintWriter;
import java.util.List;

/** RFC 4180 CSV: fields with commas, quotes or newlines are quoted, quotes doubled. */
public final class Csv {
    private Csv() {}

    public static void row(PrintWriter out, List<?> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object f = fields.get(i);
            String s = f == null ? "" : f.toString();
            if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
                s = "\"" + s.replace("\"", "\"\"") + "\"";
            }
            sb.append(s);
        }
        out.println(sb);
    }
}
