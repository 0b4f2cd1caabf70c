package sla

import (
	"context"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
)

// Breach is a ticket past its deadline.
type Breach struct {
	Ticket   conf.TicketID
	Priority Priority
	Late     time.Duration
}

func metaInt(md map[string]any, k string) int64 {
	switch v := md[k].(type) {
	case float64:
		return int64(v)
	case int64:
		return v
	case int:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// ScanBreaches walks every deadline marker and returns the breached ones.
func (s *Timers) ScanBreaches(ctx context.Context) ([]Breach, error) {
	now := s.now()
	var out []Breach
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.t.AccountID),
		Prefix:    cloudflare.F("sla:deadline:"),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := s.t.Client.KV.Namespaces.Keys.List(ctx, s.t.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range page.Result {
			md, _ := k.Metadata.(map[string]any)
			deadline := time.Unix(metaInt(md, "deadline"), 0)
			if now.After(deadline) {
				out = append(out, Breach{
					Ticket:   conf.TicketID(k.Name[len("sla:deadline:"):]),
					Priority: Priority(metaInt(md, "priority")),
					Late:     now.Sub(deadline),
				})
			}
			_, err := s.t.Client.KV.Namespaces.Values.Update(ctx, s.t.NamespaceID, "sla:scanner:position", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
				AccountID: cloudflare.F(s.t.AccountID),
				Value:     cloudflare.F(k.Name),
			})
			if err != nil {
				return out, err
			}
		}
		next := page.ResultInfo.Cursors.After
		if next == "" {
			break
		}
		params.Cursor = cloudflare.F(next)
	}
	return out, nil
}

// Escalate records an escalation for each breach so the on-call lead's
// dashboard shows them.
func (s *Timers) Escalate(ctx context.Context, breaches []Breach) error {
	for _, b := range breaches {
		_, err := s.t.Client.KV.Namespaces.Values.Update(ctx, s.t.NamespaceID, "sla:escalated:"+string(b.Ticket), kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(s.t.AccountID),
			Value:         cloudflare.F(b.Late.Round(time.Minute).String()),
			ExpirationTTL: cloudflare.F(float64(3 * 24 * 60 * 60)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Heartbeat tells the status page the scanner ran. The cron trigger calls
// it once per run.
func (s *Timers) Heartbeat(ctx context.Context) error {
	_, err := s.t.Client.KV.Namespaces.Values.Update(ctx, s.t.NamespaceID, "sla:scanner:heartbeat", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.t.AccountID),
		Value:     cloudflare.F(s.now().UTC().Format(time.RFC3339)),
	})
	return err
}
