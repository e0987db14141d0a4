package bench.kstreams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * RocksDB bounded as Kafka Streams' memory-management guide recommends for production
 * (docs/streams/developer-guide/memory-mgmt.html, "RocksDB"): one block cache and one write-buffer manager
 * shared by every store of the instance, index and filter blocks cached in it (with high priority, the
 * top-level index pinned). Without it each store gets its own 50 MB block cache and three 16 MB memtables.
 * Sizes: BENCH_ROCKSDB_MB (default 128) in all, half of it for memtables.
 */
public final class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {
  private static final long TOTAL_OFF_HEAP_BYTES =
      Long.parseLong(System.getenv().getOrDefault("BENCH_ROCKSDB_MB", "128")) * 1024 * 1024;
  private static final long TOTAL_MEMTABLE_BYTES = TOTAL_OFF_HEAP_BYTES / 2;
  private static final double INDEX_FILTER_BLOCK_RATIO = 0.1;
  private static final long MEMTABLE_BYTES = 16L * 1024 * 1024;
  private static final int MEMTABLES = 3;
  private static final long BLOCK_BYTES = 4096;

  private static final Cache CACHE = new LRUCache(TOTAL_OFF_HEAP_BYTES, -1, false, INDEX_FILTER_BLOCK_RATIO);
  private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(TOTAL_MEMTABLE_BYTES, CACHE);

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig tableConfig = (BlockBasedTableConfig) options.tableFormatConfig();
    tableConfig.setBlockCache(CACHE);
    tableConfig.setCacheIndexAndFilterBlocks(true);
    options.setWriteBufferManager(WRITE_BUFFERS);
    tableConfig.setCacheIndexAndFilterBlocksWithHighPriority(true);
    tableConfig.setPinTopLevelIndexAndFilter(true);
    tableConfig.setBlockSize(BLOCK_BYTES);
    options.setMaxWriteBufferNumber(MEMTABLES);
    options.setWriteBufferSize(MEMTABLE_BYTES);
    options.setTableFormatConfig(tableConfig);
  }

  @Override
  public void close(String storeName, Options options) {
    // the cache and the write-buffer manager are shared by every store: not closed here
  }
}
