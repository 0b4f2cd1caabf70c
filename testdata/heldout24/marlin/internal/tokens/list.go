package tokens

import (
	"context"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	cfkv "github.com/cloudflare/cloudflare-go/v6/kv"
)

// Summary is one row of a creator's token list.
type Summary struct {
	Hash string
	Name string
}

func decodeMeta(m any) meta {
	mm, _ := m.(map[string]any)
	c, _ := mm["c"].(string)
	n, _ := mm["n"].(string)
	return meta{CreatorID: c, Name: n}
}

// ForCreator lists a creator's tokens from key metadata. A creator holds at
// most maxTokens tokens, but tokens of every creator share the prefix, so
// the walk stops after a fixed number of keys.
func (s *Service) ForCreator(ctx context.Context, creatorID string, budget int) ([]Summary, error) {
	iter := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespaceID, cfkv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("apitoken:"),
	})
	var out []Summary
	for seen := 0; iter.Next(); seen++ {
		if seen >= budget {
			break
		}
		k := iter.Current()
		if m := decodeMeta(k.Metadata); m.CreatorID == creatorID {
			out = append(out, Summary{Hash: strings.TrimPrefix(k.Name, "apitoken:"), Name: m.Name})
		}
	}
	return out, iter.Err()
}

// AuditAll returns every token hash with its owner, for the security
// review export.
func (s *Service) AuditAll(ctx context.Context) (map[string]string, error) {
	iter := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespaceID, cfkv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("apitoken:"),
	})
	out := map[string]string{}
	for iter.Next() {
		k := iter.Current()
		out[strings.TrimPrefix(k.Name, "apitoken:")] = decodeMeta(k.Metadata).CreatorID
	}
	return out, iter.Err()
}

// Recent returns one page of refresh-token keys and the next cursor.
func (s *Service) Recent(ctx context.Context, cursor string) ([]cfkv.Key, string, error) {
	params := cfkv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID), Prefix: cloudflare.F("refresh:"), Limit: cloudflare.F(2500.0)}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Stale returns refresh-token keys that carry no expiration. It walks the
// listing page by page.
func (s *Service) Stale(ctx context.Context, maxPages int) ([]string, error) {
	var out []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		params := cfkv.NamespaceKeyListParams{
			AccountID: cloudflare.F(s.accountID),
			Prefix:    cloudflare.F("refresh:"),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Result) == 0 {
			break
		}
		for _, k := range res.Result {
			if k.Expiration == 0 {
				out = append(out, k.Name)
			}
		}
		cursor = res.ResultInfo.Cursor
		if cursor == "" {
			break
		}
	}
	return out, nil
}
