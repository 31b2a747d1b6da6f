import PostgresClient

/// Why a collection could not produce a snapshot at all. Sections that cannot be read do not
/// end up here: they are recorded in `Snapshot.unavailable` and collection goes on.
public enum CollectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libpq or the server failed during `step`: a malformed connection string, a server that
    /// could not be reached or refused us, a connection that broke, a statement collection
    /// cannot do without. The error keeps its type (and SQLSTATE) for the caller to map.
    case postgres(PostgresError, step: CollectionStep)
    /// The server answered, but is older than PostgreSQL 12.
    case unsupportedServer(Int)
    /// Connected, but the session is not the one dbadvise pinned (search_path, read-only,
    /// role): refused before any query that a database's own objects could hijack.
    case unsafeSession(String)

    /// One line: the cause, preceded by the step once the connection was open (a connection
    /// that fails is said the way libpq says it).
    public var description: String {
        switch self {
        case .postgres(.invalidConnectionString(let message), _):
            return "invalid connection string: \(message)"
        case .postgres(let error, .connecting):
            return error.description
        case .postgres(let error, let step):
            return "\(step): \(error.description)"
        case .unsupportedServer(let version):
            return "PostgreSQL \(version / 10000) is not supported: dbadvise needs 12 or newer"
        case .unsafeSession(let message):
            return "refusing an unsafe session: \(message)"
        }
    }
}

/// What a collection was doing when it failed.
public enum CollectionStep: Sendable, Equatable, CustomStringConvertible {
    /// Parsing the connection string and opening the session.
    case connecting
    /// Checking that the session is the pinned one (``SafeSession/checkSession(_:trace:)``).
    case checkingSession
    /// Reading the server's version and identity, the first thing a collection needs.
    case readingIdentity
    /// Listing a server's databases for `--all-databases`.
    case listingDatabases
    /// Reading one section of the snapshot, when the session ended during it.
    case readingSection(String)

    public var description: String {
        switch self {
        case .connecting: return "connecting"
        case .checkingSession: return "checking the session"
        case .readingIdentity: return "reading the server's identity"
        case .listingDatabases: return "listing the databases"
        case .readingSection(let name): return "reading \(name)"
        }
    }
}
