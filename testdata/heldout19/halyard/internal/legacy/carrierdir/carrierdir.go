// Package carrierdir mirrors the carrier directory (SCAC codes, contacts,
// webhook endpoints) into KV for the edge Workers. It still runs on the v0
// SDK and is scheduled from the admin tool.
package carrierdir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

var now = time.Now

// Carrier is one directory entry.
type Carrier struct {
	SCAC       string   `json:"scac"`
	Name       string   `json:"name"`
	Modes      []string `json:"modes"`
	WebhookURL string   `json:"webhook_url,omitempty"`
	Active     bool     `json:"active"`
}

// Directory writes the directory namespace.
type Directory struct {
	API         *cloudflare.API
	Account     *cloudflare.ResourceContainer
	NamespaceID string
}

func carrierKey(scac string) string { return "carrier:" + strings.ToUpper(scac) }

// Sync writes every carrier from the master list.
func (d *Directory) Sync(ctx context.Context, carriers []Carrier) error {
	for _, c := range carriers {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := d.API.WriteWorkersKVEntry(ctx, d.Account, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: d.NamespaceID,
			Key:         carrierKey(c.SCAC),
			Value:       b,
		}); err != nil {
			return fmt.Errorf("carrierdir: %s: %w", c.SCAC, err)
		}
		if _, err := d.API.WriteWorkersKVEntry(ctx, d.Account, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: d.NamespaceID,
			Key:         "carrierdir:synced-at",
			Value:       []byte(now().UTC().Format(time.RFC3339)),
		}); err != nil {
			return err
		}
	}
	return nil
}

// Lookup returns one carrier, or nil if the SCAC is unknown.
func (d *Directory) Lookup(ctx context.Context, scac string) (*Carrier, error) {
	raw, err := d.API.GetWorkersKV(ctx, d.Account, cloudflare.GetWorkersKVParams{
		NamespaceID: d.NamespaceID,
		Key:         carrierKey(scac),
	})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, err
	}
	var c Carrier
	return &c, json.Unmarshal(raw, &c)
}

// AddAlias maps an alternative code (as some carriers send in webhooks) to a
// SCAC.
func (d *Directory) AddAlias(ctx context.Context, alias, scac string) error {
	raw, err := d.API.GetWorkersKV(ctx, d.Account, cloudflare.GetWorkersKVParams{ // EXPECT kvnull
		NamespaceID: d.NamespaceID,
		Key:         "carrierdir:aliases",
	})
	if err != nil {
		raw = []byte("{}")
	}
	aliases := map[string]string{}
	if err := json.Unmarshal(raw, &aliases); err != nil {
		return err
	}
	aliases[strings.ToUpper(alias)] = strings.ToUpper(scac)
	b, _ := json.Marshal(aliases)
	_, err = d.API.WriteWorkersKVEntry(ctx, d.Account, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: d.NamespaceID,
		Key:         "carrierdir:aliases",
		Value:       b,
	})
	return err
}

// Codes lists the SCAC codes in the directory, reading at most maxPages
// pages.
func (d *Directory) Codes(ctx context.Context, maxPages int) ([]string, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: d.NamespaceID, Prefix: "carrier:", Limit: 1000}
	var out []string
	for page := 0; page < maxPages; page++ {
		res, err := d.API.ListWorkersKVKeys(ctx, d.Account, params)
		if err != nil {
			return nil, err
		}
		for _, k := range res.Result {
			out = append(out, strings.TrimPrefix(k.Name, "carrier:"))
		}
		if res.Cursor == "" {
			return out, nil
		}
		params.Cursor = res.Cursor
	}
	return out, fmt.Errorf("carrierdir: more than %d pages of carriers", maxPages)
}
