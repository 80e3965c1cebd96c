"""The rule language: grammar (pyparsing) and parse tree."""
