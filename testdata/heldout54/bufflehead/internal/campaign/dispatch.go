package campaign

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"bufflehead/internal/restkv"
)

// Mailer hands a batch of rendered messages to the provider.
type Mailer interface {
	SendBatch(ctx context.Context, campaignID string, to []string) (accepted int, err error)
}

// Ledger is the billing database's view of a sender's monthly volume.
type Ledger interface {
	SentThisMonth(ctx context.Context, senderID string) (int, error)
}

// Campaign is a scheduled send.
type Campaign struct {
	ID       string
	SenderID string
	ListID   string
	Subject  string
}

// Result is filled in by Dispatch.
type Result struct {
	Accepted int
	Batches  int
	Failed   []string
	Started  time.Time
	Finished time.Time
}

// Dispatcher sends campaigns in batches and publishes progress for the
// dashboard.
type Dispatcher struct {
	KV          *restkv.Client
	Mailer      Mailer
	Ledger      Ledger
	BatchSize   int
	progressKey func(campaignID string) string
}

// NewDispatcher returns a dispatcher with 500-recipient batches.
func NewDispatcher(c *restkv.Client, m Mailer, l Ledger) *Dispatcher {
	return &Dispatcher{
		KV: c, Mailer: m, Ledger: l, BatchSize: 500,
		progressKey: func(id string) string { return "campaign:" + id + ":progress" },
	}
}

// Dispatch sends c to recipients and fills res.
func (d *Dispatcher) Dispatch(ctx context.Context, c Campaign, recipients []string, res *Result) error {
	res.Started = time.Now().UTC()
	size := max(d.BatchSize, 1)
	for start := 0; start < len(recipients); start += size {
		batch := recipients[start:min(start+size, len(recipients))]
		n, err := d.Mailer.SendBatch(ctx, c.ID, batch)
		res.Batches++
		if err != nil {
			res.Failed = append(res.Failed, batch...)
			continue
		}
		res.Accepted += n

		progress, _ := json.Marshal(struct {
			Accepted int `json:"accepted"`
			Total    int `json:"total"`
		}{res.Accepted, len(recipients)})
		if err := d.KV.Put(ctx, d.progressKey(c.ID), progress, restkv.PutOptions{TTL: 7 * 24 * time.Hour}); err != nil { // EXPECT kvhotkey
			return err
		}

		delivered := make([]restkv.Entry, 0, len(batch))
		for _, email := range batch {
			delivered = append(delivered, restkv.Entry{Key: "delivered:" + c.ID + ":" + email, Value: "1", TTL: 30 * 24 * time.Hour})
		}
		if err := d.KV.BulkPut(ctx, delivered); err != nil {
			return err
		}
	}
	res.Finished = time.Now().UTC()
	return d.publishVolume(ctx, c.SenderID, res.Accepted)
}

func (d *Dispatcher) publishVolume(ctx context.Context, senderID string, justSent int) error {
	before, err := d.Ledger.SentThisMonth(ctx, senderID)
	if err != nil {
		return err
	}
	month := time.Now().UTC().Format("200601")
	return d.KV.Put(ctx, "sent-count:"+senderID+":"+month, []byte(strconv.Itoa(before+justSent)), restkv.PutOptions{}) // EXPECT kvcounter
}

// Stat is one row of the nightly engagement export.
type Stat struct {
	CampaignID string
	Views      int
	Clicks     int
}

// PublishStats copies the analytics warehouse's nightly numbers into KV so
// the dashboard can show them without a database round trip.
func PublishStats(ctx context.Context, c *restkv.Client, stats []Stat) error {
	entries := make([]restkv.Entry, 0, len(stats))
	for _, s := range stats {
		entries = append(entries, restkv.Entry{
			Key:   "views:" + s.CampaignID,
			Value: strconv.Itoa(s.Views),
			TTL:   48 * time.Hour,
		})
	}
	if len(entries) > 10000 {
		return fmt.Errorf("campaign: %d stats exceed one bulk write", len(entries))
	}
	return c.BulkPut(ctx, entries) // DEBATABLE kvcounter
}

// FooterMeta is stored as key metadata so the Worker can render the footer
// without reading the value.
type FooterMeta struct {
	Locale  string `json:"locale"`
	Version int    `json:"version"`
	Text    string `json:"text"`
}

// PublishFooter stores the compliance footer template for the Worker.
func PublishFooter(ctx context.Context, c *restkv.Client, locale string, version int) error {
	return c.Put(ctx, "footer-src:"+locale, []byte(ComplianceFooter), restkv.PutOptions{
		Metadata: FooterMeta{Locale: locale, Version: version, Text: ComplianceFooter}, // EXPECT kvlimits
	})
}
