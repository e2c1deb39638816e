package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/eval"
	"github.com/analytics-bot/analytics-bot/evals"
)

func runEval(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "eval", `eval [--file F] [--prompts DIR]... [--knowledge DIR|none]... [--model M] [--concurrency N] [--json OUT]

Asks the golden questions through the agent, runs each reference query as the
read-only role, and prints accuracy (overall and by tag), tokens, cost, model
turns and latency, and for the team knowledge its retrieval recall@3 (golden
questions marked "verified: ID") and the tokens it adds. With --prompts or
--knowledge given twice or more, runs each on the same questions and prints
them side by side with the changes (for example --knowledge knowledge
--knowledge none: with and without). See evals/README.md.`)
	file := fs.String("file", "", "golden questions YAML (default: "+evals.GoldenPath+" when it exists here, else the copy built into the binary)")
	var promptDirs []string
	fs.Func("prompts", "prompt folder `DIR` to score; repeat to compare folders (default: PROMPTS_DIR, else the built-in prompts)", func(dir string) error {
		promptDirs = append(promptDirs, dir)
		return nil
	})
	var knowledgeDirs []string
	fs.Func("knowledge", "knowledge folder `DIR` to use, built-in, or none; repeat to compare (default: KNOWLEDGE_DIR, else the built-in knowledge)", func(dir string) error {
		knowledgeDirs = append(knowledgeDirs, dir)
		return nil
	})
	model := fs.String("model", "", "model to ask (default: AI_MODEL)")
	concurrency := fs.Int("concurrency", 4, "conversations asked at once (a thread's questions are always asked in order)")
	jsonOut := fs.String("json", "", "also write the full report as JSON to this file")
	if helped, err := parseFlags(fs, e, args); helped || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: eval takes no arguments, got %q (questions come from --file)", errUsage, fs.Arg(0))
	}
	if *concurrency < 1 {
		return fmt.Errorf("%w: eval: --concurrency must be at least 1", errUsage)
	}
	suite, err := loadGolden(*file)
	if err != nil {
		return err
	}
	cfg, log, err := loadConfig(ctx, e, config.NeedDatabase|config.NeedModel)
	if err != nil {
		return err
	}
	if len(promptDirs) == 0 {
		promptDirs = []string{""} // PROMPTS_DIR or the built-in prompts
	}
	if len(knowledgeDirs) == 0 {
		knowledgeDirs = []string{""} // KNOWLEDGE_DIR or the built-in knowledge
	}
	if len(promptDirs) > 1 && len(knowledgeDirs) > 1 {
		return fmt.Errorf("%w: eval compares either prompt folders or knowledge folders, not both at once", errUsage)
	}

	// Every stack is built before the first question, so that a broken
	// prompt folder fails before any money is spent.
	stacks := make([]*stack, 0, len(promptDirs))
	defer func() {
		for _, s := range stacks {
			s.Close()
		}
	}()
	labels := []string{}
	for _, dir := range promptDirs {
		for _, kdir := range knowledgeDirs {
			s, err := newStack(ctx, cfg, log, stackOptions{promptsDir: dir, knowledgeDir: kdir, model: *model, maxConns: int32(max(10, *concurrency+2))})
			if err != nil {
				return err
			}
			stacks = append(stacks, s)
			label := s.prompts.Source
			if len(knowledgeDirs) > 1 {
				label = "knowledge " + knowledgeLabel(kdir, cfg.KnowledgeDir)
			}
			labels = append(labels, label)
		}
	}

	runs := make([]*eval.Report, 0, len(stacks))
	var mu sync.Mutex
	for i, s := range stacks {
		prefix := ""
		if len(stacks) > 1 {
			prefix = labels[i] + " "
		}
		var retriever eval.Retriever
		if s.loader != nil {
			// Stacks share the database: load this one's knowledge again
			// in case another stack's replaced it.
			if _, err := s.loader.Load(ctx); err != nil {
				return err
			}
			retriever = s.agent
		}
		report, err := eval.Run(ctx, suite, s.agent, s.db, eval.Options{
			Label: labels[i], Model: s.agent.ModelName(), Concurrency: *concurrency, Retriever: retriever,
			OnResult: func(done, total int, r eval.Result) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(e.stderr, "eval: %s[%d/%d] %s %s\n", prefix, done, total, r.ID, r.Reason)
			},
		})
		if err != nil {
			return err
		}
		runs = append(runs, report)
	}

	if err := eval.Print(e.stdout, runs...); err != nil {
		return err
	}
	if *jsonOut != "" {
		if err := writeEvalJSON(*jsonOut, runs); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nFull report: %s\n", *jsonOut)
	}
	return nil
}

// knowledgeLabel names a --knowledge value in reports.
func knowledgeLabel(dir, configured string) string {
	switch {
	case dir == noKnowledge || dir == builtinKnowledge:
		return dir
	case dir != "":
		return dir
	case configured != "":
		return configured
	}
	return "built-in"
}

// loadGolden reads the golden questions: the given file, else the
// repository's file when run from its root, else the built-in copy.
func loadGolden(file string) (*eval.Suite, error) {
	if file != "" {
		return eval.Load(file)
	}
	if _, err := os.Stat(evals.GoldenPath); err == nil {
		return eval.Load(evals.GoldenPath)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("golden questions: %w", err)
	}
	return eval.Parse(evals.Golden, "built-in")
}

func writeEvalJSON(path string, runs []*eval.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write evaluation report: %w", err)
	}
	if err := eval.NewFile(runs...).WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write evaluation report: %w", err)
	}
	return nil
}
