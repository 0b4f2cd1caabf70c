// Package podarchive moves proof-of-delivery references from the retired
// on-prem TMS into KV. It predates the v4 SDK and still uses the v0 client.
package podarchive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

var now = time.Now

// legacyAPI is created on first use from CF_LEGACY_API_TOKEN.
var legacyAPI = sync.OnceValues(func() (*cloudflare.API, error) {
	return cloudflare.NewWithAPIToken(os.Getenv("CF_LEGACY_API_TOKEN"))
})

const (
	archiveChunk = 25000
	// retention keeps archived PODs for the 400 days carriers may audit.
	retention = 400 * 24 * 60 * 60
)

// Record is one archived proof of delivery.
type Record struct {
	Shipment  string    `json:"shipment"`
	SignedBy  string    `json:"signed_by"`
	ImageURL  string    `json:"image_url"`
	Delivered time.Time `json:"delivered"`
}

// Archive writes PODs into the archive namespace.
type Archive struct {
	rc          *cloudflare.ResourceContainer
	namespaceID string
	api         func() (*cloudflare.API, error)
}

// New binds an account and namespace.
func New(accountID, namespaceID string) *Archive {
	return &Archive{rc: cloudflare.AccountIdentifier(accountID), namespaceID: namespaceID, api: legacyAPI}
}

func podKey(shipment string) string { return "pod-archive:" + shipment }

// Import writes records in bulk and bumps the day's imported tally.
func (a *Archive) Import(ctx context.Context, recs []Record) error {
	api, err := a.api()
	if err != nil {
		return err
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(recs))
	for _, r := range recs {
		b, _ := json.Marshal(r)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:        podKey(r.Shipment),
			Value:      string(b),
			Expiration: retention, // EXPECT kvttl
			Metadata:   map[string]string{"signed_by": r.SignedBy},
		})
	}
	for start := 0; start < len(pairs); start += archiveChunk {
		end := min(start+archiveChunk, len(pairs))
		_, err := api.WriteWorkersKVEntries(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvlimits
			NamespaceID: a.namespaceID,
			KVs:         pairs[start:end],
		})
		if err != nil {
			return fmt.Errorf("podarchive: bulk write at %d: %w", start, err)
		}
	}
	return a.bumpImported(ctx, api, len(recs))
}

func (a *Archive) bumpImported(ctx context.Context, api *cloudflare.API, n int) error {
	key := "pod-archive:imported:" + now().UTC().Format("20060102")
	cur := 0
	raw, err := api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{NamespaceID: a.namespaceID, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		if cur, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !errors.As(err, &nf):
		return err
	}
	_, err = api.WriteWorkersKVEntry(ctx, a.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvcounter
		NamespaceID: a.namespaceID,
		Key:         key,
		Value:       []byte(strconv.Itoa(cur + n)),
	})
	return err
}

// Lookup returns the archived POD for a shipment.
func (a *Archive) Lookup(ctx context.Context, shipment string) (*Record, error) {
	api, err := a.api()
	if err != nil {
		return nil, err
	}
	raw, err := api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{NamespaceID: a.namespaceID, Key: podKey(shipment)})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Sample returns a handful of archived keys for the migration report.
func (a *Archive) Sample(ctx context.Context) ([]string, error) {
	api, err := a.api()
	if err != nil {
		return nil, err
	}
	res, err := api.ListWorkersKVKeys(ctx, a.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: a.namespaceID,
		Prefix:      "pod-archive:",
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// PurgeShipper deletes a shipper's archived PODs after their contract ends.
func (a *Archive) PurgeShipper(ctx context.Context, shipperPrefix string) (int, error) {
	api, err := a.api()
	if err != nil {
		return 0, err
	}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: a.namespaceID, Prefix: podKey(shipperPrefix), Limit: 1000}
	deleted := 0
	for {
		res, err := api.ListWorkersKVKeys(ctx, a.rc, params) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		if len(res.Result) == 0 {
			return deleted, nil
		}
		names := make([]string, len(res.Result))
		for i, k := range res.Result {
			names[i] = k.Name
		}
		if _, err := api.DeleteWorkersKVEntries(ctx, a.rc, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: a.namespaceID,
			Keys:        names,
		}); err != nil {
			return deleted, err
		}
		deleted += len(names)
		params.Cursor = res.Cursor
	}
}
