import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput

/// The key these tests redact with (the binary gets the same one through DBADVISE_REDACT_KEY).
let testRedactionKey = RedactionKey(bytes: Array(repeating: 42, count: 32))

/// `collect --redact` under the tests' key.
func testRedaction(_ snapshot: Snapshot) -> Snapshot {
    SnapshotRedactor.redact(snapshot, key: testRedactionKey)
}
