package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

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
		if evt.Type == socketmode.EventTypeConnected {
			log.InfoContext(ctx, "connected to Slack in Socket Mode")
		}
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
