"""Language-model providers: an OpenAI-compatible client (any `base_url`) used
through the real openai SDK. The offline engine lives with the documents."""
