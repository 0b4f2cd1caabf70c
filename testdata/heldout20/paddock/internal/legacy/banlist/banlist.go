// Package banlist keeps player bans and revoked access tokens. Like
// seasonarchive it still runs on the original cloudflare-go client.
package banlist

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/paddock/internal/apperr"
)

// List is backed by one KV namespace.
type List struct {
	API         *cloudflare.API
	AccountID   string
	NamespaceID string
	Now         func() time.Time
}

// Ban is one listed ban.
type Ban struct {
	Player string    `json:"player"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

func (l List) rc() *cloudflare.ResourceContainer { return cloudflare.AccountIdentifier(l.AccountID) }

func banKey(player string) string { return "ban:" + url.PathEscape(player) }

// Ban bans player until the given time.
func (l List) Ban(ctx context.Context, player string, until time.Time, reason string) error {
	if until.Before(l.Now().Add(time.Hour)) {
		return fmt.Errorf("ban must last at least an hour: %w", apperr.ErrInvalid)
	}
	if len(reason) > 200 {
		reason = reason[:200]
	}
	_, err := l.API.WriteWorkersKVEntries(ctx, l.rc(), cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: l.NamespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        banKey(player),
			Value:      strconv.FormatInt(until.Unix(), 10),
			Expiration: int(until.Unix()),
			Metadata:   map[string]string{"reason": reason},
		}},
	})
	return err
}

// BannedUntil returns when the player's ban ends; the zero time if there is
// no ban.
func (l List) BannedUntil(ctx context.Context, player string) time.Time {
	raw, _ := l.API.GetWorkersKV(ctx, l.rc(), cloudflare.GetWorkersKVParams{ // EXPECT kvnull
		NamespaceID: l.NamespaceID,
		Key:         banKey(player),
	})
	secs, _ := strconv.ParseInt(string(raw), 10, 64)
	if secs == 0 {
		return time.Time{}
	}
	return time.Unix(secs, 0)
}

// Page returns one page of bans and the cursor for the next.
func (l List) Page(ctx context.Context, cursor string) ([]Ban, string, error) {
	resp, err := l.API.ListWorkersKVKeys(ctx, l.rc(), cloudflare.ListWorkersKVsParams{
		NamespaceID: l.NamespaceID,
		Prefix:      "ban:",
		Cursor:      cursor,
		Limit:       500,
	})
	if err != nil {
		return nil, "", err
	}
	bans := make([]Ban, 0, len(resp.Result))
	for _, k := range resp.Result {
		b := Ban{Player: strings.TrimPrefix(k.Name, "ban:"), Until: time.Unix(int64(k.Expiration), 0)}
		if m, ok := k.Metadata.(map[string]any); ok {
			b.Reason, _ = m["reason"].(string)
		}
		bans = append(bans, b)
	}
	return bans, resp.ResultInfo.Cursor, nil
}

// RevokeToken rejects an access token before it expires, e.g. after a
// password change.
func (l List) RevokeToken(ctx context.Context, jti string) error {
	_, err := l.API.WriteWorkersKVEntry(ctx, l.rc(), cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvsession
		NamespaceID: l.NamespaceID,
		Key:         "revoked:" + jti,
		Value:       []byte(l.Now().UTC().Format(time.RFC3339)),
	})
	return err
}

// IsRevoked reports whether an access token has been revoked.
func (l List) IsRevoked(ctx context.Context, jti string) (bool, error) {
	_, err := l.API.GetWorkersKV(ctx, l.rc(), cloudflare.GetWorkersKVParams{
		NamespaceID: l.NamespaceID,
		Key:         "revoked:" + jti,
	})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &nf):
		return false, nil
	default:
		return false, err
	}
}
