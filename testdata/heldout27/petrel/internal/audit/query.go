package audit

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/cloudflare/cloudflare-go"

	"example.com/petrel/internal/ident"
)

// Row is a listing row built from key metadata.
type Row struct {
	Key string `json:"key"`
	Summary
}

func rowsOf(keys []cloudflare.StorageKey, action string) []Row {
	out := make([]Row, 0, len(keys))
	for _, k := range keys {
		var s Summary
		if b, err := json.Marshal(k.Metadata); err != nil || json.Unmarshal(b, &s) != nil {
			continue
		}
		if action != "" && !strings.EqualFold(s.Action, action) {
			continue
		}
		out = append(out, Row{Key: k.Name, Summary: s})
	}
	return out
}

// Recent returns one page of a team's events, newest keys last, and the
// cursor for the following page.
func (l *Log) Recent(ctx context.Context, team ident.TeamID, cursor string) ([]Row, string, error) {
	resp, err := l.api.ListWorkersKVKeys(ctx, l.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: l.ns,
		Prefix:      eventPrefix(team),
		Cursor:      cursor,
		Limit:       50,
	})
	if err != nil {
		return nil, "", err
	}
	return rowsOf(resp.Result, ""), resp.ResultInfo.Cursor, nil
}

// Search filters one large page by action and returns the next cursor.
func (l *Log) Search(ctx context.Context, team ident.TeamID, action, cursor string) ([]Row, string, error) {
	resp, err := l.api.ListWorkersKVKeys(ctx, l.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: l.ns,
		Prefix:      eventPrefix(team),
		Cursor:      cursor,
		Limit:       5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	return rowsOf(resp.Result, action), resp.ResultInfo.Cursor, nil
}
