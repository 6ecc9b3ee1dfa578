package org.ocfupdate.gateway.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.Test;

class OcfCommandsTest {
    /** Gogo's help shows the @Descriptor of each function; ProviderHotSwapTest runs them in the real shell. */
    @Test
    void everyCommandHasAHelpText() {
        List<Method> commands = Arrays.stream(OcfCommands.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers())).toList();
        assertEquals(List.of("cancel", "check", "history", "providers", "pstat", "update", "validate"),
                commands.stream().map(Method::getName).distinct().sorted().toList());
        for (Method m : commands) {
            Descriptor d = m.getAnnotation(Descriptor.class);
            assertTrue(d != null && !d.value().isBlank(), m + " has no @Descriptor");
        }
    }

    @Test
    void bitsAreNamed() {
        assertEquals("320 (isvv, isac)", OcfCommands.bits(320));
        assertEquals("0", OcfCommands.bits(0));
    }
}
