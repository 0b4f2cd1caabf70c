package loaders

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/models"
)

// Resolver answers the portal's dashboard queries.
type Resolver struct {
	DB    *gorm.DB
	Store *kvstore.Store
	L     *Loaders
}

// KeyRow is one line of the key table on the dashboard.
type KeyRow struct {
	Prefix    string           `json:"prefix"`
	Published bool             `json:"published"`
	Plan      *models.EdgePlan `json:"plan,omitempty"`
}

// DeveloperKeys resolves the dashboard's key table.
func (r *Resolver) DeveloperKeys(ctx context.Context, devID uint) ([]KeyRow, error) {
	var ks []models.APIKey
	if err := r.DB.WithContext(ctx).Where("developer_id = ?", devID).Find(&ks).Error; err != nil {
		return nil, err
	}
	hashes := make([]string, len(ks))
	for i, k := range ks {
		hashes[i] = k.Hash
	}
	statuses, err := r.L.Keys.LoadAll(ctx, hashes)
	if err != nil {
		return nil, err
	}
	rows := make([]KeyRow, len(ks))
	for i, st := range statuses {
		rows[i] = KeyRow{Prefix: ks[i].Prefix, Published: st.Published}
		if st.Published {
			rows[i].Plan, _ = r.PlanLimits(ctx, st.Record.Plan)
		}
	}
	return rows, nil
}

// PlanLimits resolves a plan's edge limits, filling the edge copy from the
// database when it is missing.
func (r *Resolver) PlanLimits(ctx context.Context, code string) (*models.EdgePlan, error) {
	p, err := r.L.Plans.Load(ctx, code)
	if err != nil && !kvstore.IsNotFound(errors.Unwrap(err)) {
		return nil, err
	}
	if p != nil {
		return p, nil
	}
	var row models.Plan
	if err := r.DB.WithContext(ctx).Where("code = ?", code).First(&row).Error; err != nil {
		return nil, err
	}
	p = &models.EdgePlan{Code: row.Code, PerMinute: row.RequestsPerMinute, PerDay: row.RequestsPerDay}
	body, _ := json.Marshal(p)
	if err := r.Store.PutCache(ctx, models.PlanName(code), body, 15*time.Second); err != nil {
		return nil, err
	}
	r.L.Plans.Prime(code, p)
	return p, nil
}

// DocPage is a rendered documentation page with its view count.
type DocPage struct {
	Slug  string `json:"slug"`
	Views int    `json:"views"`
}

// Doc resolves a docs page and records the view.
func (r *Resolver) Doc(ctx context.Context, slug string) (*DocPage, error) {
	key := "views:docs:" + slug
	n, err := r.L.Views.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := r.Store.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}
	return &DocPage{Slug: slug, Views: n + 1}, nil
}
