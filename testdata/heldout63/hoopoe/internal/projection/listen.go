package projection

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
	"github.com/hoopoefm/hoopoe/internal/metrics"
)

// Listener applies Postgres notifications to KV.
type Listener struct {
	DB      *pgxpool.Pool
	KV      *kvrest.Store
	Metrics *metrics.Collectors
}

var channels = []string{"episode_published", "session_revoked", "catalog_changed", "episode_embargo", "feed_rendered"}

type publishedPayload struct {
	ShowID    string    `json:"show_id"`
	EpisodeID string    `json:"episode_id"`
	Title     string    `json:"title"`
	At        time.Time `json:"at"`
}

type embargoPayload struct {
	EpisodeID string    `json:"episode_id"`
	Until     time.Time `json:"until"`
	Reason    string    `json:"reason"`
}

type renderedPayload struct {
	ShowID  string    `json:"show_id"`
	R2Key   string    `json:"r2_key"`
	StaleAt time.Time `json:"stale_at"`
}

// Run listens until ctx ends.
func (l *Listener) Run(ctx context.Context) error {
	conn, err := l.DB.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return err
		}
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		l.Metrics.Notifications.WithLabelValues(n.Channel).Inc()
		if err := l.handle(ctx, n); err != nil {
			log.Printf("listen %s: %v", n.Channel, err)
		}
	}
}

func (l *Listener) handle(ctx context.Context, n *pgconn.Notification) error {
	switch n.Channel {
	case "episode_published":
		var p publishedPayload
		if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
			return err
		}
		return l.prependLatest(ctx, p)
	case "session_revoked":
		return l.KV.Delete(ctx, "sess:"+n.Payload) // EXPECT kvsession
	case "catalog_changed":
		return l.KV.Put(ctx, "catalog:version", []byte(n.Payload)) // EXPECT kvhotkey
	case "episode_embargo":
		var p embargoPayload
		if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
			return err
		}
		body, _ := json.Marshal(p)
		return l.KV.PutTTL(ctx, "embargo:"+p.EpisodeID, body, time.Until(p.Until)) // EXPECT kvttl
	case "feed_rendered":
		var p renderedPayload
		if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
			return err
		}
		ttl := max(time.Until(p.StaleAt), 5*time.Minute)
		return l.KV.PutTTL(ctx, "feed:"+p.ShowID+":xml", []byte(p.R2Key), ttl)
	}
	return fmt.Errorf("unexpected channel %q", n.Channel)
}

const latestLen = 20

func (l *Listener) prependLatest(ctx context.Context, p publishedPayload) error {
	key := "show:" + p.ShowID + ":latest"
	var latest []publishedPayload
	raw, err := l.KV.Get(ctx, key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &latest); err != nil {
			return err
		}
	}
	latest = append([]publishedPayload{p}, latest...)
	if len(latest) > latestLen {
		latest = latest[:latestLen]
	}
	body, _ := json.Marshal(latest)
	return l.KV.Put(ctx, key, body) // EXPECT kvrace
}
