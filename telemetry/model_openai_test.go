package telemetry

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/analytics-bot/analytics-bot/fake"
)

const testAPIKey = "sk-test-abcdefghijklmnopqrstuvwxyz0123"

// setupOpenAI wraps langchaingo's real OpenAI client, pointed at the fake
// server, so the GenerationInfo keys read here are the client's own.
func setupOpenAI(t *testing.T) (*fake.OpenAI, llms.Model, recorders) {
	t.Helper()
	srv := fake.NewOpenAI(t)
	client, err := openai.New(openai.WithBaseURL(srv.URL), openai.WithToken(testAPIKey), openai.WithModel("gpt-4.1"))
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorders(t)
	return srv, TraceModel(client, r.tp, r.mp, ModelOptions{Model: "gpt-4.1", Provider: "openai", Cost: priceGPT41}), r
}

func TestTraceModelOverLangchaingoOpenAI(t *testing.T) {
	t.Parallel()
	srv, m, r := setupOpenAI(t)
	srv.Script(fake.Response{Content: "12 signups", Usage: fake.Usage{PromptTokens: 1200, CompletionTokens: 50, CachedTokens: 1000}})

	if _, err := m.GenerateContent(context.Background(), question, llms.WithTemperature(0)); err != nil {
		t.Fatalf("GenerateContent: %v", err)
	}

	span := r.onlySpan(t)
	kv := span.Attributes()
	wantAttr(t, kv, semconv.GenAIUsageInputTokensKey, int64(1200))
	wantAttr(t, kv, semconv.GenAIUsageOutputTokensKey, int64(50))
	wantAttr(t, kv, semconv.GenAIUsageCacheReadInputTokensKey, int64(1000))
	wantAttr(t, kv, semconv.GenAIResponseFinishReasonsKey, []string{"stop"})
	wantAttr(t, kv, CostKey, priceGPT41("gpt-4.1", 1200, 1000, 50))
	noSecret(t, span.Attributes(), nil)
}

func TestTraceModelOverLangchaingoOpenAIError(t *testing.T) {
	t.Parallel()
	srv, m, r := setupOpenAI(t)
	srv.Script(fake.Response{Status: http.StatusUnauthorized, ErrorMessage: "Incorrect API key provided: " + testAPIKey})

	if _, err := m.GenerateContent(context.Background(), question); err == nil {
		t.Fatal("GenerateContent succeeded, want the 401")
	}

	span := r.onlySpan(t)
	if span.Status().Code != codes.Error {
		t.Errorf("status = %v, want Error", span.Status())
	}
	if strings.Contains(span.Status().Description, "abcdefghijklmnop") {
		t.Errorf("status leaks the API key: %q", span.Status().Description)
	}
	exc := exceptionEvent(t, span)
	noSecret(t, span.Attributes(), exc.Attributes)
}
