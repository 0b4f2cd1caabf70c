package lambdas

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/meridiancare/knot/internal/kvstore"
	"github.com/meridiancare/knot/internal/legacykv"
)

const (
	maxSweepPages  = 25
	directoryBatch = 20_000
	directoryTTL   = 36 * time.Hour
)

const refillNoticeTitle = "Changes to refill pickup during the pharmacy network migration"

const refillNoticeBody = "Between March 3 and March 21 our partner pharmacies are moving to a new " +
	"e-prescribing network. Refill requests you send through the portal during this time will still " +
	"be reviewed by your care team within one business day, but the pharmacy may take up to two " +
	"additional business days to confirm that your medication is ready. You will receive a pickup " +
	"code by text message once the pharmacy confirms; please bring that code and a photo ID. If you " +
	"take a medication where a missed dose is unsafe (for example insulin, anticoagulants, " +
	"anti-epileptics, transplant medications or HIV antiretrovirals), request your refill at least " +
	"five days before you run out, or call the nurse line so we can send an emergency supply to a " +
	"24-hour pharmacy near you. Controlled substances continue to require a visit before each refill " +
	"and are not affected by this migration. Mail-order prescriptions are not affected. If your " +
	"pharmacy tells you it has not received a prescription that the portal shows as sent, ask the " +
	"pharmacist to check the new network queue under the Meridian Telehealth prescriber ID printed " +
	"on your visit summary, and contact us if it cannot be found within four hours."

// Sweeper runs nightly from an EventBridge schedule.
type Sweeper struct {
	Holds  *kvstore.Namespace
	Edge   *kvstore.Namespace
	Legacy *legacykv.Store
	DB     *sql.DB
	// SummaryTTL is how long visit summaries stay readable at the edge.
	SummaryTTL time.Duration
}

// Handle is the Lambda entry point.
func (s *Sweeper) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	if ev.DetailType != "Scheduled Event" {
		return fmt.Errorf("unexpected event %q", ev.DetailType)
	}
	err := errors.Join(
		s.sweepHolds(ctx),
		s.pruneAppointmentCache(ctx),
		s.publishVisitSummaries(ctx, ev.Time),
		s.publishDirectory(ctx),
		s.publishRefillNotice(ctx),
		s.publishPharmacyIndex(ctx),
	)
	run := map[string]any{"event_id": ev.ID, "at": ev.Time, "ok": err == nil}
	if perr := s.Edge.PutJSON(ctx, "sweeper:last-run", run, 0); perr != nil {
		err = errors.Join(err, perr)
	}
	return err
}

// sweepHolds deletes holds for slots that were booked before the hold ran out.
func (s *Sweeper) sweepHolds(ctx context.Context) error {
	client := s.Holds.Client()
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.Holds.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.Holds.AccountID()),
		Prefix:    cloudflare.F("hold:"),
	})
	var stale []string
	for iter.Next() {
		k := iter.Current()
		raw, err := s.Holds.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var hold struct {
			SlotID string `json:"slot_id"`
		}
		if err := json.Unmarshal(raw, &hold); err != nil {
			stale = append(stale, k.Name)
			continue
		}
		var booked bool
		err = s.DB.QueryRowContext(ctx,
			`SELECT EXISTS (SELECT 1 FROM bookings WHERE slot_id = $1 AND cancelled_at IS NULL)`, hold.SlotID).Scan(&booked)
		if err == nil && booked {
			stale = append(stale, k.Name)
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("sweep holds: %w", err)
	}
	return s.Holds.BulkDelete(ctx, stale)
}

// pruneAppointmentCache drops cached appointment views that were written
// without an expiry by an older portal build.
func (s *Sweeper) pruneAppointmentCache(ctx context.Context) error {
	var orphans []string
	cursor := ""
	for range maxSweepPages {
		page, err := s.Edge.ListPage(ctx, "appt:", cursor, 1000)
		if err != nil {
			return fmt.Errorf("prune appointments: %w", err)
		}
		for _, k := range page.Keys {
			if k.Expiration == 0 {
				orphans = append(orphans, k.Name)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return s.Edge.BulkDelete(ctx, orphans)
}

// publishVisitSummaries copies yesterday's signed visit summaries to the edge.
func (s *Sweeper) publishVisitSummaries(ctx context.Context, now time.Time) error {
	rows, err := s.DB.QueryContext(ctx,
		`SELECT v.id, v.patient_id, c.display_name, v.ended_at, coalesce(v.follow_up, '')
		 FROM visits v JOIN clinicians c ON c.id = v.clinician_id
		 WHERE v.summary_signed_at >= $1 AND v.summary_signed_at < $2`, now.Add(-24*time.Hour), now)
	if err != nil {
		return fmt.Errorf("visit summaries: %w", err)
	}
	defer rows.Close()
	var errs []error
	for rows.Next() {
		var vs struct {
			VisitID   string    `json:"visit_id"`
			PatientID string    `json:"patient_id"`
			Clinician string    `json:"clinician"`
			EndedAt   time.Time `json:"ended_at"`
			FollowUp  string    `json:"follow_up,omitempty"`
		}
		if err := rows.Scan(&vs.VisitID, &vs.PatientID, &vs.Clinician, &vs.EndedAt, &vs.FollowUp); err != nil {
			return err
		}
		key := fmt.Sprintf("visit-summary:%s:%s", vs.PatientID, vs.VisitID)
		errs = append(errs, s.Edge.PutJSON(ctx, key, vs,
			s.SummaryTTL)) // DEBATABLE kvttl
	}
	return errors.Join(append(errs, rows.Err())...)
}

// publishDirectory refreshes the clinician directory the edge renders.
func (s *Sweeper) publishDirectory(ctx context.Context) error {
	rows, err := s.DB.QueryContext(ctx,
		`SELECT id, display_name, specialty, languages, accepting_new FROM clinicians WHERE active`)
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	defer rows.Close()
	var body []kv.NamespaceKeyBulkUpdateParamsBody
	for rows.Next() {
		var (
			id, name, specialty, languages string
			accepting                      bool
		)
		if err := rows.Scan(&id, &name, &specialty, &languages, &accepting); err != nil {
			return err
		}
		v, _ := json.Marshal(map[string]any{"id": id, "name": name, "specialty": specialty, "languages": languages})
		body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
			Key:           cloudflare.F("clinician:" + id),
			Value:         cloudflare.F(string(v)),
			ExpirationTTL: cloudflare.F(directoryTTL.Seconds()),
			Metadata:      cloudflare.F[any](map[string]any{"specialty": specialty, "accepting": accepting}),
		})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	client := s.Edge.Client()
	for i := 0; i < len(body); i += directoryBatch {
		res, err := client.KV.Namespaces.Keys.BulkUpdate(ctx, s.Edge.ID(), kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(s.Edge.AccountID()),
			Body:      body[i:min(i+directoryBatch, len(body))], // EXPECT kvlimits
		})
		if err != nil {
			return fmt.Errorf("directory bulk write: %w", err)
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			slog.WarnContext(ctx, "directory keys not written", "count", n)
		}
	}
	return nil
}

// publishRefillNotice puts the current refill banner where the edge's list
// of notices can show it without reading each value.
func (s *Sweeper) publishRefillNotice(ctx context.Context) error {
	_, err := s.Edge.Client().KV.Namespaces.Values.Update(ctx, s.Edge.ID(), "notice:refills", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.Edge.AccountID()),
		Value:         cloudflare.F(refillNoticeTitle),
		ExpirationTTL: cloudflare.F((21 * 24 * time.Hour).Seconds()),
		Metadata:      cloudflare.F[any](map[string]string{"title": refillNoticeTitle, "body": refillNoticeBody}), // EXPECT kvlimits
	})
	return err
}

// publishPharmacyIndex copies the legacy service's pharmacy list to the edge,
// where the refill form offers it as a picker.
func (s *Sweeper) publishPharmacyIndex(ctx context.Context) error {
	names, err := s.Legacy.PharmacyKeys(ctx, "")
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(names))
	for _, n := range names {
		ids = append(ids, strings.TrimPrefix(n, "pharmacy:"))
	}
	return s.Edge.PutJSON(ctx, "pharmacy-index", ids, 48*time.Hour)
}
