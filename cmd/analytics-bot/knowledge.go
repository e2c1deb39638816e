package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/knowledge"
	"github.com/analytics-bot/analytics-bot/readonly"
)

func runKnowledge(ctx context.Context, e env, args []string) error {
	const synopsis = `knowledge check | export [--out FILE]

check   validates KNOWLEDGE_DIR (or the built-in knowledge): YAML, keys, ids,
        and every verified query prepared as the read-only role; exits
        non-zero naming each broken entry (file, line, id).
export  writes every approved verified query (the files' and those approved
        in Slack) as YAML in verified.yaml's format, for a pull request.`
	fs := newFlagSet(e, "knowledge", synopsis)
	out := fs.String("out", "", "export: write to this file instead of standard output")
	positional, helped, err := parseInterspersed(fs, e, args)
	if helped || err != nil {
		return err
	}
	if len(positional) != 1 || (positional[0] != "check" && positional[0] != "export") {
		return fmt.Errorf("%w: knowledge needs one of: check, export", errUsage)
	}
	cfg, log, err := loadConfig(ctx, e, config.NeedDatabase)
	if err != nil {
		return err
	}
	if err := knowledgeDirUsable(cfg.KnowledgeDir); err != nil {
		return err
	}
	owner, err := openOwnerPool(ctx, cfg, 4)
	if err != nil {
		return err
	}
	defer owner.Close()
	ro, err := openReadonlyPool(ctx, cfg, owner, 4, readonly.ConfigurePool)
	if err != nil {
		return err
	}
	defer ro.Close()
	db := readonly.New(ro, readonly.Options{Timeout: cfg.QueryTimeout, MaxRows: cfg.MaxResultRows, Logger: log})

	if positional[0] == "check" {
		return checkKnowledge(ctx, e.stdout, cfg.KnowledgeDir, db)
	}
	store, err := knowledge.NewStore(ctx, owner)
	if err != nil {
		return err
	}
	loader := &knowledge.Loader{Dir: cfg.KnowledgeDir, DB: db, Store: store, Logger: log}
	if _, err := loader.Load(ctx); err != nil {
		return err
	}
	approved, err := store.Approved(ctx)
	if err != nil {
		return err
	}
	var w io.Writer = e.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("knowledge export: %w", err)
		}
		defer f.Close()
		w = f
	}
	if err := knowledge.WriteVerified(w, approved); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(e.stderr, "wrote %d verified queries to %s\n", len(approved), *out)
	}
	return nil
}

// checkKnowledge prints every broken entry and fails when there is one.
func checkKnowledge(ctx context.Context, w io.Writer, dir string, db knowledge.Preparer) error {
	set, problems, err := knowledge.Load(dir)
	if err != nil {
		return err
	}
	good, broken, err := knowledge.Verify(ctx, set, db)
	if err != nil {
		return err
	}
	problems = append(problems, broken...)
	for _, p := range problems {
		fmt.Fprintln(w, p.String())
	}
	fmt.Fprintf(w, "%s: %d verified queries and %d glossary terms are sound, %d broken\n",
		set.Source, len(good.Verified), len(good.Terms), len(problems))
	if len(problems) > 0 {
		return fmt.Errorf("knowledge check: %d broken entr%s in %s", len(problems), plural(len(problems), "y", "ies"), set.Source)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// knowledgeDirUsable reports a KNOWLEDGE_DIR that is not a folder as a
// configuration error naming the variable; "" (the built-in knowledge)
// is always usable.
func knowledgeDirUsable(dir string) error {
	if dir == "" {
		return nil
	}
	info, err := os.Stat(dir)
	problem := ""
	switch {
	case errors.Is(err, fs.ErrNotExist):
		problem = "no such folder"
	case err != nil:
		problem = err.Error()
	case !info.IsDir():
		problem = "a file, not a folder"
	default:
		return nil
	}
	return &config.Error{Variable: "KNOWLEDGE_DIR", Problem: fmt.Sprintf(
		"is %q, which is not a usable knowledge folder (%s); point it at a folder with verified.yaml and glossary.yaml, or unset it to use the built-in knowledge", dir, problem)}
}
