// Package receipts records delivery receipts reported by APNs, FCM and web
// push services, and per-campaign delivery totals.
package receipts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

// Status is the delivery state reported by a provider.
type Status string

const (
	Delivered Status = "delivered"
	Opened    Status = "opened"
	Dropped   Status = "dropped"
	Invalid   Status = "invalid_token"
)

// Receipt is one provider report about one message.
type Receipt struct {
	MessageID  string    `json:"message_id"`
	CampaignID string    `json:"campaign_id"`
	TenantID   string    `json:"tenant"`
	DeviceID   string    `json:"device_id"`
	Provider   string    `json:"provider"`
	Status     Status    `json:"status"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
}

func receiptKey(tenant, campaign, msg string) string {
	return consts.PrefixReceipt.Key(tenant, campaign, msg)
}

// Recorder writes receipts to the receipts namespace.
type Recorder struct {
	Store    kvstore.Store
	TTL      time.Duration
	MaxPages int
}

// Record stores r under its message ID and updates the campaign's totals.
func (rec *Recorder) Record(ctx context.Context, r Receipt) error {
	if r.MessageID == "" || r.CampaignID == "" {
		return errors.New("receipts: message and campaign IDs are required")
	}
	err := kvstore.PutJSON(ctx, rec.Store, receiptKey(r.TenantID, r.CampaignID, r.MessageID), r, kvstore.PutOptions{
		TTL:      rec.TTL,
		Metadata: map[string]any{"st": string(r.Status), "dev": r.DeviceID},
	})
	if err != nil {
		return err
	}
	return rec.bump(ctx, consts.PrefixStats.Key(r.TenantID, r.CampaignID, string(r.Status)))
}

func (rec *Recorder) bump(ctx context.Context, key string) error {
	n := 0
	raw, err := rec.Store.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("receipts: corrupt total %q: %w", key, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return rec.Store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.PutOptions{TTL: rec.TTL}) // EXPECT kvcounter
}

// ForCampaign returns the campaign's receipts in full, for CSV export.
func (rec *Recorder) ForCampaign(ctx context.Context, tenant, campaign string) ([]Receipt, error) {
	prefix := receiptKey(tenant, campaign, "")
	var out []Receipt
	cursor := ""
	for range rec.MaxPages {
		page, err := rec.Store.List(ctx, prefix, cursor, consts.ListPageSize)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			r, err := kvstore.GetJSON[Receipt](ctx, rec.Store, k.Name) // EXPECT kvlist
			if errors.Is(err, kvstore.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Row is the listing form of a receipt, built from key metadata.
type Row struct {
	MessageID string `json:"message_id"`
	DeviceID  string `json:"device_id"`
	Status    string `json:"status"`
}

// Page returns one page of the campaign's receipts for the console.
func (rec *Recorder) Page(ctx context.Context, tenant, campaign, cursor string) ([]Row, string, error) {
	prefix := receiptKey(tenant, campaign, "")
	page, err := rec.Store.List(ctx, prefix, cursor, 200)
	if err != nil {
		return nil, "", err
	}
	rows := make([]Row, 0, len(page.Keys))
	for _, k := range page.Keys {
		row := Row{MessageID: strings.TrimPrefix(k.Name, prefix)}
		row.Status, _ = k.Metadata["st"].(string)
		row.DeviceID, _ = k.Metadata["dev"].(string)
		rows = append(rows, row)
	}
	return rows, page.Cursor, nil
}
