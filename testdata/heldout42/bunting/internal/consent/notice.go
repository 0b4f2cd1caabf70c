package consent

import (
	"context"
	"encoding/json"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"

	"bunting/internal/kv3"
)

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }

// noticeSummary is shown next to the signature box of the telehealth form.
const noticeSummary = `By signing you agree to receive care by live video, asynchronous messaging and remote monitoring. ` +
	`Your clinician will confirm your identity and location at the start of every visit. Video visits may be recorded only ` +
	`with your separate consent; recordings are kept for seven years as part of your medical record. Telehealth has limits: ` +
	`your clinician may ask you to come in person when a physical examination is needed, and emergency care is not available ` +
	`through this service. Call 911 in an emergency. Your information is protected under HIPAA and is shared with your ` +
	`pharmacy, your insurer and other providers only as described in our Notice of Privacy Practices. You may withdraw ` +
	`this consent at any time from the Privacy page of the patient app; withdrawal does not affect care already given. ` +
	`Standard message and data rates may apply. Interpreter services are available at no cost. If you are signing for a ` +
	`minor or a person in your care, you confirm that you are their legal guardian or authorized representative. ` +
	`A copy of this form is available in the Documents section of the patient app and by mail on request.`

// Notice is the signed copy of a consent form.
type Notice struct {
	PatientID string    `json:"patient_id"`
	Kind      Kind      `json:"kind"`
	SignedAt  time.Time `json:"signed_at"`
	Signature string    `json:"signature"`
	PDFSHA256 string    `json:"pdf_sha256"`
}

type noticeMeta struct {
	Summary  string `json:"summary"`
	SignedAt int64  `json:"signed_at"`
}

// SaveNotice stores the signed copy with a summary in metadata so the
// listing pages can show it without a read per key.
func (s *Store) SaveNotice(ctx context.Context, n Notice) error {
	raw, err := json.Marshal(n)
	if err != nil {
		return err
	}
	key := "notice:" + n.PatientID + ":" + string(n.Kind) + ":" + n.SignedAt.UTC().Format("20060102T150405Z")
	return s.c.Write(ctx, s.ns, key, raw, noticeMeta{Summary: noticeSummary, SignedAt: n.SignedAt.Unix()}, 0) // EXPECT kvlimits
}

// SaveReceipts stores the e-mail receipts of signed notices; the receipt
// links in the e-mail stay valid for the given time.
func (s *Store) SaveReceipts(ctx context.Context, receipts map[string][]byte, ttl time.Duration) error {
	entries := make([]kv3.BulkEntry, 0, len(receipts))
	for key, body := range receipts {
		e := kv3.Entry("receipt:"+key, body)
		e.ExpirationTTL = cloudflare.F(float64(ttl.Milliseconds())) // EXPECT kvttl
		entries = append(entries, e)
	}
	return s.c.Bulk(ctx, s.ns, entries)
}

// CacheForms stores the rendered consent forms for the patient app.
func (s *Store) CacheForms(ctx context.Context, forms map[Kind][]byte) error {
	entries := make([]kv3.BulkEntry, 0, len(forms))
	for k, html := range forms {
		e := kv3.Entry("form:"+string(k), html)
		e.ExpirationTTL = cloudflare.F((6 * time.Hour).Seconds())
		entries = append(entries, e)
	}
	return s.c.Bulk(ctx, s.ns, entries)
}
