package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/metering"
	"github.com/pelicanhq/pelican/internal/models"
)

func hashPassword(pw string) string {
	sum := sha256.Sum256([]byte("pelican:" + pw))
	return hex.EncodeToString(sum[:])
}

// endOfDay returns the next 00:00 UTC after t.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Digest is the daily usage summary on the portal's home page.
type Digest struct {
	DeveloperID uint                       `json:"dev"`
	Keys        map[string]metering.Report `json:"keys"`
	BuiltAt     time.Time                  `json:"built_at"`
}

// DailyDigest returns today's digest, building and caching it until
// midnight UTC on a miss.
func DailyDigest(ctx context.Context, h *Handler, m *metering.Meter, devID uint) (*Digest, error) {
	key := fmt.Sprintf("digest:%d:%s", devID, time.Now().UTC().Format("20060102"))
	var d Digest
	err := h.Store.GetJSON(ctx, key, &d)
	if err == nil {
		return &d, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	var ks []models.APIKey
	if err := h.DB.WithContext(ctx).Where("developer_id = ? AND revoked_at IS NULL", devID).Find(&ks).Error; err != nil {
		return nil, err
	}
	d = Digest{DeveloperID: devID, Keys: map[string]metering.Report{}, BuiltAt: time.Now().UTC()}
	for _, k := range ks {
		rep, err := m.ReportFor(ctx, k.Hash)
		if err != nil {
			return nil, err
		}
		d.Keys[k.Prefix] = rep
	}
	body, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	if err := h.Store.PutAt(ctx, key, body, endOfDay(time.Now())); err != nil { // DEBATABLE kvttl
		return nil, err
	}
	return &d, nil
}

// WarmPlanCache fills the edge copy of each plan for the pricing page. It
// reads from the database, so the values never depend on earlier KV state.
func WarmPlanCache(ctx context.Context, h *Handler) error {
	var plans []models.Plan
	if err := h.DB.WithContext(ctx).Find(&plans).Error; err != nil {
		return err
	}
	for _, p := range plans {
		body, err := json.Marshal(models.EdgePlan{Code: p.Code, PerMinute: p.RequestsPerMinute, PerDay: p.RequestsPerDay})
		if err != nil {
			return err
		}
		if err := h.Store.PutCache(ctx, "pricing:"+p.Code, body, 30*time.Second); err != nil {
			return err
		}
		if err := h.Store.Put(ctx, "pricing:updated_at", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
