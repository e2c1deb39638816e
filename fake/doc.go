// Package fake holds in-process stand-ins for the services tests cannot
// reach: OpenAI Chat Completions, the Slack Web API with Socket Mode, AWS
// SSM Parameter Store and an OTLP/HTTP collector.
//
// Each fake is an httptest.Server that speaks the real wire protocol, so the
// real client libraries (langchaingo, slack-go, aws-sdk-go-v2, the OTel
// exporters) are driven against it unchanged: a test points the client at
// the fake's URL and then inspects what the fake recorded. Constructors take
// a testing.TB and close the server with t.Cleanup. All state is guarded by
// a mutex, so a fake may be hit concurrently and inspected while it is.
package fake
