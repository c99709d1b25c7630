"""Thin async resolvers: parse input, call one service, map the result to types."""
