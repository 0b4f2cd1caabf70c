package summaries

import (
	"context"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/gannet/internal/ttl"
)

func asAPIError(err error, target **cloudflare.Error) bool { return errors.As(err, target) }

// privacyNotice is shown with every summary the portal lists. It is kept
// verbatim because the compliance team signs off on its exact wording.
const privacyNotice = "This after-visit summary contains protected health information about you. " +
	"It is provided for your personal use and for sharing with other clinicians involved in your care. " +
	"If you received this summary in error, please do not read, copy or forward it; contact the practice " +
	"immediately so that we can correct our records and notify the patient concerned. The information in " +
	"this summary reflects the clinician's assessment at the time of the visit and may change as new results " +
	"become available. It is not a substitute for a follow-up appointment. If your symptoms worsen or you " +
	"develop new symptoms, contact the practice or, in an emergency, call your local emergency number. " +
	"Medication instructions in this summary replace any earlier instructions for the same medication. " +
	"Keep a copy of your medication list with you and show it to any clinician or pharmacist you see. " +
	"You may request a copy of your full record, ask for corrections, or ask who has accessed your record " +
	"by writing to the practice's privacy officer. Requests are answered within thirty days."

// PublishNotice attaches the current privacy notice to a summary's listing
// entry so that the portal can show it without reading the summary.
func (s *Service) PublishNotice(ctx context.Context, patientID, visitID string) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	_, err = s.api.KV.Namespaces.Values.Update(ctx, ns, "notice:"+visitID, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(visitID),
		Metadata:  cloudflare.F[any](map[string]string{"notice": privacyNotice, "version": "2024-11"}), // EXPECT kvlimits
	})
	return err
}

// DailyDigest stores the clinic's digest of today's signed summaries until
// the end of the practice day.
func (s *Service) DailyDigest(ctx context.Context, digest []byte) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	now := timeNow()
	_, err = s.api.KV.Namespaces.Values.Update(ctx, ns, "digest:"+now.In(s.loc).Format("20060102"), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F(string(digest)),
		Expiration: cloudflare.F(float64(ttl.EndOfDay(now, s.loc).Add(6 * time.Hour).UnixMilli())), // EXPECT kvttl
	})
	return err
}
