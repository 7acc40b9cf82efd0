package com.bookingmonitor.testsupport;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.bookingmonitor.common.RedisKeys;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisClusterTests {

	@Test
	void partitionsSpreadOverEveryMaster() {
		RedisKeys keys = new RedisKeys("bm", 6);
		try (RedisCluster cluster = RedisCluster.start(3)) {
			RedisServer first = cluster.nodes().get(0);
			RedisClusterClient client = RedisClusterClient.create(RedisURI.create(first.host(), first.port()));
			try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
				Set<String> mastersWithPartition = new HashSet<>();
				for (String stream : keys.streams()) {
					connection.sync().xadd(stream, "field", "value");
					RedisClusterNode node = connection.getPartitions()
						.getPartitionBySlot(io.lettuce.core.cluster.SlotHash.getSlot(stream));
					mastersWithPartition.add(node.getNodeId());
				}

				assertThat(connection.getPartitions().size()).isEqualTo(3);
				assertThat(mastersWithPartition).hasSize(3);
				assertThat(List.copyOf(keys.streams()).stream().mapToLong(connection.sync()::xlen).sum()).isEqualTo(6);
			}
			finally {
				client.shutdown();
			}
		}
	}

}
