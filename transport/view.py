"""The GraphQL endpoint: GraphQL-over-HTTP (with `application/graphql-response+json`),
WebSocket subscriptions (`graphql-transport-ws` only) and the offline GraphiQL page.

HTTP requests are parsed and answered here rather than by strawberry's generic view, so
every status code and content type follows the GraphQL-over-HTTP spec:

- malformed requests (bad JSON, wrong content type, missing or non-string `query`,
  unknown operation name) get 400 whatever the Accept header;
- with `application/graphql-response+json`, documents that fail to parse or validate, or
  whose variables do not coerce, get 400 and no `data` entry;
- with `application/json` (the default, also for `*/*`) those get 200, as the spec says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import orjson
from aiohttp import BodyPartReader, MultipartReader, web
from graphql import (
    GraphQLError,
    OperationDefinitionNode,
)
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import (
    CannotGetOperationTypeError,
    InvalidOperationTypeError,
)
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from resolvers.loaders import Loaders
from schema.context import Context
from schema.guards import parse_cached
from services import accounts, revocation
from services.accounts import Actor, RequestMeta
from services.errors import AuthError
from services.resumes import UploadedFile
from services.runtime import Runtime
from transport import public_answers
from transport.keys import ACTOR_KEY, OPERATION_KEY, RUNTIME_KEY
from transport.websocket import SocketHandler, Sockets, socket_credential

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_ACK = cast("UnsetType", UNSET)  # a plain `connection_ack`, without payload
GRAPHIQL_HTML = Path(__file__).resolve().parent.parent / "static/graphiql/index.html"


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def error_body(message: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extra}}]}


def dumps(body: Mapping[str, Any]) -> bytes:
    """Compact JSON with orjson (about 10x the stdlib here); the stdlib for what
    orjson refuses (integers past 64 bits, non-string keys)."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, separators=(",", ":")).encode()


def json_response(
    body: Mapping[str, Any], *, status: int = 200, content_type: str = JSON
) -> web.Response:
    return web.Response(
        body=dumps(body),
        status=status,
        content_type=content_type,
        charset="utf-8",
    )


def client_meta(request: web.Request) -> RequestMeta:
    return RequestMeta(
        ip=request.remote or "",
        user_agent=request.headers.get("User-Agent", "")[:300],
        # links are absolute only on PUBLIC_URL, never on the request's Host header
        # (which the client chooses); without it they are relative (`/files/…`)
        base_url=request.app[RUNTIME_KEY].settings.public_url,
    )


def response_media_type(request: web.Request) -> str:
    """graphql-response+json when the client accepts it, else application/json."""
    accept = request.headers.get("Accept", "")
    return GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else JSON


def _is_request_error(result: ExecutionResult) -> bool:
    """True when the document never executed: parse, validation or variable errors."""
    if isinstance(result, PreExecutionError):
        return True
    return (
        result.data is None
        and bool(result.errors)
        and all(e.path is None for e in result.errors or ())
    )


def _operation_count(query: str, max_tokens: int) -> int:
    """Operations in the document; 0 when it does not parse (Guards reports that)."""
    try:
        document = parse_cached(query, max_tokens=max_tokens)  # the cache Guards reads
    except GraphQLError:
        return 0
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


PREFLIGHT_HEADERS = ("GraphQL-Require-Preflight", "Apollo-Require-Preflight")
MAX_UPLOAD_FILES = 10


async def _read_file_part(
    part: BodyPartReader, budget: int, limit: int
) -> UploadedFile:
    """Read a file part up to `budget` bytes (what the request has left)."""
    data = bytearray()
    too_large = False
    while chunk := await part.read_chunk(65536):
        data.extend(chunk)
        if len(data) > budget:
            too_large = True
            data.clear()
            break
    return UploadedFile(
        filename=part.filename or "",
        content_type=part.headers.get("Content-Type", ""),
        data=bytes(data),
        too_large=too_large,
        limit=limit,
    )


def _put(operations: dict[str, Any], path: str, value: object) -> None:
    """Set `value` at a dotted path such as `variables.input.file`."""
    keys = path.split(".")
    missing = BadRequest(f"Upload path {path[:100]!r} does not exist in `operations`")
    if len(keys) < 2 or keys[0] != "variables":
        raise missing
    target: Any = operations
    try:
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(keys[-1])] = value
        elif isinstance(target, dict):
            target[keys[-1]] = value
        else:
            raise missing
    except (ValueError, IndexError, KeyError, TypeError):
        raise missing from None


class CareergraphView(GraphQLView[Context, None]):
    graphql_transport_ws_handler_class = SocketHandler

    def __init__(self, schema: BaseSchema, runtime: Runtime) -> None:
        settings = runtime.settings
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            allowed_origins=settings.allowed_origins,
            multipart_uploads_enabled=False,
        )
        self.runtime = runtime
        # open sockets, closed on revocation
        self.sockets = Sockets(
            runtime.pubsub,
            channel=revocation.channel(settings.secret_key),
            recheck=settings.socket_recheck_seconds,
        )
        self._graphiql = GRAPHIQL_HTML.read_text()

    def encode_json(self, data: object) -> str:
        """WebSocket messages (text frames) with orjson."""
        return orjson.dumps(data).decode()

    # -- HTTP -----------------------------------------------------------------------

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and self.is_websocket_request(request):
            return await self.run(request)
        if request.method not in ("GET", "POST"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "POST"])
        if (
            request.method == "GET"
            and "query" not in request.query
            and "text/html" in request.headers.get("Accept", "")
        ):
            return web.Response(text=self._graphiql, content_type="text/html")
        media_type = response_media_type(request)
        try:
            params = await self._read_params(request)
            return await self._execute(request, params, media_type)
        except BadRequest as exc:
            return json_response(
                error_body(exc.message, "BAD_REQUEST"),
                status=exc.status,
                content_type=media_type,
            )

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            params: dict[str, Any] = dict(request.query)
            for key in ("variables", "extensions"):
                if isinstance(params.get(key), str) and params[key]:
                    params[key] = self._decode(params[key], key)
        elif request.content_type == "multipart/form-data":
            params = await self._read_multipart(request)
        else:
            content_type = request.content_type
            if content_type != "application/json":
                raise BadRequest(
                    "Send the request as `Content-Type: application/json`",
                    status=415
                    if content_type not in ("", "application/octet-stream")
                    else 400,
                )
            limit = self.runtime.settings.max_query_bytes
            if request.content_length is not None and request.content_length > limit:
                raise BadRequest(f"Request body exceeds {limit} bytes", status=413)
            body = await request.content.read(limit + 1)
            if len(body) > limit:
                raise BadRequest(f"Request body exceeds {limit} bytes", status=413)
            if not body.strip():
                raise BadRequest(
                    "Request body is empty; send a JSON object with `query`"
                )
            params = self._decode(body, "body")
        if isinstance(params, list):
            raise BadRequest("Batched requests are not supported; send one operation")
        if not isinstance(params, dict):
            raise BadRequest("Request body must be a JSON object")
        query = params.get("query")
        if not isinstance(query, str) or not query.strip():
            raise BadRequest("A non-empty string `query` parameter is required")
        for key in ("variables", "extensions"):
            if params.get(key) is not None and not isinstance(params[key], dict):
                raise BadRequest(f"`{key}` must be a JSON object")
        name = params.get("operationName")
        if name is not None and not isinstance(name, str):
            raise BadRequest("`operationName` must be a string")
        return params

    async def _read_multipart(self, request: web.Request) -> dict[str, Any]:
        """The GraphQL multipart request spec: `operations`, `map`, then files.

        A file part is read up to the upload limit and no further: a bigger file is
        handed on marked `too_large` (the mutation answers PAYLOAD_TOO_LARGE), and
        the rest of the body is never buffered. A preflight header is required, so
        a browser form on another site cannot post here (CSRF)."""
        if not any(h in request.headers for h in PREFLIGHT_HEADERS):
            raise BadRequest(
                "Multipart requests need a `GraphQL-Require-Preflight` (or "
                "`Apollo-Require-Preflight`) header"
            )
        settings = self.runtime.settings
        limit = settings.max_upload_bytes
        try:
            reader = await request.multipart()
            operations = await self._small_part(reader, "operations")
            mapping = await self._small_part(reader, "map")
            if not isinstance(operations, dict):
                raise BadRequest("`operations` must be a JSON object")
            if not isinstance(mapping, dict) or len(mapping) > MAX_UPLOAD_FILES:
                raise BadRequest(
                    f"`map` must be a JSON object of at most {MAX_UPLOAD_FILES} files"
                )
            files: dict[str, UploadedFile] = {}
            budget = limit  # for all files of the request together
            while len(files) < len(mapping):
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader) or part.name not in mapping:
                    raise BadRequest("Unexpected part in the multipart request")
                if str(part.name) in files:
                    raise BadRequest(f"File part {part.name!r} is sent twice")
                upload = await _read_file_part(part, budget, limit)
                files[str(part.name)] = upload
                if upload.too_large:
                    break  # stop reading the body here
                budget -= len(upload.data)
            else:
                # every file arrived: the body must end here, closing boundary included
                if await reader.next() is not None or not reader.at_eof():
                    raise BadRequest(
                        "The multipart request is truncated or has extra parts"
                    )
        except ValueError as exc:  # malformed multipart framing
            raise BadRequest(f"Malformed multipart request: {exc}") from None
        variables = operations.setdefault("variables", {})
        if not isinstance(variables, dict):
            raise BadRequest("`variables` must be a JSON object")
        for key, paths in mapping.items():
            if key not in files:
                if any(f.too_large for f in files.values()):
                    continue
                raise BadRequest(f"File {key!r} named in `map` is missing")
            if not isinstance(paths, list):
                raise BadRequest("`map` values must be lists of paths")
            for path in paths:
                _put(operations, str(path), files[key])
        if any(f.too_large for f in files.values()):
            for key, paths in mapping.items():
                if key not in files and isinstance(paths, list):
                    for path in paths:
                        _put(operations, str(path), None)
        return operations

    async def _small_part(self, reader: MultipartReader, name: str) -> Any:
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != name:
            raise BadRequest(f"The multipart request must start with `{name}`")
        limit = self.runtime.settings.max_query_bytes
        raw = bytearray()
        while chunk := await part.read_chunk(65536):
            raw.extend(chunk)
            if len(raw) > limit:
                raise BadRequest(f"`{name}` exceeds {limit} bytes", status=413)
        return self._decode(bytes(raw), name)

    @staticmethod
    def _decode(raw: str | bytes, what: str) -> Any:
        try:
            return orjson.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest(f"Malformed JSON in {what}") from None

    async def _execute(
        self, request: web.Request, params: dict[str, Any], media_type: str
    ) -> web.Response:
        context = self.make_context(request[ACTOR_KEY], client_meta(request))
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        if (
            params.get("operationName") is None
            and _operation_count(params["query"], self.runtime.settings.max_tokens) > 1
        ):
            raise BadRequest(
                "Must provide operation name if query contains multiple operations."
            )
        answer_key = (
            await public_answers.answer_key(params, self.runtime.settings.max_tokens)
            if request[ACTOR_KEY] is None and self.runtime.profile_cache.size > 0
            else None
        )
        if answer_key is not None:
            found = self.runtime.profile_cache.answer(answer_key)
            if found is not None:
                request[OPERATION_KEY] = found[1]
                return web.Response(
                    body=found[0], content_type=media_type, charset="utf-8"
                )
        try:
            result = await self.schema.execute(
                params["query"],
                variable_values=params.get("variables"),
                context_value=context,
                operation_name=params.get("operationName") or None,
                allowed_operation_types=allowed,
                operation_extensions=params.get("extensions"),
            )
        except InvalidOperationTypeError as exc:
            if request.method == "GET":
                raise web.HTTPMethodNotAllowed(
                    "GET", ["POST"], text="Mutations and subscriptions need POST"
                ) from exc
            raise BadRequest("Subscriptions run over WebSocket at this URL") from exc
        except CannotGetOperationTypeError as exc:
            raise BadRequest(exc.as_http_error_reason()) from exc
        request[OPERATION_KEY] = context.operation_name
        body: dict[str, Any] = {}
        request_error = _is_request_error(result)
        if not (request_error and media_type == GRAPHQL_RESPONSE):
            body["data"] = result.data
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        status = 400 if request_error and media_type == GRAPHQL_RESPONSE else 200
        if (
            answer_key is not None
            and not result.errors
            and not result.extensions
            and isinstance(result.data, dict)
            and result.data.get(answer_key[0]) is not None
            # the profile and plan did not change while this answer was computed
            and await public_answers.answer_key(
                params, self.runtime.settings.max_tokens
            )
            == answer_key
        ):
            encoded = dumps(body)
            self.runtime.profile_cache.keep(answer_key, encoded, context.operation_name)
            return web.Response(body=encoded, content_type=media_type, charset="utf-8")
        return json_response(body, status=status, content_type=media_type)

    def make_context(self, actor: Actor | None, meta: RequestMeta) -> Context:
        context = Context(
            runtime=self.runtime,
            meta=meta,
            loaders=Loaders(lambda: context.actor),
            actor=actor,
        )
        return context

    # -- WebSocket ---------------------------------------------------------------------

    async def get_context(
        self, request: web.Request, response: web.Response | web.WebSocketResponse
    ) -> Context:
        return self.make_context(None, client_meta(request))

    async def on_ws_connect(
        self, context: Context
    ) -> UnsetType | dict[str, object] | None:
        """Authenticate a WebSocket from its `connection_init` payload."""
        token = socket_credential(context.connection_params)
        if token is None:
            return _ACK
        try:
            context.actor = await accounts.authenticate_token(
                config=self.runtime.auth, token=token
            )
        except AuthError as exc:
            # failed credentials count against the IP, as they do over HTTP
            await self.runtime.limiter.hit(
                f"ip:{context.meta.ip}",
                per_minute=self.runtime.settings.anonymous_rate_limit,
            )
            raise ConnectionRejectionError({"message": exc.message}) from exc
        return _ACK
