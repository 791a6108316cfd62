"""A prompt sent straight to Claude through the anthropic SDK (retries are the SDK's)."""

from __future__ import annotations

import threading
import time

from driftgate.anthropic_client import (
    AnthropicSettings,
    describe_api_error,
    make_client,
    trace_call,
)
from driftgate.config import CaseSpec
from driftgate.config.schema import AnthropicTarget
from driftgate.generate.base import Generation
from driftgate.results import Tokens

MISSING_KEY = (
    "ANTHROPIC_API_KEY is not set: add it as a secret (GitHub: Settings → Secrets → Actions, "
    "then `env: ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}`) or export it locally"
)


class AnthropicRunner:
    def __init__(
        self, spec: AnthropicTarget, settings: AnthropicSettings, budget=None, tracer=None
    ):
        self.spec = spec
        self.settings = settings  # key and base URL, read by the edges (cli, action)
        self._client = None
        self._client_lock = threading.Lock()  # one client (and one SSL set-up) for all workers
        # quality layer (cost.Budget, traces.TraceWriter): both optional
        self.budget = budget
        self.tracer = tracer

    def identity(self) -> dict:
        return {
            "type": "anthropic",
            "model": self.spec.model,
            "temperature": self.spec.temperature,
            "max_tokens": self.spec.max_tokens,
            "system": self.spec.system,
        }

    def client(self):
        with self._client_lock:
            if self._client is None:
                self._client = make_client(
                    self.settings, max_retries=self.spec.max_retries, timeout=self.spec.timeout_s
                )
            return self._client

    def generate(self, case: CaseSpec, sample: int) -> Generation:
        if not self.settings.api_key:
            return Generation.failed(MISSING_KEY)
        prompt = case.render_prompt()
        request = {
            "model": self.spec.model,
            "max_tokens": self.spec.max_tokens,
            "messages": [{"role": "user", "content": prompt}],
        }
        if self.spec.system:
            request["system"] = self.spec.system
        if "temperature" in self.spec.model_fields_set:
            # anthropic 2.x dropped the `temperature` argument; send it only when the user
            # wrote it, so models that reject it still work by default.
            request["extra_body"] = {"temperature": self.spec.temperature}
        if self.budget is not None and not self.budget.allow():
            from driftgate.cost import BUDGET_SKIP_REASON

            return Generation.failed(BUDGET_SKIP_REASON)
        started = time.perf_counter()
        try:
            raw = self.client().messages.with_raw_response.create(**request)
            message = raw.parse()
        except Exception as exc:  # every SDK failure becomes this case's error
            error = f"Anthropic API: {describe_api_error(exc)}"
            latency = time.perf_counter() - started
            self._record(case, sample, request, exc, error, latency, None)
            return Generation.failed(error, latency)
        latency = time.perf_counter() - started
        text = "".join(
            block.text for block in message.content if getattr(block, "type", "") == "text"
        )
        usage = message.usage
        tokens = Tokens(input=usage.input_tokens or 0, output=usage.output_tokens or 0)
        self._record(case, sample, request, raw.http_response, None, latency, tokens)
        return Generation(
            output=text.strip(),
            latency_s=latency,
            tokens=tokens,
            model=message.model or self.spec.model,
            calls=1,
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _record(self, case, sample, request, response, error, latency, tokens) -> None:
        """Count the call against the budget and write its trace (quality layer)."""
        if self.budget is not None:
            self.budget.record(self.spec.model, tokens or Tokens())
        trace_call(
            self.tracer,
            "target",
            case.name,
            request,
            response,
            sample=sample,
            error=error,
            latency_s=latency,
        )
