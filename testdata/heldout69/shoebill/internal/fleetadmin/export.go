package fleetadmin

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

// Labels are free-form tags an operator puts on a device.
type Labels struct {
	Tags      []string  `json:"tags"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

func labelsKey(deviceID string) string { return "labels:" + deviceID }

// Tag adds a tag to a device.
func Tag(ctx context.Context, kv *kvstore.Store, deviceID, tag, operator string) (Labels, error) {
	return kvstore.UpdateJSON(ctx, kv, labelsKey(deviceID), func(l *Labels) (bool, error) {
		if slices.Contains(l.Tags, tag) {
			return false, nil
		}
		l.Tags = append(l.Tags, tag)
		l.UpdatedBy, l.UpdatedAt = operator, time.Now().UTC()
		return true, nil
	})
}

// ExportSeen writes the last check-in of every device as JSON lines.
func ExportSeen(ctx context.Context, kv *kvstore.Store, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	params := cloudflare.ListWorkersKVsParams{NamespaceID: kv.NS, Prefix: fleet.PrefixSeen}
	n := 0
	for {
		resp, err := kv.API.ListWorkersKVKeys(ctx, kv.RC, params) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range resp.Result {
			if err := enc.Encode(map[string]any{"key": k.Name, "meta": k.Metadata, "expires": k.Expiration}); err != nil {
				return n, err
			}
			n++
		}
		if resp.ResultInfo.Cursor == "" {
			return n, nil
		}
		params.Cursor = resp.ResultInfo.Cursor
	}
}

// ExportSeenPage is the paged form the console uses: it returns at most
// limit keys and the cursor to continue from.
func ExportSeenPage(ctx context.Context, kv *kvstore.Store, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	return kv.Page(ctx, fleet.PrefixSeen, cursor, min(max(limit, 10), 1000))
}
