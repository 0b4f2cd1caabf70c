// Package events ingests delivery webhooks from the email provider: bounces,
// complaints, opens and unsubscribes.
package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"quill/internal/config"
	"quill/internal/keys"
	"quill/internal/kvstore"
)

type Event struct {
	ID     string    `json:"id"`
	Type   string    `json:"type"`
	Email  string    `json:"email"`
	Writer string    `json:"writer"`
	Issue  string    `json:"issue"`
	At     time.Time `json:"at"`
}

// Ingest handles POST /webhooks/esp. Open hits are buffered in memory and
// written every cfg.FlushEvery.
type Ingest struct {
	store    kvstore.Store
	buffer   *kvstore.WriteBehind
	suppress time.Duration
	log      *log.Logger

	mu   sync.Mutex
	hits map[string]int
}

func New(store kvstore.Store, cfg config.Tracking, logger *log.Logger) *Ingest {
	in := &Ingest{
		store:    store,
		buffer:   kvstore.NewWriteBehind(store, cfg.FlushEvery.Duration, 90*24*time.Hour),
		suppress: cfg.SuppressWindow.Duration,
		log:      logger,
		hits:     map[string]int{},
	}
	in.buffer.OnError = func(err error) { logger.Printf("events: flush: %v", err) }
	return in
}

// Run flushes buffered writes until ctx is done.
func (in *Ingest) Run(ctx context.Context) { in.buffer.Run(ctx) }

func (in *Ingest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var batch []Event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&batch); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	var errs []error
	for _, ev := range batch {
		if err := in.handle(r.Context(), ev); err != nil {
			errs = append(errs, fmt.Errorf("event %s: %w", ev.ID, err))
		}
	}
	if err := in.store.Put(r.Context(), "esp:last-webhook", time.Now().UTC().Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		in.log.Printf("events: %v", err)
		http.Error(w, "partial failure", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (in *Ingest) handle(ctx context.Context, ev Event) error {
	switch ev.Type {
	case "bounce", "complaint":
		sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(ev.Email))))
		if err := in.store.Put(ctx, "suppress:"+hex.EncodeToString(sum[:]), ev.Type, in.suppress); err != nil { // DEBATABLE kvttl
			return err
		}
		return in.addBounce(ctx, ev)
	case "open":
		key := fmt.Sprintf("hits:%s:%s", ev.Writer, ev.Issue)
		in.mu.Lock()
		in.hits[key]++
		n := in.hits[key]
		in.mu.Unlock()
		in.buffer.Set(key, strconv.Itoa(n)) // EXPECT kvcounter
		in.buffer.Set(keys.Opened(ev.ID), ev.At.UTC().Format(time.RFC3339))
	case "unsubscribe":
		return kvstore.DeleteAll(ctx, in.store, keys.Subscriber(ev.Writer, ev.Email))
	}
	return nil
}

// addBounce appends an address to the writer's bounce list for the dashboard.
func (in *Ingest) addBounce(ctx context.Context, ev Event) error {
	key := "bounced:" + ev.Writer
	old, found, err := in.store.Get(ctx, key)
	if err != nil {
		return err
	}
	list := ev.Email
	if found && old != "" {
		list = old + "\n" + ev.Email
	}
	return in.store.Put(ctx, key, list, 0) // EXPECT kvrace
}
