"""HTTP and WebSocket transport: GraphQL view, middlewares, plain routes, metrics."""
