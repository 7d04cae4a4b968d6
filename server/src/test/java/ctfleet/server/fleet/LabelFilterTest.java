package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelFilterTest {
    private static final Map<String, String> LB_FRA = Map.of("role", "lb", "dc", "fra1", "env", "prod");

    @Test
    void everySelectorMustMatch() {
        assertTrue(LabelFilter.parse(List.of("role=lb", "dc=fra1")).matches(LB_FRA));
        assertFalse(LabelFilter.parse(List.of("role=lb", "dc=ams1")).matches(LB_FRA));
        assertFalse(LabelFilter.parse(List.of("team=core")).matches(LB_FRA));
    }

    @Test
    void emptyFilterMatchesEveryHost() {
        assertTrue(LabelFilter.parse(List.of()).matches(Map.of()));
        assertTrue(LabelFilter.ALL.matches(LB_FRA));
    }

    @Test
    void valueMayContainEqualsSigns() {
        assertEquals(Map.of("q", "a=b"), LabelFilter.parse(List.of("q=a=b")).required());
    }

    @Test
    void selectorWithoutKeyIsAUserError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelFilter.parse(List.of("lb")));
        assertTrue(e.getMessage().contains("key=value"));
        assertThrows(IllegalArgumentException.class, () -> LabelFilter.parse(List.of("=lb")));
        assertThrows(IllegalArgumentException.class, () -> LabelFilter.parse(List.of("role=lb", "role=db")));
    }
}
