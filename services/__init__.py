"""Business rules and I/O, framework-free.

No strawberry import; functions take keyword-only arguments.
"""
