package subscription

import (
	"context"
	"encoding/json"
	"sort"

	"wagtail/internal/kvstore"
)

// Tags are free-form labels on a subscription. Each tag has an index of
// the subscriptions that carry it, for filtering in the dashboard.
type Tags map[string]string

// Save adds subID to the index of each tag.
func (t Tags) Save(ctx context.Context, ns, subID string) error {
	for _, name := range t.sorted() {
		key := kvstore.KindTagIndex.Key(name, t[name])
		var ids []string
		raw, err := kvstore.GetBytes(ctx, ns, key)
		switch {
		case kvstore.IsMiss(err):
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(raw, &ids); err != nil {
				return err
			}
		}
		if contains(ids, subID) {
			continue
		}
		ids = append(ids, subID)
		out, _ := json.Marshal(ids)
		if err := kvstore.PutBytes(ctx, ns, key, out, 0); err != nil { // EXPECT kvrace
			return err
		}
	}
	return nil
}

// Meta renders the tags as KV metadata.
func (t Tags) Meta() map[string]any {
	m := make(map[string]any, len(t))
	for k, v := range t {
		m[k] = v
	}
	return m
}

func (t Tags) sorted() []string {
	names := make([]string, 0, len(t))
	for k := range t {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
