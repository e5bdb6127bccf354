import ArgumentParser
import Providers

// Lets argument-parser list the hosts in help and refuse a typo with exit 64 and the valid names.
extension Provider: ExpressibleByArgument {}
