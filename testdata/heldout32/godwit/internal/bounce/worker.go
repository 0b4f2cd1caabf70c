// Package bounce processes bounce and complaint notifications from the
// sending provider. It predates the kvstore adapter and talks to KV through
// the v0 cloudflare-go client.
package bounce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"godwit/internal/keys"
	"godwit/internal/pipeline"
	"godwit/internal/subscribers"
)

// Notification is one bounce or complaint.
type Notification struct {
	MessageID  string    `json:"message_id"`
	Account    string    `json:"account"`
	Email      string    `json:"email"`
	Kind       string    `json:"kind"` // hard, soft, complaint
	Diagnostic string    `json:"diagnostic"`
	At         time.Time `json:"at"`
}

// Config configures a Worker.
type Config struct {
	AccountID   string
	NamespaceID string
	Workers     int
	SoftLimit   int           // soft bounces before an address is suppressed for a while
	FlushEvery  time.Duration // how often queued suppressions are written
	StatusEvery time.Duration
	Name        string
}

const (
	checkpointKey   = "bounce/checkpoint"
	statusKey       = "status/bounce-worker"
	softSuppressTTL = 30 * 24 * time.Hour
	statusLease     = 40 * time.Second
	flushAt         = 500
)

// Worker consumes batches of notifications.
type Worker struct {
	api  *cloudflare.API
	rc   *cloudflare.ResourceContainer
	cfg  Config
	subs *subscribers.Service
	log  *slog.Logger

	mu      sync.Mutex
	pending []*cloudflare.WorkersKVPair
}

// NewWorker returns a Worker.
func NewWorker(api *cloudflare.API, cfg Config, subs *subscribers.Service, log *slog.Logger) *Worker {
	return &Worker{api: api, rc: cloudflare.AccountIdentifier(cfg.AccountID), cfg: cfg, subs: subs, log: log}
}

// Run processes batches until in is closed, then writes what is queued.
func (w *Worker) Run(ctx context.Context, in <-chan []Notification) error {
	g, gctx := pipeline.WithContext(ctx)
	done := make(chan struct{})
	g.Go(func() error {
		defer close(done)
		return pipeline.Pool(gctx, w.cfg.Workers, in, w.handleBatch)
	})
	g.Go(func() error { return w.flushLoop(gctx, done) })
	g.Go(func() error { return w.statusLoop(gctx, done) })
	return g.Wait()
}

func (w *Worker) handleBatch(ctx context.Context, batch []Notification) error {
	for _, n := range batch {
		if err := w.handle(ctx, n); err != nil {
			w.log.Warn("bounce", "message", n.MessageID, "err", err)
		}
		_, err := w.api.WriteWorkersKVEntry(ctx, w.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: w.cfg.NamespaceID,
			Key:         checkpointKey,
			Value:       []byte(n.MessageID),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *Worker) handle(ctx context.Context, n Notification) error {
	if err := w.appendLog(ctx, n); err != nil {
		return err
	}
	switch n.Kind {
	case "hard":
		w.suppress(n, 0)
		return w.subs.SetStatus(ctx, n.Account, n.Email, subscribers.Bounced)
	case "complaint":
		w.suppress(n, 0)
		return w.subs.SetStatus(ctx, n.Account, n.Email, subscribers.Complained)
	case "soft":
		return w.softBounce(ctx, n)
	default:
		return fmt.Errorf("unknown bounce kind %q", n.Kind)
	}
}

// suppress queues a suppression record for the next bulk write.
func (w *Worker) suppress(n Notification, ttlSeconds int) {
	pair := &cloudflare.WorkersKVPair{
		Key:           "acct/" + n.Account + "/" + keys.Build(keys.Suppression, subscribers.EmailHash(n.Email)),
		Value:         `{"reason":"` + n.Kind + `"}`,
		ExpirationTTL: ttlSeconds,
		Metadata:      map[string]string{"reason": n.Kind},
	}
	w.mu.Lock()
	w.pending = append(w.pending, pair)
	w.mu.Unlock()
}

func (w *Worker) softBounce(ctx context.Context, n Notification) error {
	key := keys.Build(keys.BounceCount, subscribers.EmailHash(n.Email))
	raw, err := w.api.GetWorkersKV(ctx, w.rc, cloudflare.GetWorkersKVParams{NamespaceID: w.cfg.NamespaceID, Key: key}) // EXPECT kvnull
	if err != nil {
		return fmt.Errorf("bounce count %s: %w", key, err)
	}
	count := int64(0)
	if len(raw) > 0 {
		if count, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	}
	count++
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         strconv.FormatInt(count, 10),
		ExpirationTTL: int(keys.TTL(keys.BounceCount).Seconds()),
	}
	_, err = w.api.WriteWorkersKVEntries(ctx, w.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: w.cfg.NamespaceID, KVs: []*cloudflare.WorkersKVPair{pair}}) // EXPECT kvcounter
	if err != nil {
		return err
	}
	if count >= int64(w.cfg.SoftLimit) {
		w.suppress(n, int(softSuppressTTL)) // EXPECT kvttl
	}
	return nil
}

// appendLog keeps a short per-address history for the support team.
func (w *Worker) appendLog(ctx context.Context, n Notification) error {
	key := keys.Build(keys.BounceLog, subscribers.EmailHash(n.Email))
	old, err := w.api.GetWorkersKV(ctx, w.rc, cloudflare.GetWorkersKVParams{NamespaceID: w.cfg.NamespaceID, Key: key})
	var nf *cloudflare.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	line := fmt.Sprintf("%s %s %s\n", n.At.UTC().Format(time.RFC3339), n.Kind, n.Diagnostic)
	_, err = w.api.WriteWorkersKVEntry(ctx, w.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: w.cfg.NamespaceID, Key: key, Value: []byte(string(old) + line)}) // EXPECT kvrace
	return err
}

func (w *Worker) flushLoop(ctx context.Context, done <-chan struct{}) error {
	t := time.NewTicker(w.cfg.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return w.flush(context.WithoutCancel(ctx))
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := w.flush(ctx); err != nil {
				w.log.Warn("bounce flush", "err", err)
			}
		}
	}
}

// flush writes queued suppressions with one bulk request per flushAt pairs.
func (w *Worker) flush(ctx context.Context) error {
	w.mu.Lock()
	queued := w.pending
	w.pending = nil
	w.mu.Unlock()
	for len(queued) > 0 {
		n := min(len(queued), flushAt)
		_, err := w.api.WriteWorkersKVEntries(ctx, w.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: w.cfg.NamespaceID,
			KVs:         queued[:n],
		})
		if err != nil {
			w.mu.Lock()
			w.pending = append(w.pending, queued...)
			w.mu.Unlock()
			return err
		}
		queued = queued[n:]
	}
	return nil
}

// statusLoop publishes a liveness record that disappears shortly after the
// worker stops.
func (w *Worker) statusLoop(ctx context.Context, done <-chan struct{}) error {
	t := time.NewTicker(w.cfg.StatusEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			pair := &cloudflare.WorkersKVPair{
				Key:        statusKey,
				Value:      w.cfg.Name + " " + now.UTC().Format(time.RFC3339),
				Expiration: int(time.Now().Add(statusLease).Unix()), // EXPECT kvttl
			}
			_, err := w.api.WriteWorkersKVEntries(ctx, w.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: w.cfg.NamespaceID, KVs: []*cloudflare.WorkersKVPair{pair}}) // DEBATABLE kvhotkey
			if err != nil {
				w.log.Warn("bounce status", "err", err)
			}
		}
	}
}

const maxReplayPages = 200

// Replay calls fn with the address hash of every bounce log, after a
// provider outage, so suppressions can be rebuilt from the warehouse.
func (w *Worker) Replay(ctx context.Context, fn func(ctx context.Context, hash string) error) error {
	prefix := keys.Prefix(keys.BounceLog)
	params := cloudflare.ListWorkersKVsParams{NamespaceID: w.cfg.NamespaceID, Prefix: prefix, Limit: 1000}
	for range maxReplayPages {
		resp, err := w.api.ListWorkersKVKeys(ctx, w.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			if err := fn(ctx, k.Name[len(prefix):]); err != nil {
				return err
			}
		}
		if resp.Cursor == "" {
			return nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: w.cfg.NamespaceID, Cursor: resp.Cursor, Limit: 1000}
	}
	return fmt.Errorf("replay: more than %d pages", maxReplayPages)
}
