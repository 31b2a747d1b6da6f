import PostgresClient

/// The databases of one server, for `collect --all-databases`: read over one safe session to
/// the database the connection string names (or libpq's default).
public enum ServerDatabases {
    public struct Listing: Sendable, Equatable {
        /// Connectable databases, by name.
        public var databases: [String]
        /// Databases that take connections, but not from this role (no CONNECT privilege):
        /// left out, and named so the user knows.
        public var withoutPrivilege: [String]
    }

    public static func list(conninfo: String?) throws(CollectorError) -> Listing {
        let connection = try SafeSession.open(conninfo: conninfo)
        var listing = Listing(databases: [], withoutPrivilege: [])
        do {
            for row in try connection.query(ServerQueries.databases, trace: nil).rows {
                guard let name = try row.string("name") else { continue }
                if try row.bool("can_connect") == false {
                    listing.withoutPrivilege.append(name)
                } else {
                    listing.databases.append(name)
                }
            }
        } catch {
            throw .postgres(error, step: .listingDatabases)
        }
        return listing
    }
}
