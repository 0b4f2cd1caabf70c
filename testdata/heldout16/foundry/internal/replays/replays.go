// Package replays archives replay manifests. It predates the move to
// cloudflare-go v6 and still uses the v3 client; manifests are written in
// bulk by the replay uploader job.
package replays

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/rules"
)

var ErrMissing = errors.New("replays: manifest not found")

// Manifest describes one uploaded replay file.
type Manifest struct {
	ReplayID string    `json:"replay_id"`
	MatchID  string    `json:"match_id"`
	Map      string    `json:"map"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Recorded time.Time `json:"recorded"`
}

// Key implements keys.Keyer.
func (m Manifest) Key() string { return keys.Join("replay", m.MatchID, m.ReplayID) }

// Archive writes manifests to the replays namespace.
type Archive struct {
	client    *cloudflare.Client
	accountID string
	ns        string
	batch     int
	keep      rules.Spec[Manifest]
	log       *slog.Logger
}

// NewArchive returns an Archive writing batch manifests per bulk request.
func NewArchive(token, accountID, ns string, batch int, log *slog.Logger) *Archive {
	keep := rules.And[Manifest](
		rules.Func[Manifest](func(m Manifest) bool { return m.Size > 0 && m.SHA256 != "" }),
		rules.Func[Manifest](func(m Manifest) bool { return time.Since(m.Recorded) < 90*24*time.Hour }),
	)
	client := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	return &Archive{client: client, accountID: accountID, ns: ns, batch: batch, keep: keep, log: log}
}

const retention = 90 * 24 * 60 * 60 // seconds

// Upload stores manifests in batches and moves the "latest" pointer.
func (a *Archive) Upload(ctx context.Context, ms []Manifest) error {
	ms = slices.DeleteFunc(slices.Clone(ms), func(m Manifest) bool { return !a.keep.IsSatisfiedBy(m) })
	for chunk := range slices.Chunk(ms, a.batch) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, m := range chunk {
			b, _ := json.Marshal(m)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(m.Key()),
				Value:         cloudflare.F(string(b)),
				ExpirationTTL: cloudflare.F(float64(retention)),
				Metadata:      cloudflare.F(map[string]interface{}{"map": m.Map, "size": m.Size}),
			})
		}
		_, err := a.client.KV.Namespaces.Bulk.Update(ctx, a.ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("replays: bulk upload: %w", err)
		}
		for _, m := range chunk {
			_, err := a.client.KV.Namespaces.Values.Update(ctx, a.ns, "replays/latest", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
				AccountID: cloudflare.F(a.accountID),
				Value:     cloudflare.F(m.Key()),
				Metadata:  cloudflare.F(`{"match":"` + m.MatchID + `"}`),
			})
			if err != nil {
				a.log.Warn("move latest pointer", "replay", m.ReplayID, "err", err)
			}
		}
	}
	return nil
}

// UploadPreviews caches thumbnail strips (base64) while the browser page is
// open.
func (a *Archive) UploadPreviews(ctx context.Context, previews map[string]string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(previews))
	for replayID, b64 := range previews {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("preview/" + replayID),
			Value:         cloudflare.F(b64),
			Base64:        cloudflare.F(true),
			ExpirationTTL: cloudflare.F(30.0), // EXPECT kvttl
		})
	}
	_, err := a.client.KV.Namespaces.Bulk.Update(ctx, a.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Body:      body,
	})
	return err
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// AddToIndex records that a replay exists for a match.
func (a *Archive) AddToIndex(ctx context.Context, matchID, replayID string) error {
	key := url.PathEscape(keys.Join("replay-index", matchID))
	var ids []string
	resp, err := a.client.KV.Namespaces.Values.Get(ctx, a.ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	switch {
	case notFound(err):
	case err != nil:
		return fmt.Errorf("replays: read index: %w", err)
	default:
		err = json.NewDecoder(resp.Body).Decode(&ids)
		resp.Body.Close()
		if err != nil {
			return err
		}
	}
	if slices.Contains(ids, replayID) {
		return nil
	}
	b, _ := json.Marshal(append(ids, replayID))
	_, err = a.client.KV.Namespaces.Values.Update(ctx, a.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F(`{}`),
	})
	return err
}

// Fetch returns one manifest.
func (a *Archive) Fetch(ctx context.Context, matchID, replayID string) (Manifest, error) {
	key := url.PathEscape(Manifest{MatchID: matchID, ReplayID: replayID}.Key())
	resp, err := a.client.KV.Namespaces.Values.Get(ctx, a.ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
		return Manifest{}, fmt.Errorf("replays: fetch: %w", err)
	}
	if resp == nil { // EXPECT kvnull
		return Manifest{}, ErrMissing
	}
	defer resp.Body.Close()
	var m Manifest
	return m, json.NewDecoder(resp.Body).Decode(&m)
}

// ListMatch returns the manifest keys of a match, reading at most maxPages.
func (a *Archive) ListMatch(ctx context.Context, matchID string, maxPages int) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(keys.Join("replay", matchID) + "/"),
		Limit:     cloudflare.F(1000.0),
	}
	var names []string
	for range maxPages {
		res, err := a.client.KV.Namespaces.Keys.List(ctx, a.ns, params) // EXPECT kvlist
		if err != nil {
			return names, err
		}
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if res.ResultInfo.Cursor == "" {
			return names, nil
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(a.accountID),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return names, fmt.Errorf("replays: match %s has more than %d pages", matchID, maxPages)
}
