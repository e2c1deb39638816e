// Package telemetry sets up OpenTelemetry for the bot and wraps the pieces
// worth watching: the model (GenAI spans, token and cost metrics), the
// tools (one span per call, the SQL as db.query.text), the database (pgx
// spans inside requests and jobs) and the job queue (River spans that join
// the trace of the request that enqueued the job). Logs are JSON carrying
// the trace and span ids.
//
// Nothing here sets OpenTelemetry's global providers: the providers from
// [Setup] are passed to each wrapper explicitly. With neither a Logfire
// token nor an OTLP endpoint, nothing is exported and nothing is reported,
// but spans still get trace ids so log lines of one request can be grouped.
//
// No attribute carries request headers, API keys or result rows; error
// messages are scrubbed of anything shaped like a token before they are
// recorded.
package telemetry
