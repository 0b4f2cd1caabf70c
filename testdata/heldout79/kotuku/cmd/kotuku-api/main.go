// Command kotuku-api serves the marketplace listing and search API.
package main

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/kotuku-market/kotuku/internal/app"
	"github.com/kotuku-market/kotuku/internal/kvstore"
)

type smtpMailer struct{ from string }

func (m smtpMailer) Send(ctx context.Context, to, subject, body string) error {
	log.Printf("mail from=%s to=%s subject=%q (%d bytes)", m.from, to, subject, len(body))
	return nil
}

// sqlIDs allocates listing IDs from a sequence table in the primary database.
type sqlIDs struct{ db *sql.DB }

func (s sqlIDs) Next(ctx context.Context) (uint64, error) {
	var id uint64
	err := s.db.QueryRowContext(ctx, `UPDATE listing_seq SET n = n + 1 RETURNING n`).Scan(&id)
	return id, err
}

func main() {
	corpus, _ := strconv.Atoi(os.Getenv("KOTUKU_CORPUS_SIZE"))
	settings := app.Settings{
		KV: kvstore.Config{
			APIToken:    os.Getenv("CLOUDFLARE_API_TOKEN"),
			AccountID:   os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
			NamespaceID: os.Getenv("KOTUKU_KV_NAMESPACE"),
		},
		CorpusSize: corpus,
	}
	db, err := sql.Open(os.Getenv("KOTUKU_DB_DRIVER"), os.Getenv("KOTUKU_DB_DSN"))
	if err != nil {
		log.Fatal(err)
	}
	srv, err := app.InitializeServer(settings, smtpMailer{from: "alerts@kotuku.example"}, sqlIDs{db})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hs := &http.Server{Addr: ":8080", Handler: srv.Routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
