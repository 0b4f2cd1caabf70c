package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/whinchat/fleet/internal/catalog"
	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/kvstore"
)

const summaryMaxPages = 20

// Summary is the fleet-wide overview on the operations dashboard.
type Summary struct {
	Devices    int       `json:"devices"`
	LowBattery int       `json:"low_battery"`
	Stale      int       `json:"stale"`
	Partial    bool      `json:"partial"`
	Generated  time.Time `json:"generated"`
}

// SummaryCache serves the last computed Summary and recomputes it in the
// background when it gets old. Requests never wait for a recompute unless
// there is nothing to serve yet.
type SummaryCache struct {
	latest kvstore.Space
	store  kvstore.Space
	maxAge time.Duration
	cur    atomic.Value // Summary
	busy   atomic.Bool
}

// NewSummaryCache returns a cache over the "latest" entries written by Ingest.
func NewSummaryCache(in *Ingest, root kvstore.Space, st config.Settings) *SummaryCache {
	return &SummaryCache{latest: in.latest, store: root.Scope("dash"), maxAge: st.SummaryRefresh}
}

// Get returns the current summary.
func (c *SummaryCache) Get(ctx context.Context) (Summary, error) {
	s, ok := c.cur.Load().(Summary)
	if !ok {
		return c.refresh(ctx)
	}
	if time.Since(s.Generated) > c.maxAge && c.busy.CompareAndSwap(false, true) {
		go func() {
			defer c.busy.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := c.refresh(ctx); err != nil {
				slog.Warn("summary refresh failed", "err", err)
			}
		}()
	}
	return s, nil
}

// refresh prefers a summary another replica stored recently and computes one
// otherwise.
func (c *SummaryCache) refresh(ctx context.Context) (Summary, error) {
	s, err := kvstore.Load[Summary](ctx, c.store, "summary")
	if err == nil && time.Since(s.Generated) < c.maxAge {
		c.cur.Store(s)
		return s, nil
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return Summary{}, err
	}
	s, err = c.compute(ctx)
	if err != nil {
		return Summary{}, err
	}
	body, err := json.Marshal(s)
	if err != nil {
		return Summary{}, err
	}
	if err := c.store.Remember(ctx, "summary", body, c.maxAge); err != nil {
		slog.WarnContext(ctx, "summary store failed", "err", err)
	}
	c.cur.Store(s)
	return s, nil
}

// compute walks the latest-sample listing, reading only key metadata.
func (c *SummaryCache) compute(ctx context.Context) (Summary, error) {
	s := Summary{Generated: time.Now().UTC()}
	cursor := ""
	for page := 0; page < summaryMaxPages; page++ {
		p, err := c.latest.List(ctx, cursor, catalog.KindTelemetry.Limit())
		if err != nil {
			return Summary{}, err
		}
		for _, k := range p.Keys {
			s.Devices++
			var m latestMeta
			if b, err := json.Marshal(k.Metadata); err == nil && json.Unmarshal(b, &m) == nil {
				if m.Battery < 0.15 {
					s.LowBattery++
				}
				if time.Since(time.Unix(m.At, 0)) > 15*time.Minute {
					s.Stale++
				}
			}
		}
		if p.Cursor == "" {
			return s, nil
		}
		cursor = p.Cursor
	}
	s.Partial = true
	return s, nil
}

// Thresholds are a tenant's alerting limits, owned by the alerting service.
type Thresholds struct {
	MinBattery float64 `json:"min_battery"`
	MaxTempC   float64 `json:"max_temp_c"`
}

// ThresholdSource reads thresholds from the alerting service, with a KV
// cache in front.
type ThresholdSource struct {
	load kvstore.LoaderFunc
}

// NewThresholdSource caches the alerting service's answers in KV.
func NewThresholdSource(root kvstore.Space, baseURL string, hc *http.Client) *ThresholdSource {
	origin := kvstore.LoaderFunc(func(ctx context.Context, tenant string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/v1/thresholds/"+tenant, nil)
		if err != nil {
			return nil, err
		}
		res, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("alerting: %s", res.Status)
		}
		return io.ReadAll(io.LimitReader(res.Body, 64<<10))
	})
	cache := root.Scope("alerting", "thresholds")
	return &ThresholdSource{load: origin.Through(cache, 20*time.Second)} // EXPECT kvttl
}

// For returns the tenant's thresholds.
func (t *ThresholdSource) For(ctx context.Context, tenant string) (Thresholds, error) {
	raw, err := t.load(ctx, tenant)
	if err != nil {
		return Thresholds{}, err
	}
	var th Thresholds
	return th, json.Unmarshal(raw, &th)
}
