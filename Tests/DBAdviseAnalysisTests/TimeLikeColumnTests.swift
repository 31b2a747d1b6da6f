import DBAdviseAnalysis
import DBAdviseModel
import Testing

/// The one time-like column check, by the data types `pg_stats` spells: each question counts
/// its own types and refuses the neighbours it must not count.
@Suite struct TimeLikeColumnTests {
    @Test(arguments: [
        "timestamp without time zone", "timestamp with time zone", "timestamptz", "timestamp(3) with time zone", "date",
        "DATE",
    ])
    func pointsInTimeAreTemporal(type: String) {
        #expect(TimeLikeColumn.isTemporal(dataType: type))
        #expect(TimeLikeColumn.isTimeLike(dataType: type, name: "anything"))
    }

    @Test(arguments: ["time without time zone", "interval", "bigint", "text", "daterange"])
    func otherTypesAreNotTemporal(type: String) {
        #expect(!TimeLikeColumn.isTemporal(dataType: type))
    }

    @Test(arguments: [("bigint", "id"), ("integer", "seq"), ("int8", "order_seq"), ("BIGSERIAL", "ID")])
    func serialCountersAreTimeLike(type: String, name: String) {
        #expect(TimeLikeColumn.isSerialCounter(dataType: type, name: name))
        #expect(TimeLikeColumn.isTimeLike(dataType: type, name: name))
        #expect(!TimeLikeColumn.isTemporal(dataType: type))
    }

    /// A foreign key grows with its parent, not with time; a smallint or numeric id is not one
    /// of the counter types the planners partition by integer ranges.
    @Test(arguments: [
        ("bigint", "user_id"), ("bigint", "sequence"), ("smallint", "id"), ("numeric", "id"), ("uuid", "id"),
    ])
    func otherColumnsAreNotTimeLike(type: String, name: String) {
        #expect(!TimeLikeColumn.isSerialCounter(dataType: type, name: name))
        #expect(!TimeLikeColumn.isTimeLike(dataType: type, name: name))
    }

    /// The shard-key refusal is wider than temporal (times of day, intervals) and reads the
    /// leading name only.
    @Test func timeOrIntervalIsWiderThanTemporal() {
        for type in ["timestamp with time zone", "date", "time without time zone", "timetz", "interval"] {
            #expect(TimeLikeColumn.isTimeOrInterval(dataType: type), "\(type)")
        }
        for type in ["my_timestamp", "bigint", "daterange", "text"] {
            #expect(!TimeLikeColumn.isTimeOrInterval(dataType: type), "\(type)")
        }
    }

    @Test func columnStatsAskByTheirOwnTypeAndName() {
        let created = ColumnStats(schema: "public", table: "events", column: "created_at", dataType: "timestamptz")
        let id = ColumnStats(schema: "public", table: "events", column: "id", dataType: "bigint")
        let owner = ColumnStats(schema: "public", table: "events", column: "user_id", dataType: "bigint")
        #expect(created.isTemporal && created.isTimeLike)
        #expect(!id.isTemporal && id.isTimeLike)
        #expect(!owner.isTemporal && !owner.isTimeLike)
        #expect(created.qualifiedTable == "public.events")
    }

    @Test func schemaQualifiedNamesJoinTheStoredParts() {
        let index = IndexStats(
            schema: "Sales", table: "order", name: "order_pkey", isUnique: true, isPrimary: true, isValid: true)
        #expect(index.qualifiedName == "Sales.order_pkey")
        #expect(index.qualifiedTable == "Sales.order")
        let partition = Partition(
            schema: "sales", name: "order_p2026", bound: nil, isDefault: false, isPartitioned: false,
            totalBytes: nil, rows: nil)
        #expect(partition.qualifiedName == "sales.order_p2026")
    }
}
