"""Support code of the tests that is bigger than a helper: real processes, the jobs
marketplace's cast, the chat server. Never named test_*; test modules import from
here, never from each other."""
