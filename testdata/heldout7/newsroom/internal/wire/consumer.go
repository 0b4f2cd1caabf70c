// Package wire ingests agency copy delivered on the WIRE queue.
package wire

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/newsroom/internal/kvutil"
	"example.com/newsroom/internal/repo"
	"example.com/newsroom/internal/store"
)

// Story is an agency item as delivered on the queue.
type Story struct {
	ID       string    `json:"id"`
	Agency   string    `json:"agency"`
	Version  int       `json:"version"`
	Headline string    `json:"headline"`
	Body     string    `json:"body_html"`
	Urgency  int       `json:"urgency"`
	Embargo  time.Time `json:"embargoed,omitempty"`
	Keywords []string  `json:"keywords"`
}

// Consumer writes wire copy where the desk tools can see it.
type Consumer struct {
	raw     *kv.Namespace
	stories *repo.Repo[Story]
	st      store.Store
	log     *slog.Logger
}

// NewConsumer returns a consumer. raw is the WIRE namespace; st is the
// content store behind the desk tools.
func NewConsumer(raw *kv.Namespace, st store.Store, log *slog.Logger) *Consumer {
	return &Consumer{
		raw:     raw,
		stories: repo.New[Story](st, "wire-story:", repo.WithTTL(7*24*time.Hour)),
		st:      st,
		log:     log,
	}
}

// Handle is the queue consumer.
func (c *Consumer) Handle(batch *queues.MessageBatch) error {
	ctx := context.Background()
	for _, m := range batch.Messages {
		body, err := m.StringBody()
		if err != nil {
			c.log.Error("wire message is not text", "id", m.ID, "err", err)
			m.Ack()
			continue
		}
		var s Story
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			c.log.Error("bad wire payload", "id", m.ID, "err", err)
			m.Ack()
			continue
		}
		if err := c.ingest(ctx, s, body); err != nil {
			c.log.Warn("ingest failed, retrying", "story", s.ID, "err", err)
			m.Retry(queues.WithRetryDelay(30 * time.Second))
			continue
		}
		if err := c.raw.PutString("wire:last-ingested", s.Agency+"/"+s.ID, nil); err != nil { // EXPECT kvhotkey
			c.log.Warn("could not update ingest marker", "err", err)
		}
		m.Ack()
	}
	return nil
}

func (c *Consumer) ingest(ctx context.Context, s Story, body string) error {
	id := s.Agency + ":" + s.ID
	if err := c.stories.Save(ctx, id, s); err != nil {
		return err
	}
	// Keep the untouched agency payload for three days for corrections.
	if err := c.raw.PutString("wire:raw:"+id+":v"+fmt.Sprint(s.Version), body, &kv.PutOptions{
		Expiration: int(time.Now().Add(72 * time.Hour).UnixMilli()), // EXPECT kvttl
	}); err != nil {
		return err
	}
	if !s.Embargo.IsZero() {
		hold := max(time.Until(s.Embargo), time.Minute)
		if err := c.st.Put(ctx, "wire-embargo:"+id, []byte(s.Embargo.Format(time.RFC3339)), store.WithTTL(hold)); err != nil {
			return err
		}
	}
	if s.Urgency == 1 {
		// Flash items go straight to the desk alert strip.
		if err := kvutil.PutCached(c.raw, "wire:flash:"+id, s.Headline, 20*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// SnapshotFeed pulls the regional feed once and caches the raw response for
// the desk's "what's on the wire" page.
func (c *Consumer) SnapshotFeed(ctx context.Context, client *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, regionalFeedURL, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("feed: %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	return c.raw.PutString(feedSnapshotKey, string(b), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvlimits
}
