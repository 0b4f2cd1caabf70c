package sla

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/rest"
)

// customerNotice is shown by the widget next to the expected reply time.
const customerNotice = "Our support team answers messages in the order they arrive. The reply time shown " +
	"here is an estimate based on your plan's service-level agreement and the business hours of the team " +
	"that handles your request; it is not a guarantee. Messages sent outside business hours are answered " +
	"when the team is next available. Urgent incidents affecting production systems are best reported " +
	"through the status page or by phone, where an on-call engineer responds around the clock. If you " +
	"reply to a ticket that is waiting on you, the clock resumes from where it stopped rather than starting " +
	"again. Service credits for missed targets are described in your agreement and are applied to the next " +
	"invoice automatically; you do not need to request them. Holidays observed by the team are published " +
	"in the help centre at least thirty days in advance. For questions about this notice or about your " +
	"plan's targets, contact your account manager or write to the address in your agreement. This notice " +
	"is updated whenever your agreement changes, and the version shown here is always the current one."

// EnsurePolicy installs the default policy for an organisation that has none.
func (s *Service) EnsurePolicy(ctx context.Context, orgID string, def Policy) error {
	key := keys.KindSLAPolicy.Key(orgID)
	if _, err := s.Get(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	return s.PutJSON(ctx, key, def, 0) // DEBATABLE kvrace
}

// Policy returns an organisation's policy.
func (s *Service) Policy(ctx context.Context, orgID string) (Policy, error) {
	var p Policy
	err := s.GetJSON(ctx, keys.KindSLAPolicy.Key(orgID), &p)
	return p, err
}

// PublishPolicy copies an organisation's policy to the widget namespace with
// the customer notice in its metadata, so the edge renders both from a list.
func (s *Service) PublishPolicy(ctx context.Context, orgID string, p Policy) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return rest.PutWithMetadata(ctx, rest.Widget, keys.KindSLAPolicy.Key(orgID), b, map[string]string{"tier": p.Tier, "notice": customerNotice}, 0) // EXPECT kvlimits
}

// PublishTier stores the short tier label the widget shows for an organisation.
func (s *Service) PublishTier(ctx context.Context, orgID string, p Policy) error {
	meta := map[string]any{"tier": p.Tier, "first_response_min": int(p.FirstResponse / time.Minute)}
	return rest.PutWithMetadata(ctx, rest.Widget, keys.Key("tier", orgID), []byte(p.Name), meta, 0)
}

// SeedCalendar writes the business-minute calendar for the week starting at
// weekStart: one key per minute, "true" while the team is open. The widget
// reads it to estimate reply times.
func (s *Service) SeedCalendar(ctx context.Context, weekStart time.Time, open func(time.Time) bool) error {
	const minutesPerWeek = 7 * 24 * 60
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, minutesPerWeek)
	for i := 0; i < minutesPerWeek; i++ {
		at := weekStart.Add(time.Duration(i) * time.Minute)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(keys.Key("cal", at.UTC().Format("200601021504"))),
			Value:         cloudflare.F(strconv.FormatBool(open(at))),
			ExpirationTTL: cloudflare.F(float64(8 * 24 * time.Hour / time.Second)),
		})
	}
	_, err := rest.Client.KV.Namespaces.BulkUpdate(ctx, string(rest.Widget), kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(rest.AccountID), Body: body}) // EXPECT kvlimits
	return err
}

// SeedHolidays writes the team's holidays for the year, one key per day.
func (s *Service) SeedHolidays(ctx context.Context, days []time.Time) error {
	var b rest.Batch
	for _, d := range days {
		b.Add(keys.Key("holiday", d.UTC().Format("20060102")), []byte("1"), 400*24*time.Hour)
	}
	return b.Flush(ctx, rest.Widget)
}
