"""The rule-pack engine: packs (YAML) loaded and linted, conditions evaluated over the fact tables,
findings with their French texts, the verdict, waivers."""
