import DBAdviseModel

/// Which columns grow with time: the one place that decides it, for the partition planner, the
/// partitioning rules and the shard-key ranking. Data types are compared lowercased, as
/// `pg_stats`/`format_type` spell them (`timestamp with time zone`, `bigint`).
///
/// Callers differ in what they count, so each asks by name:
/// - ``isTemporal(dataType:)``: the value is a point in time (`timestamp`, `timestamptz`, with or
///   without time zone, or `date`). Ranges on it are calendar intervals, so only these get
///   time partitions and time-partitioned trees.
/// - ``isTimeLike(dataType:name:)``: temporal, or a serial counter
///   (``isSerialCounter(dataType:name:)``): both order a table's rows by insertion time, so
///   either can be a time-ordered partition key (integer ranges for a counter).
/// - ``isTimeOrInterval(dataType:)``: wider, for refusing a distribution column: times of day
///   and intervals too, which related rows do not share either.
public enum TimeLikeColumn {
    /// A timestamp of any precision or zone, or a date.
    public static func isTemporal(dataType: String) -> Bool {
        let type = dataType.lowercased()
        return type.contains("timestamp") || type == "date"
    }

    /// An integer named `id`, `seq` or `…_seq`: a serial key grows with insertion time; a
    /// foreign key (`user_id`) does not.
    public static func isSerialCounter(dataType: String, name: String) -> Bool {
        let column = name.lowercased()
        return counterTypes.contains(dataType.lowercased())
            && (column == "id" || column == "seq" || column.hasSuffix("_seq"))
    }

    /// The integer types counted as a serial key's (`smallint` and `smallserial` are not).
    private static let counterTypes: Set<String> = ["bigint", "integer", "int", "int4", "int8", "bigserial", "serial"]

    /// Temporal or a serial counter: the columns time-ordered tables grow along.
    public static func isTimeLike(dataType: String, name: String) -> Bool {
        isTemporal(dataType: dataType) || isSerialCounter(dataType: dataType, name: name)
    }

    /// Any time type by its leading name (`timestamp…`, `time…`, `timetz`), `date` or `interval`.
    /// A prefix, unlike ``isTemporal(dataType:)``: a domain named `my_timestamp` is not one.
    public static func isTimeOrInterval(dataType: String) -> Bool {
        let type = dataType.lowercased()
        return type.hasPrefix("time") || type == "date" || type == "interval"
    }
}

extension ColumnStats {
    /// See ``TimeLikeColumn/isTemporal(dataType:)``.
    public var isTemporal: Bool { TimeLikeColumn.isTemporal(dataType: dataType) }
    /// See ``TimeLikeColumn/isTimeLike(dataType:name:)``.
    public var isTimeLike: Bool { TimeLikeColumn.isTimeLike(dataType: dataType, name: column) }
}
