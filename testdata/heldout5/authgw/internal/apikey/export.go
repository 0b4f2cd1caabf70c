package apikey

import (
	"context"
	"time"

	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

// Exported is the admin view of a key; it never includes the hash.
type Exported struct {
	ID           string    `json:"id"`
	TenantID     string    `json:"tenant"`
	Label        string    `json:"label"`
	Scopes       []string  `json:"scopes"`
	PerMinute    int       `json:"per_minute"`
	MonthlyQuota int64     `json:"monthly_quota"`
	CreatedAt    time.Time `json:"created_at"`
	LastUsedAt   time.Time `json:"last_used_at,omitzero"`
}

func export(k Key) Exported {
	return Exported{
		ID: k.ID, TenantID: k.TenantID, Label: k.Label, Scopes: k.Scopes,
		PerMinute: k.PerMinute, MonthlyQuota: k.MonthlyQuota,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt,
	}
}

// ExportAll returns every key of every tenant, for the compliance export.
func (s *Store) ExportAll(ctx context.Context) ([]Exported, error) {
	var out []Exported
	cursor := ""
	for {
		page, err := s.kv.List(ctx, kvport.ListQuery{Prefix: "key:h:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, lk := range page.Keys {
			k, err := repo.GetJSON[Key](ctx, s.kv, lk.Name) // EXPECT kvlist
			if kvport.IsNotFound(err) {
				continue // revoked between list and get
			}
			if err != nil {
				return nil, err
			}
			out = append(out, export(k))
		}
		if page.Complete {
			return out, nil
		}
		cursor = page.Cursor
	}
}
