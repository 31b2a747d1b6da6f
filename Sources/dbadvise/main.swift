import DBAdviseCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

exit(DBAdvise.main(Array(CommandLine.arguments.dropFirst())))
