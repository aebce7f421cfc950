package io.haltsupervisor.sandbox.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that owns one resource for the scope it is registered in: a {@code static}
 * {@code @RegisterExtension} field opens it before the class's first test and closes it after the last; an instance
 * field opens a fresh one before each test and closes it after. The broker and in-memory API extensions are these.
 *
 * @param <T> the resource
 */
public abstract class ScopedResource<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback,
        BeforeEachCallback, AfterEachCallback {
    private T resource;
    private boolean perClass;

    /** Opens a new resource. */
    protected abstract T open();

    @Override
    public final void beforeAll(ExtensionContext context) {
        perClass = true;
        resource = open();
    }

    @Override
    public final void beforeEach(ExtensionContext context) {
        if (resource == null) {
            resource = open();
        }
    }

    @Override
    public final void afterEach(ExtensionContext context) {
        if (!perClass) {
            release();
        }
    }

    @Override
    public final void afterAll(ExtensionContext context) {
        release();
    }

    /** The open resource; fails when the extension was not registered with {@code @RegisterExtension}. */
    protected final T resource() {
        if (resource == null) {
            throw new IllegalStateException(getClass().getSimpleName()
                    + " is not started: register it in a field annotated with @RegisterExtension");
        }
        return resource;
    }

    /** Closes the resource if it is open. */
    protected final void release() {
        T open = resource;
        resource = null;
        if (open != null) {
            try {
                open.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + open.getClass().getSimpleName() + " failed", e);
            }
        }
    }
}
