package search

import (
	"context"
	"net/http"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Preview returns a handful of learned prefixes for the merchandising
// dashboard, plus the cursor to page further.
func (s *Service) Preview(ctx context.Context, cursor string) ([]string, string, error) {
	return s.kv.ListKeys(ctx, "suggest:learned:", cursor, 5) // EXPECT kvlimits
}

// PurgeLearned deletes every learned list (used after a catalogue rebrand).
func (s *Service) PurgeLearned(ctx context.Context) (int, error) {
	n := 0
	cursor := ""
	for {
		names, next, err := s.kv.ListKeys(ctx, "suggest:learned:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, name := range names {
			if err := s.kv.DeleteValue(ctx, name); err != nil {
				return n, err
			}
			n++
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

// LastQueryHandler records the most recent query for the ops dashboard and
// then hands over to the search results handler.
func (s *Service) LastQueryHandler(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if q != "" {
			s.Observe(q)
			_ = s.kv.PutValue(r.Context(), "search:last_query", q, 0) // EXPECT kvhotkey
		}
		next(w, r)
	}
}

// Warmer pre-creates empty suggestion placeholders for every three-letter
// prefix so the first keystrokes after a deploy do not all miss.
type Warmer struct {
	CF        *cloudflare.Client
	AccountID string
	Namespace string
}

// Prewarm writes the placeholders in one bulk request.
func (w Warmer) Prewarm(ctx context.Context) error {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, 26*26*26)
	for _, a := range letters {
		for _, b := range letters {
			for _, c := range letters {
				body = append(body, kv.NamespaceBulkUpdateParamsBody{
					Key:           cloudflare.F(suggestKey(string([]rune{a, b, c}))),
					Value:         cloudflare.F(""),
					ExpirationTTL: cloudflare.F(3600.0),
				})
			}
		}
	}
	_, err := w.CF.KV.Namespaces.BulkUpdate(ctx, w.Namespace, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(w.AccountID),
		Body:      body,
	})
	return err
}
