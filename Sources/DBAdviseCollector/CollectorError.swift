import PostgresClient

/// Why a collection could not produce a snapshot at all. Sections that cannot be read do not
/// end up here: they are recorded in `Snapshot.unavailable` and collection goes on.
public enum CollectorError: Error, Sendable, CustomStringConvertible {
    /// The connection string is malformed (a usage error).
    case invalidConnectionString(String)
    /// The database could not be reached, refused us, or the connection broke.
    case unreachable(String)
    /// The server answered, but is older than PostgreSQL 12.
    case unsupportedServer(Int)
    /// Connected, but the session is not the one dbadvise pinned (search_path, read-only,
    /// role): refused before any query that a database's own objects could hijack.
    case unsafeSession(String)

    public var description: String {
        switch self {
        case .invalidConnectionString(let message):
            return "invalid connection string: \(message)"
        case .unreachable(let message):
            return message
        case .unsupportedServer(let version):
            return "PostgreSQL \(version / 10000) is not supported: dbadvise needs 12 or newer"
        case .unsafeSession(let message):
            return "refusing an unsafe session: \(message)"
        }
    }

    init(_ error: PostgresError) {
        switch error {
        case .invalidConnectionString(let message): self = .invalidConnectionString(message)
        case .connectionFailed(let message), .connectionLost(let message):
            self = .unreachable(message)
        case .server(let server): self = .unreachable(server.description)
        case .unexpectedResult(let message): self = .unreachable(message)
        }
    }
}
