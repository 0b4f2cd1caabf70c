// Package leaderboard publishes season leaderboards. Authoritative results
// live in the results database; KV holds the published boards that game
// clients read at the edge.
package leaderboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/cfkv"
	"example.com/paddock/internal/keys"
)

// Standing is one player's place on a board.
type Standing struct {
	Player string `json:"player"`
	Name   string `json:"name"`
	Score  int64  `json:"score"`
	Rank   int    `json:"rank,omitempty"`
}

// Board is the published leaderboard for a season.
type Board struct {
	NS cfkv.Namespace
}

func (b Board) getParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(b.NS.AccountID)}
}

func (b Board) read(ctx context.Context, key string) ([]byte, error) {
	res, err := b.NS.Client.KV.Namespaces.Values.Get(ctx, b.NS.ID, url.PathEscape(key), b.getParams())
	if err != nil {
		return nil, err
	}
	return cfkv.ReadBody(res)
}

func (b Board) write(ctx context.Context, key, value string, ttl float64) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(b.NS.AccountID),
		Value:     cloudflare.F(value),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl)
	}
	_, err := b.NS.Client.KV.Namespaces.Values.Update(ctx, b.NS.ID, url.PathEscape(key), params)
	return err
}

// CurrentSeason returns the season the boards are published for.
func (b Board) CurrentSeason(ctx context.Context) (string, error) {
	res, err := b.NS.Client.KV.Namespaces.Values.Get(ctx, b.NS.ID, url.PathEscape("lb/current-season"), b.getParams()) // EXPECT kvnull
	if err != nil && !cfkv.IsNotFound(err) {
		return "", err
	}
	body, err := cfkv.ReadBody(res)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(body)), nil
}

// RecordBest keeps a player's best score on the season's quick board.
func (b Board) RecordBest(ctx context.Context, season string, s Standing) error {
	key := keys.SeasonScoped(season, "best")
	best := map[string]Standing{}
	raw, err := b.read(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &best); err != nil {
			return fmt.Errorf("leaderboard: corrupt board %s: %w", season, err)
		}
	case !cfkv.IsNotFound(err):
		return err
	}
	if prev, ok := best[s.Player]; ok && prev.Score >= s.Score {
		return nil
	}
	best[s.Player] = s
	doc, err := json.Marshal(best)
	if err != nil {
		return err
	}
	return b.write(ctx, key, string(doc), 0) // EXPECT kvrace
}

// Standings returns one page of a season's entries with their details.
func (b Board) Standings(ctx context.Context, season, cursor string) ([]Standing, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(b.NS.AccountID),
		Prefix:    cloudflare.F(keys.SeasonScoped(season, "entry/")),
		Limit:     cloudflare.F(float64(100)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := b.NS.Client.KV.Namespaces.Keys.List(ctx, b.NS.ID, params)
	if err != nil {
		return nil, "", err
	}
	out := make([]Standing, 0, len(page.Result))
	for _, k := range page.Result {
		raw, err := b.read(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			if cfkv.IsNotFound(err) {
				continue
			}
			return nil, "", err
		}
		var s Standing
		if json.Unmarshal(raw, &s) == nil {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, c Standing) int { return int(c.Score - a.Score) })
	return out, page.ResultInfo.Cursor, nil
}

// PublishEntry writes a player's entry for a season. Entries are rewritten
// only by the nightly publish, one key per player.
func (b Board) PublishEntry(ctx context.Context, season string, s Standing) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return b.write(ctx, keys.SeasonEntry(season, s.Player), string(doc), float64(45*24*3600))
}

// PublishRankIndex writes the by-name index used for prefix search.
func (b Board) PublishRankIndex(ctx context.Context, season string, s Standing) error {
	_, err := b.NS.Client.KV.Namespaces.Values.Update(ctx, b.NS.ID,
		url.PathEscape(fmt.Sprintf("rank/%s/%-512s", season, strings.ToLower(s.Name))), // EXPECT kvlimits
		kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(b.NS.AccountID),
			Value:     cloudflare.F(s.Player),
		})
	return err
}

// Friends returns the entries of the given players.
func (b Board) Friends(ctx context.Context, season string, players []string) (map[string]Standing, error) {
	names := make([]string, 0, len(players))
	for _, p := range players {
		names = append(names, keys.SeasonEntry(season, p))
	}
	out := make(map[string]Standing, len(players))
	for batch := range slices.Chunk(names, 250) {
		res, err := b.NS.Client.KV.Namespaces.BulkGet(ctx, b.NS.ID, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(b.NS.AccountID),
			Keys:      cloudflare.F(batch),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeJson),
		})
		if err != nil {
			return nil, err
		}
		values, ok := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
		if !ok {
			continue
		}
		for _, v := range values {
			m, ok := v.(kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesMap)
			if !ok {
				continue
			}
			raw, _ := json.Marshal(m)
			var s Standing
			if json.Unmarshal(raw, &s) == nil {
				out[s.Player] = s
			}
		}
	}
	return out, nil
}

// Banner is the season banner shown on the leaderboard screen.
type Banner struct {
	Season string    `json:"season"`
	Title  string    `json:"title"`
	Ends   time.Time `json:"ends"`
}

// PublishBanner writes the banner for the final week of a season.
func (b Board) PublishBanner(ctx context.Context, banner Banner) error {
	doc, err := json.Marshal(banner)
	if err != nil {
		return err
	}
	if banner.Season == "" {
		return fmt.Errorf("banner without season: %w", apperr.ErrInvalid)
	}
	_, err = b.NS.Client.KV.Namespaces.Values.Update(ctx, b.NS.ID, url.PathEscape(keys.SeasonScoped(banner.Season, "banner")), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(b.NS.AccountID),
		Value:      cloudflare.F(string(doc)),
		Expiration: cloudflare.F(float64(7 * 24 * 3600)), // EXPECT kvttl
	})
	return err
}
