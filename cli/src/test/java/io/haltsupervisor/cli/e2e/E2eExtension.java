package io.haltsupervisor.cli.e2e;

import io.haltsupervisor.sandbox.fleet.SimulatedFleet;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link E2eStack} for a test class, as a JUnit 5 extension: it starts the stack before the class's first test
 * and closes it after the last, gives each test a fresh {@link SimulatedFleet} on {@link Chain#model()}, and stops
 * that test's fleets after it (after the test's own {@code @AfterEach} methods, which may still assert on them).
 *
 * <p>It fills the test class's fields by type: {@code static} fields of type {@link E2eStack} and {@link Stories}
 * once the stack is up, instance fields of type {@link SimulatedFleet} before each test. A class that wants no
 * fleet per test (it starts its own with {@link E2eStack#fleet}) declares no such field.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final E2eExtension E2E = E2eExtension.stack("dry-run").mapping("v6", Chain.mapping(V6, V6_HEIGHT))
 *         .env("ACTUATOR_DRY_RUN", "true");
 * static E2eStack stack;
 * static Stories stories;
 * SimulatedFleet fleet;
 * }</pre>
 */
final class E2eExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final String name;
    private final Map<String, String> mappings = new LinkedHashMap<>();
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private E2eStack stack;

    private E2eExtension(String name) {
        this.name = name;
    }

    /** A stack whose decider application and actuator group are named after {@code name}. */
    static E2eExtension stack(String name) {
        return new E2eExtension(name);
    }

    /** An entry of the image-mapping ConfigMap at start ({@code plan → "IMAGE height=N"}). */
    E2eExtension mapping(String plan, String value) {
        mappings.put(plan, value);
        return this;
    }

    /** An environment setting on top of the suite's defaults. */
    E2eExtension env(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        stack = E2eStack.start(name, mappings, overrides);
        Stories stories = new Stories(stack);
        for (Field f : context.getRequiredTestClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                if (f.getType() == E2eStack.class) {
                    set(f, null, stack);
                } else if (f.getType() == Stories.class) {
                    set(f, null, stories);
                }
            } else if (f.getType() == E2eStack.class || f.getType() == Stories.class) {
                throw new ExtensionConfigurationException(context.getRequiredTestClass().getSimpleName() + "."
                        + f.getName() + ": expected a static field (one stack per class), found an instance field");
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Object test = context.getRequiredTestInstance();
        for (Field f : test.getClass().getDeclaredFields()) {
            if (f.getType() == SimulatedFleet.class && !Modifier.isStatic(f.getModifiers())) {
                set(f, test, stack.fleet(Chain.model()));
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (stack != null) {
            stack.stopFleets();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (stack != null) {
            stack.close();
            stack = null;
        }
    }

    private static void set(Field field, Object target, Object value) {
        try {
            field.setAccessible(true);
            field.set(target, value);
        } catch (IllegalAccessException e) {
            throw new ExtensionConfigurationException("cannot set " + field + ": " + e.getMessage(), e);
        }
    }
}
