package io.haltsupervisor.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.haltsupervisor.actuator.ActuatorConfig;
import io.haltsupervisor.cli.Components;
import io.haltsupervisor.cli.Supervisor;
import io.haltsupervisor.decider.service.DeciderQueries;
import io.haltsupervisor.schemas.KafkaClientConfig;
import io.haltsupervisor.schemas.Topic;
import io.haltsupervisor.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * "Every command in the docs is checked": every command in an {@code sh} block of {@code README.md} and
 * {@code docs/*.md}, and every inline {@code `./supervisor …`}, is validated against the code and the
 * manifests — without running it (see the rules in docs/operations.md, "How this page is checked"). A
 * command of a program this check does not know fails the test, so a new kind of command needs a rule
 * here before it can be documented.
 */
class DocCheckTest {

    /** A command found in a document. */
    record Command(Path file, int line, List<String> words) {
        String program() {
            return words.get(0);
        }

        @Override
        public String toString() {
            return Manifests.root().relativize(file) + ":" + line + ": " + String.join(" ", words);
        }
    }

    /** Metavariables the docs use in inline commands, and a value of the right shape for each. */
    static final Map<String, String> PLACEHOLDERS = Map.of(
            "NODE", "sei/rpc-0", "PLAN", "v6", "IMAGE", "ghcr.io/sei-protocol/seid:v6.0.1",
            "URL", "http://127.0.0.1:26657/status", "NAME", "decider", "H", "151000000");

    /**
     * HTTP paths the components serve: {@code OpsServer} (/metrics, /healthy, /ready), the decider's
     * {@link DeciderQueries#handlers()}, and {@code PollersService.httpHandlers()} (/pollers/targets).
     */
    static Set<String> httpPaths() {
        Set<String> out = new TreeSet<>(Set.of("/metrics", "/healthy", "/ready", "/pollers/targets"));
        out.addAll(new DeciderQueries(() -> null, Optional.empty()).handlers().keySet());
        return out;
    }

    static List<Path> documents() {
        List<Path> out = new ArrayList<>();
        out.add(Manifests.root().resolve("README.md"));
        try (Stream<Path> docs = Files.list(Manifests.root().resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every command of every document. */
    static List<Command> commands() {
        List<Command> out = new ArrayList<>();
        for (Path doc : documents()) {
            out.addAll(commands(doc));
        }
        return out;
    }

    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*([A-Za-z0-9_-]*).*$");
    private static final Pattern INLINE_SUPERVISOR = Pattern.compile("`(\\./supervisor(?: [^`]*)?)`");

    static List<Command> commands(Path doc) {
        List<String> lines;
        try {
            lines = Files.readAllLines(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Command> out = new ArrayList<>();
        boolean inBlock = false;
        boolean shell = false;
        StringBuilder pending = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                if (!inBlock) {
                    inBlock = true;
                    shell = Set.of("sh", "bash", "shell").contains(fence.group(1));
                } else {
                    inBlock = false;
                }
                continue;
            }
            if (inBlock) {
                if (!shell) {
                    continue;
                }
                if (pending.length() == 0) {
                    start = i + 1;
                }
                if (line.endsWith("\\")) {
                    pending.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                pending.append(line);
                for (List<String> words : split(words(pending.toString()))) {
                    out.add(new Command(doc, start, words));
                }
                pending.setLength(0);
                continue;
            }
            Matcher inline = INLINE_SUPERVISOR.matcher(line);
            while (inline.find()) {
                List<String> words = new ArrayList<>(words(inline.group(1)));
                words.replaceAll(w -> PLACEHOLDERS.getOrDefault(w, w));
                out.add(new Command(doc, i + 1, words));
            }
        }
        assertThat(inBlock).as("%s: unclosed code block", doc).isFalse();
        return out;
    }

    /** Shell words: quotes removed, {@code #} comments dropped, operators kept as their own words. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else if (c == '#' && !inWord) {
                break;
            } else if ((c == '|' || c == '&' || c == ';') && !inWord) {
                int j = i + 1 < line.length() && (line.charAt(i + 1) == '|' || line.charAt(i + 1) == '&') ? i + 2 : i + 1;
                out.add(line.substring(i, j));
                i = j - 1;
            } else {
                w.append(c);
                inWord = true;
            }
        }
        assertThat(quote).as("unclosed quote in: %s", line).isEqualTo((char) 0);
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }

    private static List<List<String>> split(List<String> words) {
        List<List<String>> out = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String w : words) {
            if (Set.of("|", "||", "&&", ";", "&").contains(w)) {
                if (!current.isEmpty()) {
                    out.add(current);
                }
                current = new ArrayList<>();
            } else if (!(current.isEmpty() && w.matches("[A-Z_][A-Z0-9_]*=.*"))) {
                current.add(w);
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    // ---- the check ------------------------------------------------------------------------------------

    @Test
    void everyDocumentedCommandIsValid() {
        List<Command> commands = commands();
        assertThat(commands).as("commands found in the docs").hasSizeGreaterThan(10);
        Map<String, Integer> checked = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        List<String> notChecked = new ArrayList<>();
        SecretFiles files = new SecretFiles(commands);
        for (Command c : commands) {
            try {
                String how = check(c, files);
                if (how.startsWith("not checked")) {
                    notChecked.add(c + " (" + how + ")");
                }
                checked.merge(how, 1, Integer::sum);
            } catch (AssertionError | RuntimeException e) {
                failures.add(c + "\n    " + e.getMessage().replace("\n", "\n    "));
            }
        }
        System.out.println("doc-check: " + commands.size() + " commands: " + checked);
        notChecked.forEach(n -> System.out.println("doc-check: " + n));
        assertThat(failures).as("documented commands that do not hold").isEmpty();
    }

    @Test
    void everyTopicHasAKafkaTopicsCommandMatchingItsManifest() {
        Set<String> created = new TreeSet<>();
        for (Command c : commands()) {
            if (isKafkaTopics(c) && c.words().contains("--create")) {
                created.add(option(c, "--topic"));
            }
        }
        assertThat(created).as("topics created by the documented kafka-topics commands")
                .isEqualTo(DeployManifestsTest.kafkaTopics().keySet());
    }

    @Test
    void theCheckCatchesWhatItShould() {
        Path doc = Manifests.root().resolve("docs/operations.md");
        SecretFiles none = new SecretFiles(List.of());
        assertThat(catchFailure(new Command(doc, 1, List.of("./supervisor", "frobnicate")), none))
                .contains("frobnicate");
        assertThat(catchFailure(new Command(doc, 1, List.of("./supervisor", "timeline", "not-a-node-id")), none))
                .isNotNull();
        assertThat(catchFailure(new Command(doc, 1, List.of("kubectl", "apply", "-k", "deploy/nowhere")), none))
                .contains("deploy/nowhere");
        assertThat(catchFailure(new Command(doc, 1, List.of("kafka-topics.sh", "--create", "--topic",
                "seid.decisions.v1", "--partitions", "3", "--replication-factor", "3", "--config",
                "retention.ms=31536000000", "--config", "min.insync.replicas=2")), none)).contains("partitions");
        assertThat(catchFailure(new Command(doc, 1, List.of("kubectl", "-n", "halt-supervisor", "create", "secret",
                "generic", "halt-supervisor-pager", "--from-literal=ACTUATOR_PAGERDUTY_KEY=x")), none))
                .contains("ACTUATOR_PAGERDUTY_KEY");
        assertThat(catchFailure(new Command(doc, 1, List.of("kcat", "-t", "seid.decision.v1")), none))
                .contains("seid.decision.v1");
        assertThat(catchFailure(new Command(doc, 1, List.of("rm", "-rf", "/")), none)).contains("rm");
    }

    private static String catchFailure(Command c, SecretFiles files) {
        try {
            check(c, files);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e.getMessage();
        }
    }

    /** Files the documented commands put into Secrets (from {@code kubectl create secret … --from-file}). */
    static final class SecretFiles {
        final Set<String> mounted = new TreeSet<>();

        SecretFiles(List<Command> commands) {
            for (Command c : commands) {
                if (c.program().equals("kubectl") && c.words().contains("secret")) {
                    String secret = secretName(c);
                    String mount = DeployManifestsTest.secretMountPath(secret);
                    c.words().stream().filter(w -> w.startsWith("--from-file=")).forEach(w -> {
                        String spec = w.substring("--from-file=".length());
                        String key = spec.contains("=") ? spec.substring(0, spec.indexOf('='))
                                : Path.of(spec).getFileName().toString();
                        if (mount != null) {
                            mounted.add(mount + "/" + key);
                        }
                    });
                }
            }
        }
    }

    /** Checks one command; returns how it was checked. */
    static String check(Command c, SecretFiles files) {
        return switch (c.program()) {
            case "./supervisor" -> supervisor(c);
            case "kubectl" -> kubectl(c, files);
            case "kafka-topics.sh", "kafka-topics" -> kafkaTopics(c);
            case "kafka-acls.sh", "kafka-acls" -> kafkaAcls(c);
            case "kcat" -> kcat(c);
            case "curl" -> curl(c);
            case "docker" -> docker(c);
            case "export" -> export(c);
            case "mvn" -> "not checked: Maven (CI runs mvn -B verify)";
            default -> throw new AssertionError("a program the doc-check does not know: " + c.program()
                    + " (add a rule to DocCheckTest)");
        };
    }

    /** The developer jar's commands, checked by devtools' {@code DevCommandsDocTest} on its command line. */
    static final Set<String> DEVELOPER_COMMANDS = Set.of("dev", "bench");

    private static String supervisor(Command c) {
        List<String> args = c.words().subList(1, c.words().size());
        if (!args.isEmpty() && DEVELOPER_COMMANDS.contains(args.get(0))) {
            return "parsed by devtools' DevCommandsDocTest (the developer jar's command line)";
        }
        CommandLine cl = Supervisor.commandLine();
        if (!args.isEmpty() && args.stream().allMatch(a -> a.equals("…") || a.equals("...") || a.matches("<[^>]+>"))) {
            return "not checked: a usage pattern, not a command";
        }
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("supervisor rejects it: " + e.getMessage(), e);
        }
        return "parsed by Supervisor.commandLine()";
    }

    private static String kubectl(Command c, SecretFiles files) {
        List<String> w = c.words();
        String how = "validated";
        int k = Math.max(w.indexOf("-k"), w.indexOf("--kustomize"));
        String dir = k >= 0 ? w.get(k + 1) : w.contains("kustomize") ? w.get(w.indexOf("kustomize") + 1) : null;
        if (dir != null) {
            Path p = Manifests.root().resolve(dir).normalize();
            assertThat(Manifests.kustomizations()).as("%s is a kustomization under deploy/", dir).contains(p);
            Manifests.render(p).typed();
            how = "kustomization rendered and checked";
        }
        int n = Math.max(w.indexOf("-n"), w.indexOf("--namespace"));
        if (n >= 0) {
            String ns = w.get(n + 1);
            assertThat(allObjects().stream().anyMatch(o -> ns.equals(o.getMetadata().getNamespace())
                    || o.getKind().equals("Namespace") && ns.equals(o.getMetadata().getName())))
                    .as("namespace %s is one the manifests use", ns).isTrue();
        }
        for (String word : w) {
            Matcher m = Pattern.compile("(statefulset|deployment|service|configmap|serviceaccount)/([a-z0-9.-]+)")
                    .matcher(word);
            if (m.matches()) {
                String kind = m.group(1);
                String name = m.group(2);
                assertThat(allObjects().stream().anyMatch(o -> o.getKind().toLowerCase(Locale.ROOT).equals(kind)
                        && o.getMetadata().getName().equals(name))).as("%s exists in the manifests", word).isTrue();
            }
        }
        if (w.contains("create") && w.contains("secret")) {
            secret(c, files);
            how = "Secret name and keys checked against the manifests and config loaders";
        }
        return how;
    }

    private static String secretName(Command c) {
        List<String> w = c.words();
        int generic = w.indexOf("generic");
        assertThat(generic).as("kubectl create secret generic NAME").isPositive();
        return w.get(generic + 1);
    }

    private static void secret(Command c, SecretFiles files) {
        String name = secretName(c);
        Set<Components.Kind> consumers = DeployManifestsTest.secretConsumers().get(name);
        assertThat(consumers).as("Secret %s is consumed by a workload of the manifests", name).isNotNull();
        Map<String, String> literals = new LinkedHashMap<>();
        for (String w : c.words()) {
            if (w.startsWith("--from-literal=")) {
                String kv = w.substring("--from-literal=".length());
                literals.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            } else if (w.startsWith("--from-file=")) {
                assertThat(DeployManifestsTest.secretMountPath(name)).as("Secret %s is mounted as files", name)
                        .isNotNull();
            }
        }
        Set<String> actuatorKeys = Set.of();
        if (consumers.contains(Components.Kind.ACTUATOR) && !literals.isEmpty()) {
            Workloads.RecordingEnv env = new Workloads.RecordingEnv(literals);
            ActuatorConfig.fromEnv(env);
            actuatorKeys = env.read;
        }
        Set<String> clientProperties = Workloads.clientProperties(consumers);
        for (Map.Entry<String, String> e : literals.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(KafkaClientConfig.ENV_PREFIX)) {
                assertThat(Workloads.clientProperty(key)).as("%s sets a Kafka client property", key)
                        .isIn(clientProperties);
            } else {
                assertThat(key).as("%s is read by the config loader of %s", key, consumers).isIn(actuatorKeys);
            }
            if (e.getValue().startsWith("/")) {
                assertThat(files.mounted).as("%s=%s is a file the docs put into a mounted Secret", key, e.getValue())
                        .contains(e.getValue());
            }
        }
    }

    private static List<HasMetadata> allObjects() {
        List<HasMetadata> out = new ArrayList<>();
        for (Path dir : Manifests.kustomizations()) {
            out.addAll(DeployManifestsTest.rendered(dir).typed());
        }
        return out;
    }

    private static boolean isKafkaTopics(Command c) {
        return c.program().equals("kafka-topics.sh") || c.program().equals("kafka-topics");
    }

    private static String option(Command c, String name) {
        int i = c.words().indexOf(name);
        assertThat(i).as("%s needs %s", c.program(), name).isPositive();
        return c.words().get(i + 1);
    }

    /** A {@code kafka-acls.sh} command must be one rendered from the ACL registry ({@link AclManifests}). */
    private static String kafkaAcls(Command c) {
        List<List<String>> rendered = AclManifests.aclCommands().stream()
                .map(r -> List.of(r.replace("\"", "").split(" "))).toList();
        assertThat(rendered).as("%s is one of the ACL registry's kafka-acls commands (AclManifests)", c)
                .contains(c.words());
        return "ACL checked against the registry";
    }

    private static String kafkaTopics(Command c) {
        String topic = option(c, "--topic");
        Map<String, Manifests.KafkaTopicSpec> manifests = DeployManifestsTest.kafkaTopics();
        assertThat(manifests).as("topic %s is declared in deploy/topics", topic).containsKey(topic);
        if (!c.words().contains("--create")) {
            return "topic checked against the registry";
        }
        Manifests.KafkaTopicSpec spec = manifests.get(topic);
        assertThat(Integer.parseInt(option(c, "--partitions"))).as("%s: partitions as in deploy/topics", topic)
                .isEqualTo(spec.partitions());
        assertThat(Integer.parseInt(option(c, "--replication-factor"))).as("%s: replication as in deploy/topics", topic)
                .isEqualTo(spec.replicas());
        Map<String, String> configs = new TreeMap<>();
        List<String> w = c.words();
        for (int i = 0; i < w.size() - 1; i++) {
            if (w.get(i).equals("--config")) {
                String kv = w.get(i + 1);
                configs.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        assertThat(configs.keySet()).isSubsetOf(DeployManifestsTest.topicConfigNames());
        assertThat(configs).as("%s: configs as in deploy/topics", topic).isEqualTo(new TreeMap<>(spec.config()));
        return "topic, partitions, replication and configs equal to deploy/topics";
    }

    private static String kcat(Command c) {
        Set<String> topics = new TreeSet<>(Topics.ALL.stream().map(Topic::name).toList());
        List<String> w = c.words();
        boolean any = false;
        for (int i = 0; i < w.size() - 1; i++) {
            if (w.get(i).equals("-t")) {
                assertThat(w.get(i + 1)).as("kcat topic").isIn(topics);
                any = true;
            }
        }
        assertThat(any).as("kcat names a topic with -t").isTrue();
        return "topics checked against the registry";
    }

    private static String curl(Command c) {
        String url = c.words().stream().skip(1).filter(w -> !w.startsWith("-")).findFirst()
                .orElseThrow(() -> new AssertionError("curl without a URL"));
        String path = URI.create(url.contains("://") ? url : "http://" + url).getPath();
        assertThat(httpPaths().stream().anyMatch(p -> p.endsWith("/") ? path.startsWith(p) : path.equals(p)))
                .as("%s is served by a component (%s)", path, httpPaths()).isTrue();
        return "endpoint checked against the components' handlers";
    }

    private static String docker(Command c) {
        List<String> w = c.words();
        if (w.get(1).equals("build")) {
            assertThat(option(c, "-f")).isEqualTo("deploy/Dockerfile");
            assertThat(Files.exists(Manifests.root().resolve(option(c, "-f")))).isTrue();
            assertThat(option(c, "-t")).isEqualTo(Manifests.IMAGE);
            assertThat(w.get(w.size() - 1)).as("build context: the repository root").isEqualTo(".");
            return "Dockerfile and tag checked (not built: no Docker engine in tests)";
        }
        if (w.get(1).equals("push")) {
            assertThat(w.get(2)).isEqualTo(Manifests.IMAGE);
            return "image checked";
        }
        throw new AssertionError("docker " + w.get(1) + ": no rule");
    }

    private static String export(Command c) {
        for (String assignment : c.words().subList(1, c.words().size())) {
            String name = assignment.contains("=") ? assignment.substring(0, assignment.indexOf('=')) : assignment;
            if (name.startsWith(KafkaClientConfig.ENV_PREFIX)) {
                assertThat(Workloads.clientProperty(name)).isIn(Workloads.clientProperties(Set.of()));
            } else {
                assertThat(name).as("an exported variable the supervisor reads")
                        .isIn(KafkaClientConfig.ENV_BOOTSTRAP, KafkaClientConfig.ENV_PROPERTIES_FILE);
            }
        }
        return "variable checked against KafkaClientConfig";
    }
}
