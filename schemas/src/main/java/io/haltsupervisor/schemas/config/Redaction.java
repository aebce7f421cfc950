package io.haltsupervisor.schemas.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one redaction rule of every configuration, for logs and error messages alike:
 * <ul>
 * <li>a registered setting is secret when it is declared with {@link Settings#secret}; its value is shown as
 *     {@value #REDACTED}, and the registry refuses to declare a setting whose name {@linkplain #isSecretName
 *     looks secret} (…{@code _TOKEN}, …{@code _PASSWORD}, …{@code _KEY}, …) as anything else;</li>
 * <li>a pass-through client property ({@code KAFKA_CLIENT_*}, a properties file) is secret when its name looks
 *     secret ({@link #isSecretName}): {@code sasl.jaas.config}, {@code ssl.key.password}, {@code ssl.keystore.key}…;</li>
 * <li>a URL is shown without its user info and query ({@link #url}), which may carry credentials.</li>
 * </ul>
 */
public final class Redaction {
    /** What is shown in place of a secret. */
    public static final String REDACTED = "[redacted]";

    private static final Pattern URL_PARTS = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#@]*@)?([^?#]*)([?#].*)?$",
            Pattern.DOTALL);

    private Redaction() {
    }

    /**
     * True for a setting or property name that names a credential: it contains {@code password}, {@code secret},
     * {@code token}, {@code jaas} or {@code credentials}, or ends in {@code key} ({@code ssl.keystore.key},
     * {@code ACTUATOR_PAGERDUTY_ROUTING_KEY}), case-insensitive, {@code _} and {@code .} alike.
     */
    public static boolean isSecretName(String name) {
        String k = name.toLowerCase(Locale.ROOT).replace('_', '.');
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
                || k.endsWith(".key") || k.equals("key") || k.contains("credentials");
    }

    /**
     * A URL as it may be shown: {@code scheme://host[:port]/path}, with {@code " [credentials/query redacted]"}
     * when user info or a query or fragment were dropped. Text that is no URL is shown as is, minus anything
     * after {@code ?} or {@code #}.
     */
    public static String url(String text) {
        var m = URL_PARTS.matcher(text);
        if (!m.matches()) {
            int cut = indexOfAny(text, "?#");
            return cut < 0 ? text : text.substring(0, cut) + " [query redacted]";
        }
        boolean dropped = m.group(2) != null || m.group(4) != null;
        return m.group(1) + m.group(3) + (dropped ? " [credentials/query redacted]" : "");
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
