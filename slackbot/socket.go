package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives events, slash commands and button presses over
// Socket Mode (SLACK_APP_TOKEN) and hands them to the same dispatcher as
// HTTP, acknowledging each once its work is queued. api must carry the
// app-level token. It returns when ctx ends.
func RunSocketMode(ctx context.Context, api *slack.Client, d *Dispatcher, log *slog.Logger) error {
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() {
		runErr = client.RunContext(ctx)
		cancel()
	})
	defer wg.Wait()

	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			if runErr != nil && !errors.Is(runErr, context.Canceled) {
				if rejectedAppToken[runErr.Error()] {
					return fmt.Errorf("socket mode: %w (%v)", ErrAppTokenRejected, runErr)
				}
				return fmt.Errorf("socket mode: %w", runErr)
			}
			return nil
		case evt, ok := <-client.Events:
			if !ok {
				return nil
			}
			handleSocketEvent(ctx, client, d, evt, log)
		}
	}
}

func handleSocketEvent(ctx context.Context, client *socketmode.Client, d *Dispatcher, evt socketmode.Event, log *slog.Logger) {
	if evt.Request == nil {
		logConnection(ctx, evt, log)
		return
	}
	var err error
	var response any
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		_, err = d.Event(ctx, evt.Request.Payload)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			return
		}
		var reply *slack.Msg
		if reply, err = d.Reply(ctx, cmd); reply != nil {
			response = replyBody(reply)
		}
	case socketmode.EventTypeInteractive:
		var cb slack.InteractionCallback
		if cb, err = ParseInteraction(evt.Request.Payload); err == nil {
			response, err = d.Respond(ctx, cb)
		}
	default:
		return
	}
	if err != nil && !errors.Is(err, ErrBadRequest) {
		// Not acknowledged: Slack delivers it again.
		log.ErrorContext(ctx, "could not queue Socket Mode work", slog.Any("error", err))
		return
	}
	if response != nil && err == nil {
		err = client.Ack(*evt.Request, response)
	} else {
		err = client.Ack(*evt.Request)
	}
	if err != nil {
		log.WarnContext(ctx, "could not acknowledge a Socket Mode delivery", slog.Any("error", err))
	}
}

// ErrAppTokenRejected means Slack refused SLACK_APP_TOKEN when opening the
// Socket Mode connection; retrying cannot help.
var ErrAppTokenRejected = errors.New("Slack rejected the app-level token")

// rejectedAppToken are the apps.connections.open errors after which
// slack-go gives up.
var rejectedAppToken = map[string]bool{
	"invalid_auth": true, "account_inactive": true, "not_authed": true, "token_revoked": true,
}

// AppTokenAdvice is what to do when Slack rejects SLACK_APP_TOKEN.
const AppTokenAdvice = "create an app-level token with the connections:write scope " +
	"(api.slack.com/apps → your app → Basic Information → App-Level Tokens), enable Socket Mode, " +
	"and set SLACK_APP_TOKEN to it (xapp-…)"

// logConnection reports the state of the Socket Mode connection, and every
// failure with what to do about it.
func logConnection(ctx context.Context, evt socketmode.Event, log *slog.Logger) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		log.InfoContext(ctx, "connected to Slack in Socket Mode")
	case socketmode.EventTypeConnecting:
		if e, ok := evt.Data.(*slack.ConnectingEvent); ok && e.Attempt > 1 {
			log.InfoContext(ctx, "reconnecting to Slack in Socket Mode", slog.Int("attempt", e.Attempt))
		}
	case socketmode.EventTypeConnectionError:
		e, _ := evt.Data.(*slack.ConnectionErrorEvent)
		var err error
		var backoff time.Duration
		if e != nil {
			err, backoff = e.ErrorObj, e.Backoff
		}
		log.WarnContext(ctx, "Socket Mode connection to Slack failed; retrying", slog.Any("error", err),
			slog.Duration("retry_in", backoff), slog.String("advice", connectionAdvice(err)))
	case socketmode.EventTypeInvalidAuth:
		log.ErrorContext(ctx, "Slack rejected SLACK_APP_TOKEN", slog.String("advice", AppTokenAdvice))
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		log.WarnContext(ctx, "Socket Mode connection error; slack-go reconnects", slog.String("event", string(evt.Type)),
			slog.Any("detail", evt.Data), slog.String("advice", "if this repeats, check the network path to Slack (wss://wss-primary.slack.com)"))
	case socketmode.EventTypeDisconnect:
		log.InfoContext(ctx, "Socket Mode connection closed by Slack; reconnecting")
	}
}

func connectionAdvice(err error) string {
	var slackErr slack.SlackErrorResponse
	if errors.As(err, &slackErr) {
		switch slackErr.Err {
		case "not_allowed_token_type":
			return "SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot or user token; " + AppTokenAdvice
		case "missing_scope":
			return "the app-level token lacks connections:write; " + AppTokenAdvice
		}
	}
	return "check that this machine reaches Slack (SLACK_API_URL and wss://wss-primary.slack.com); slack-go retries with backoff"
}
