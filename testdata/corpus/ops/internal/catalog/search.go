package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"example.com/ops/internal/config"
	"example.com/ops/internal/kvstore"
)

// Suggester returns search-as-you-type suggestions from the search cluster,
// cached in KV by normalised prefix.
type Suggester struct {
	store   *kvstore.Store
	http    *http.Client
	baseURL string
}

// NewSuggester returns a Suggester.
func NewSuggester(store *kvstore.Store, hc *http.Client, baseURL string) *Suggester {
	return &Suggester{store: store, http: hc, baseURL: baseURL}
}

// Suggest returns up to ten suggestions for prefix.
func (s *Suggester) Suggest(ctx context.Context, prefix string) ([]string, error) {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	key := "suggest:" + prefix
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		var out []string
		if json.Unmarshal(raw, &out) == nil {
			return out, nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		s.baseURL+"/suggest?size=10&q="+url.QueryEscape(prefix), nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("search: %s", resp.Status)
	}
	var body struct {
		Suggestions []string `json:"suggestions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(body.Suggestions)
	if err := s.store.Set(ctx, key, b, config.SuggestCacheTTL); err != nil { // EXPECT kvttl
		return body.Suggestions, nil
	}
	return body.Suggestions, nil
}
