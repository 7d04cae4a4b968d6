package ctfleet.cli.render;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import java.io.PrintWriter;

/** JSON output: pretty, with explicit nulls (a missing fill means "no limit", which scripts must see). */
public final class Json {
    private static final Gson GSON = new GsonBuilder().serializeNulls().setPrettyPrinting()
            .disableHtmlEscaping().create();

    private Json() {}

    public static void print(PrintWriter out, JsonElement value) {
        out.println(GSON.toJson(value));
        out.flush();
    }
}
