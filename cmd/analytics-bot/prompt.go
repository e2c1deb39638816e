package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/schema"
)

func runPrompt(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "prompt", `prompt "QUESTION" [--json] [--thread ID]

Prints exactly the messages the model would receive for the question (the
system prompt with the schema chosen for it, the context, the thread's earlier
turns) with their o200k_base token counts, without calling the model.`)
	asJSON := fs.Bool("json", false, "print one JSON object: messages, tokens, tables, verified, glossary")
	thread := fs.String("thread", "", "include the earlier turns of this conversation (as printed by ask)")
	channel := fs.String("channel", "", "with ACCESS_FILE: the Slack channel (C…, or D… for a direct message) the question is asked in")
	user := fs.String("user", "", "with ACCESS_FILE: the Slack user (U…) who asks")
	positional, helped, err := parseInterspersed(fs, e, args)
	if helped || err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(positional, " "))
	if question == "" {
		return fmt.Errorf("%w: prompt needs a question, for example: analytics-bot prompt \"what was DAU by platform last week?\"", errUsage)
	}
	cfg, log, err := loadConfig(ctx, e, config.NeedDatabase)
	if err != nil {
		return err
	}
	if (*channel != "" || *user != "") && cfg.AccessFile == "" {
		return &config.Error{Variable: "ACCESS_FILE", Problem: "is not set: --channel and --user choose a data role from the access file"}
	}
	var groups *slack.Client
	if cfg.SlackBotToken != "" {
		groups = slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL))
	}
	s, err := newStack(ctx, cfg, log, stackOptions{slack: groups})
	if err != nil {
		return err
	}
	defer s.Close()

	conv := history.Conversation{TeamID: "cli", ChannelID: "cli", ThreadTS: *thread, UserID: userName(e)}
	if *channel != "" {
		conv.ChannelID = *channel
	}
	if *user != "" {
		conv.UserID = *user
	}
	ag := s.agent
	if s.roles != nil {
		sc, err := s.roles.Scope(ctx, conv)
		if err != nil {
			return err
		}
		if !sc.Allowed {
			return fmt.Errorf("user %s may not see what channel %s's data role %s reads: the bot would answer with a note suggesting a direct message", conv.UserID, conv.ChannelID, sc.Role)
		}
		rs, err := s.roles.scope(ctx, sc.Role)
		if err != nil {
			return err
		}
		ag = rs.agent
	}
	p, err := ag.Prompt(ctx, question, conv)
	if err != nil {
		return fmt.Errorf("build the prompt: %w", err)
	}
	if err := p.CountTokens(); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(p); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		return nil
	}
	printPrompt(e.stdout, p)
	return nil
}

func printPrompt(w io.Writer, p *agent.Prompt) {
	for i, m := range p.Messages {
		fmt.Fprintf(w, "── message %d: %s, %d tokens ──\n%s\n\n", i+1, m.Role, m.Tokens, m.Content)
	}
	full, named := 0, 0
	for _, t := range p.Tables {
		if t.Detail == schema.DetailFull {
			full++
		} else {
			named++
		}
	}
	fmt.Fprintf(w, "schema: %d table(s) in full, %d by name only\n", full, named)
	fmt.Fprintf(w, "retrieved: %d verified quer(ies), %d glossary term(s)\n", len(p.Verified), len(p.Glossary))
	if p.DataRole != "" {
		fmt.Fprintf(w, "data role: %s\n", p.DataRole)
	}
	fmt.Fprintf(w, "total: %d tokens (o200k_base, with %d messages' overhead)\n", p.Tokens, len(p.Messages))
}
