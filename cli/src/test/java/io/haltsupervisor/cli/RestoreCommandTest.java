package io.haltsupervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RestoreCommandTest {
    @Test
    void readsALineOfKcatJsonOutputWithItsPartitionTimestampKeyAndHeaders() {
        RestoreCommand.Exported r = RestoreCommand.parse("{\"topic\":\"seid.halt-observations.v1\",\"partition\":3,"
                + "\"offset\":17,\"tstype\":\"create\",\"ts\":1700000000123,\"broker\":1,\"headers\":[\"h\",\"v\","
                + "\"n\",null],\"key\":\"sei/rpc-0\",\"payload\":\"{\\\"schemaVersion\\\":1}\"}");
        assertThat(r.topic()).isEqualTo("seid.halt-observations.v1");
        assertThat(r.partition()).isEqualTo(3);
        assertThat(r.offset()).isEqualTo(17);
        assertThat(r.timestamp()).isEqualTo(1_700_000_000_123L);
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("sei/rpc-0");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"schemaVersion\":1}");
        assertThat(r.headers()).hasSize(2);
        assertThat(r.headers().get(1).value()).isNull();
    }

    @Test
    void aTombstoneAndAnUnkeyedRecordKeepTheirNulls() {
        RestoreCommand.Exported r = RestoreCommand.parse("{\"topic\":\"seid.image-mappings.v1\",\"partition\":0,"
                + "\"offset\":1,\"ts\":5,\"key\":null,\"payload\":null}");
        assertThat(r.key()).isNull();
        assertThat(r.value()).isNull();
    }

    @Test
    void aLineThatIsNotAnExportOfOneOfOurTopicsIsRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> RestoreCommand.parse("{\"topic\":\"other\",\"partition\":0,\"ts\":1}"))
                .hasMessageContaining("'topic'");
        assertThatThrownBy(() -> RestoreCommand.parse("{\"topic\":\"seid.decisions.v1\",\"ts\":1}"))
                .hasMessageContaining("'partition'");
        assertThatThrownBy(() -> RestoreCommand.parse("{\"topic\":\"seid.decisions.v1\",\"partition\":1}"))
                .hasMessageContaining("'ts'");
        assertThatThrownBy(() -> RestoreCommand.parse("not json")).hasMessageContaining("not JSON");
    }
}
