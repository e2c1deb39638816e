package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/slack-go/slack"
)

const floorTable = `CREATE TABLE IF NOT EXISTS ackload_delivery (event_id text PRIMARY KEY, body jsonb NOT NULL)`

const floorInsert = `INSERT INTO ackload_delivery (event_id, body) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING`

// runFloor serves the floor until ctx ends: what any Slack endpoint must
// at least do before it answers 200.
func runFloor(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	port := fs.Int("port", 0, "port to listen on (0: any; the address is printed)")
	dsn := fs.String("dsn", "", "PostgreSQL connection string")
	secret := fs.String("secret", "", "Slack signing secret")
	maxConns := fs.Int("max-conns", 20, "pool size (serve uses 20)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pcfg, err := pgxpool.ParseConfig(*dsn)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	pcfg.MaxConns = int32(*maxConns)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, floorTable); err != nil {
		return fmt.Errorf("floor: create table: %w", err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		v, err := slack.NewSecretsVerifier(r.Header, *secret)
		if err == nil {
			_, _ = v.Write(body)
			err = v.Ensure()
		}
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev struct {
			Type      string `json:"type"`
			Challenge string `json:"challenge"`
			EventID   string `json:"event_id"`
		}
		if json.Unmarshal(body, &ev) != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		if ev.Type == "url_verification" {
			_, _ = io.WriteString(w, ev.Challenge)
			return
		}
		if _, err := pool.Exec(r.Context(), floorInsert, ev.EventID, body); err != nil {
			http.Error(w, "store", http.StatusServiceUnavailable)
			return
		}
	})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
