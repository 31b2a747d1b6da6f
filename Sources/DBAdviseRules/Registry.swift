public enum RuleRegistryPlaceholder {}
