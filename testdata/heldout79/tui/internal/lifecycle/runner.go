// Package lifecycle applies bucket expiration rules to existing objects. New
// objects get their KV expiration at write time; this runner handles objects
// written before a rule existed.
package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"tui/internal/buckets"
	"tui/internal/kvstore"
	"tui/internal/objects"
)

const statusKey = "lifecycle/status"

// Runner walks one bucket per call, a bounded number of pages at a time.
type Runner struct {
	KV       *kvstore.Store
	Buckets  *buckets.Service
	Log      *slog.Logger
	MaxPages int
}

type state struct {
	Cursor string    `json:"cursor"`
	Run    time.Time `json:"run"`
}

func stateKey(bucket string) string { return "lifecycle/state/" + bucket }

// RunBucket expires objects whose rule age has passed and stamps the rest.
func (r *Runner) RunBucket(ctx context.Context, bucket string) error {
	cfg, err := r.Buckets.Lifecycle(ctx, bucket)
	if err != nil || len(cfg.Rules) == 0 {
		return err
	}
	var st state
	if raw, err := r.KV.Get(ctx, stateKey(bucket)); err == nil {
		_ = json.Unmarshal(raw, &st)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	base := objects.BodyKey(bucket, "")
	now := time.Now()
	cursor := st.Cursor
	for range max(r.MaxPages, 1) {
		var page kvstore.Page
		if cursor == "" {
			page, err = r.KV.ListPage(ctx, base, "", 1000)
		} else {
			page, err = r.KV.ListPage(ctx, "", cursor, 1000) // EXPECT kvlist
		}
		if err != nil {
			return err
		}
		var expired []string
		for _, e := range page.Entries {
			name := strings.TrimPrefix(e.Name, base)
			mtime, _ := e.Meta["mtime"].(float64)
			at := buckets.ObjectExpiry(cfg, name, time.Unix(int64(mtime), 0))
			switch {
			case at.IsZero():
			case at.Before(now):
				expired = append(expired, e.Name, objects.HeadKey(bucket, name))
			case e.Expiration.IsZero():
				if err := r.stamp(ctx, e.Name, at); err != nil {
					r.Log.Warn("lifecycle stamp", "key", e.Name, "err", err)
				}
			}
		}
		if len(expired) > 0 {
			if err := r.KV.BulkDelete(ctx, expired); err != nil {
				return err
			}
			msg, _ := json.Marshal(map[string]any{"bucket": bucket, "expired": len(expired) / 2, "at": now.Unix()})
			if err := r.KV.Put(ctx, statusKey, msg, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		cursor = page.Cursor
		if cursor == "" {
			break
		}
	}
	raw, _ := json.Marshal(state{Cursor: cursor, Run: now})
	return r.KV.Put(ctx, stateKey(bucket), raw, kvstore.PutOptions{TTL: 30 * 24 * time.Hour})
}

// stamp rewrites an object body with the absolute expiration its rule implies.
func (r *Runner) stamp(ctx context.Context, key string, at time.Time) error {
	body, err := r.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	meta, err := r.KV.Meta(ctx, key)
	if err != nil {
		return err
	}
	_, err = r.KV.Client().KV.Namespaces.Values.Update(ctx, r.KV.Namespace(), key, kv.NamespaceValueUpdateParams{ // DEBATABLE kvrace
		AccountID:  cloudflare.F(r.KV.AccountID()),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		Expiration: cloudflare.F(float64(at.UnixMilli())), // EXPECT kvttl
		Metadata:   cloudflare.F[any](meta),
	})
	return err
}
