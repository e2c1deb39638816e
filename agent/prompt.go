package agent

import (
	"context"
	"fmt"

	"github.com/tiktoken-go/tokenizer"
	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/prompts"
	"github.com/analytics-bot/analytics-bot/schema"
)

// Roles of a PromptMessage, as the Chat Completions API names them.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Prompt is exactly what the model receives on a question's first turn,
// and what went into it. The agent sends Messages; `analytics-bot prompt`
// prints the whole struct.
type Prompt struct {
	// Messages are the messages in order: the stable system prompt with
	// the schema, the per-question context, the retrieved knowledge (when
	// there is any), the thread's earlier turns and the question.
	Messages []PromptMessage `json:"messages"`
	// Tokens is the whole prompt's size once CountTokens has run.
	Tokens int `json:"tokens"`
	// Tables says which tables the schema part holds in full and which
	// by name only.
	Tables []schema.SummaryTable `json:"tables"`
	// Verified are the verified queries retrieved for the question.
	Verified []VerifiedMatch `json:"verified"`
	// Glossary are the business terms retrieved for the question.
	Glossary []GlossaryMatch `json:"glossary"`
	// DataRole is the PostgreSQL role the question's SQL would run as.
	DataRole string `json:"data_role,omitempty"`
}

// PromptMessage is one message of a Prompt.
type PromptMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	// Tokens is the message's size once CountTokens has run.
	Tokens int `json:"tokens"`
}

// VerifiedMatch is a verified query retrieved for a question.
type VerifiedMatch struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// GlossaryMatch is a glossary term retrieved for a question.
type GlossaryMatch struct {
	Term string `json:"term"`
}

// Prompt builds the messages of a question's first turn, as Run sends
// them. The stable part (rules, then the schema summary chosen for the
// question) comes first so that the provider's prompt cache can reuse it;
// the date, the asker, the team knowledge retrieved for the question and
// the thread's earlier turns follow.
func (a *Agent) Prompt(ctx context.Context, question string, conv history.Conversation) (*Prompt, error) {
	earlier, err := a.earlier(ctx, conv)
	if err != nil {
		return nil, err
	}
	return a.prompt(ctx, question, conv, earlier)
}

func (a *Agent) prompt(ctx context.Context, question string, conv history.Conversation, earlier []history.Entry) (*Prompt, error) {
	summary, err := a.opts.Catalog.Summary(ctx, question)
	if err != nil {
		return nil, fmt.Errorf("schema for the system prompt: %w", err)
	}
	system, err := a.opts.Prompts.System(prompts.SystemData{BotName: a.opts.BotName, Schema: summary.Text})
	if err != nil {
		return nil, err
	}
	know, err := a.KnowledgePrompt(ctx, question, earlier)
	if err != nil {
		return nil, err
	}
	now := a.opts.Now().UTC()
	contextText, err := a.opts.Prompts.Context(prompts.ContextData{
		Today: now.Format("2006-01-02"), Weekday: now.Weekday().String(),
		Asker: asker(conv), Place: place(conv), HistoryCount: len(earlier),
	})
	if err != nil {
		return nil, err
	}
	p := &Prompt{
		DataRole: a.opts.DataRole,
		Messages: []PromptMessage{{Role: RoleSystem, Content: system}, {Role: RoleSystem, Content: contextText}},
		Tables:   summary.Tables, Verified: []VerifiedMatch{}, Glossary: []GlossaryMatch{},
	}
	if p.Tables == nil {
		p.Tables = []schema.SummaryTable{}
	}
	if know.Text != "" {
		p.Messages = append(p.Messages, PromptMessage{Role: RoleSystem, Content: know.Text})
	}
	for _, m := range know.Verified {
		p.Verified = append(p.Verified, VerifiedMatch{ID: m.ID, Score: m.Score})
	}
	for _, t := range know.Terms {
		p.Glossary = append(p.Glossary, GlossaryMatch{Term: t.Term})
	}
	for _, e := range earlier {
		answer := e.Answer
		if answer == "" {
			answer = fmt.Sprintf("(no answer: %s)", e.Status)
		}
		text, err := a.opts.Prompts.HistoryAnswer(prompts.HistoryAnswerData{Answer: answer, SQL: e.SQL, RowCount: e.RowCount})
		if err != nil {
			return nil, err
		}
		p.Messages = append(p.Messages, PromptMessage{Role: RoleUser, Content: e.Question}, PromptMessage{Role: RoleAssistant, Content: text})
	}
	p.Messages = append(p.Messages, PromptMessage{Role: RoleUser, Content: question})
	return p, nil
}

// llmMessages converts the messages for langchaingo.
func (p *Prompt) llmMessages() []llms.MessageContent {
	roles := map[string]llms.ChatMessageType{
		RoleSystem: llms.ChatMessageTypeSystem, RoleUser: llms.ChatMessageTypeHuman, RoleAssistant: llms.ChatMessageTypeAI,
	}
	msgs := make([]llms.MessageContent, len(p.Messages))
	for i, m := range p.Messages {
		msgs[i] = llms.TextParts(roles[m.Role], m.Content)
	}
	return msgs
}

// Tokens every Chat Completions message costs beyond its content, and
// the reply's priming, as OpenAI counts them.
const (
	tokensPerMessage = 3
	tokensPerReply   = 3
)

// CountTokens fills in the token counts with o200k_base, the encoding of
// the gpt-4o, gpt-4.1 and o-series models.
func (p *Prompt) CountTokens() error {
	codec, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		return fmt.Errorf("count tokens: %w", err)
	}
	p.Tokens = tokensPerReply
	for i := range p.Messages {
		n, err := codec.Count(p.Messages[i].Content)
		if err != nil {
			return fmt.Errorf("count tokens: %w", err)
		}
		p.Messages[i].Tokens = n
		p.Tokens += n + tokensPerMessage
	}
	return nil
}
