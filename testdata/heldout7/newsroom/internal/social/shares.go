// Package social tracks share-button clicks per network.
package social

import (
	"context"
	"errors"
	"strconv"

	"example.com/newsroom/internal/store"
)

// Networks we render share buttons for.
var Networks = []string{"bluesky", "mastodon", "whatsapp", "email", "linkedin"}

// Shares records share clicks.
type Shares struct {
	st store.Store
}

// NewShares returns a tracker.
func NewShares(st store.Store) *Shares { return &Shares{st: st} }

func shareKey(articleID, network string) string {
	return "shares:" + articleID + ":" + network
}

// Record adds a click for network on the article.
func (s *Shares) Record(ctx context.Context, articleID, network string) error {
	key := shareKey(articleID, network)
	total := 0
	b, err := s.st.Get(ctx, key)
	switch {
	case err == nil:
		total, _ = strconv.Atoi(string(b))
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	total++
	return s.st.Put(ctx, key, []byte(strconv.Itoa(total))) // EXPECT kvcounter
}

// Breakdown returns the click totals per network for the article.
func (s *Shares) Breakdown(ctx context.Context, articleID string) (map[string]int, error) {
	out := make(map[string]int, len(Networks))
	for _, n := range Networks {
		b, err := s.st.Get(ctx, shareKey(articleID, n))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		v, err := strconv.Atoi(string(b))
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}
