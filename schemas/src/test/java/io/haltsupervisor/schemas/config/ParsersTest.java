package io.haltsupervisor.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One parser per type: what each accepts, what it refuses, and that a refusal says only what was expected. */
class ParsersTest {

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "yes", "Yes", "on", "ON", "1"})
    void booleansAcceptEveryFormAnyComponentAcceptedForTrue(String text) {
        assertThat(Parsers.bool().parse(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "False", "no", "NO", "off", "Off", "0"})
    void booleansAcceptEveryFormAnyComponentAcceptedForFalse(String text) {
        assertThat(Parsers.bool().parse(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "y", "n", "2", "truee", "enabled"})
    void booleansRefuseAnythingElse(String text) {
        assertThatThrownBy(() -> Parsers.bool().parse(text))
                .hasMessage("expected true or false (or yes/no, on/off, 1/0)");
    }

    @Test
    void integersAreDecimalWithinAnInclusiveRange() {
        Parser<Integer> p = Parsers.integer(1, 64);
        assertThat(p.parse("1")).isEqualTo(1);
        assertThat(p.parse("64")).isEqualTo(64);
        assertThat(p.parse("+7")).isEqualTo(7);
        for (String bad : new String[] {"0", "65", "-1", "1.0", "0x10", "one", "99999999999", "1 2"}) {
            assertThatThrownBy(() -> p.parse(bad)).as(bad).hasMessage("expected an integer from 1 to 64");
        }
        assertThat(Parsers.integer(0).parse("2147483647")).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> Parsers.integer(0).parse("-1")).hasMessage("expected an integer >= 0");
        assertThatThrownBy(() -> Parsers.integer(0).parse("2147483648")).hasMessage("expected an integer >= 0");
    }

    @Test
    void decimalsAreFiniteNumbersWithinARange() {
        Parser<Double> p = Parsers.decimal(0, 0.5);
        assertThat(p.parse("0")).isZero();
        assertThat(p.parse("0.25")).isEqualTo(0.25);
        assertThat(p.parse(".5")).isEqualTo(0.5);
        assertThat(p.parse("1e-1")).isEqualTo(0.1);
        for (String bad : new String[] {"0.51", "-0.1", "NaN", "Infinity", "0x1p-2", "0.1d", "a"}) {
            assertThatThrownBy(() -> p.parse(bad)).as(bad).hasMessage("expected a number from 0 to 0.5");
        }
    }

    @Test
    void durationsTakeTheShortFormsAndIso8601NeverNegative() {
        assertThat(Parsers.duration().parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Parsers.duration().parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Parsers.duration().parse("0")).isZero();
        assertThat(Parsers.duration().parse("2d")).isEqualTo(Duration.ofDays(2));
        for (String bad : new String[] {"-1s", "-PT1S", "5", "five minutes", "1w"}) {
            assertThatThrownBy(() -> Parsers.duration().parse(bad)).as(bad)
                    .hasMessage("expected a duration like 500ms, 30s, 5m, 1h, 2d or PT5M");
        }
        assertThatThrownBy(() -> Parsers.positiveDuration().parse("0s"))
                .hasMessage("expected a positive duration like 500ms, 30s, 5m, 1h, 2d or PT5M");
        Parser<Duration> ranged = Parsers.duration(Duration.ofMillis(100), Duration.ofHours(1));
        assertThat(ranged.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> ranged.parse("99ms")).hasMessage("expected a duration between 100ms and 3600s");
        assertThatThrownBy(() -> ranged.parse("61m")).hasMessage("expected a duration between 100ms and 3600s");
    }

    @Test
    void textRefusesControlCharactersAndPatternsMatchInFull() {
        assertThat(Parsers.text().parse("halt-supervisor actuator")).isEqualTo("halt-supervisor actuator");
        assertThatThrownBy(() -> Parsers.text().parse("a\u0007b")).hasMessage("expected text without control characters");
        Parser<String> id = Parsers.matching(Pattern.compile("[a-z]+"), "lowercase letters");
        assertThat(id.parse("abc")).isEqualTo("abc");
        assertThatThrownBy(() -> id.parse("abc1")).hasMessage("expected lowercase letters");
    }

    @Test
    void kubernetesNamesAreDnsLabels() {
        assertThat(Parsers.dnsLabel().parse("seid-0")).isEqualTo("seid-0");
        for (String bad : new String[] {"Seid", "seid_main", "-seid", "seid-", "a".repeat(64)}) {
            assertThatThrownBy(() -> Parsers.dnsLabel().parse(bad)).as(bad)
                    .hasMessage("expected a Kubernetes name (lowercase letters, digits, '-')");
        }
        assertThat(Parsers.portName().parse("tm-rpc")).isEqualTo("tm-rpc");
        assertThatThrownBy(() -> Parsers.portName().parse("a".repeat(16))).hasMessageStartingWith("expected");
    }

    @Test
    void namespacesAreACommaListWhereStarOrNothingMeansAll() {
        assertThat(Parsers.namespaces().parse(" sei, sei-test ,sei,,")).containsExactly("sei", "sei-test");
        assertThat(Parsers.namespaces().parse("*")).isEmpty();
        assertThatThrownBy(() -> Parsers.namespaces().parse("Sei,prod"))
                .hasMessage("expected comma-separated namespace names (lowercase DNS labels) or '*'");
    }

    @Test
    void labelSelectorsTakeBlankAsAValueWhenItMeansEverything() {
        Parser<String> all = Parsers.labelSelector("app=seid", true);
        assertThat(all.takesBlank()).isTrue();
        assertThat(all.parse("")).isEmpty();
        assertThat(all.parse("app=seid,tier in (rpc)")).isEqualTo("app=seid,tier in (rpc)");
        assertThatThrownBy(() -> Parsers.labelSelector("app=seid", false).parse(""))
                .hasMessage("expected a label selector such as 'app=seid'");
        assertThatThrownBy(() -> all.parse("a=b\u0000")).hasMessage("expected a label selector");
    }

    @Test
    void listsDropEmptyEntriesAndDuplicatesAndNameTheRefusedEntry() {
        Parser<List<Pattern>> regexes = Parsers.list(Parsers.whitespace(), "whitespace-separated regular expressions",
                Parsers.regex());
        assertThat(regexes.parse("a{1,3}\n  b a{1,3}")).extracting(Pattern::pattern).containsExactly("a{1,3}", "b");
        assertThatThrownBy(() -> regexes.parse("ok (unclosed"))
                .hasMessageStartingWith("expected whitespace-separated regular expressions ('(unclosed' is not: "
                        + "expected a regular expression: Unclosed group");
        Parser<List<URI>> urls = Parsers.list(Parsers.commas(), "comma-separated http(s) URLs", Parsers.httpUrl());
        assertThat(urls.parse("http://a:1, https://b/x,")).containsExactly(URI.create("http://a:1"),
                URI.create("https://b/x"));
        assertThat(urls.shown("http://u:pw@a:1,https://b/x?k=SECRET")).doesNotContain("pw", "SECRET");
    }

    @Test
    void urlsAreHttpOrHttpsWithAHostAndShownWithoutCredentials() {
        assertThat(Parsers.httpUrl().parse("https://events.pagerduty.com/v2/enqueue"))
                .isEqualTo(URI.create("https://events.pagerduty.com/v2/enqueue"));
        for (String bad : new String[] {"ftp://x/y", "am:9093", "http:///x", "not a url"}) {
            assertThatThrownBy(() -> Parsers.httpUrl().parse(bad)).as(bad).hasMessage("expected an http(s) URL");
        }
        assertThat(Parsers.httpUrl().shown("http://user:pa55@am:9093/p?token=T")).isEqualTo(
                "http://am:9093/p [credentials/query redacted]");
    }

    @Test
    void hostPortsNeedAPort() {
        assertThat(Parsers.hostPort().parse("decider-0.decider:8080")).isEqualTo("decider-0.decider:8080");
        for (String bad : new String[] {"decider-0", "h:0", "h:99999", ":80"}) {
            assertThatThrownBy(() -> Parsers.hostPort().parse(bad)).as(bad)
                    .hasMessage("expected host:port (port 1–65535)");
        }
        assertThat(Parsers.hostPorts().parse("kafka-0:9093, kafka-1:9093")).isEqualTo("kafka-0:9093, kafka-1:9093");
        for (String bad : new String[] {"kafka-0", "kafka-0:9093,", "k:", ":9092"}) {
            assertThatThrownBy(() -> Parsers.hostPorts().parse(bad)).as(bad)
                    .hasMessage("expected host:port[,host:port…]");
        }
    }

    @Test
    void pathsAndEnums() {
        assertThat(Parsers.path().parse("/var/lib/decider")).isEqualTo(Path.of("/var/lib/decider"));
        assertThatThrownBy(() -> Parsers.path().parse("/a\u0000b")).hasMessage("expected a file system path");
        Parser<Mode> mode = Parsers.oneOf(Mode.class);
        assertThat(mode.parse("dry-run")).isEqualTo(Mode.DRY_RUN);
        assertThat(mode.parse("DRY_RUN")).isEqualTo(Mode.DRY_RUN);
        assertThat(mode.parse("Live")).isEqualTo(Mode.LIVE);
        assertThatThrownBy(() -> mode.parse("off")).hasMessage("expected one of live, dry-run");
    }

    enum Mode { LIVE, DRY_RUN }
}
